// The part of semver Herald calls (see scripts/bundle-cli.mjs): its functions without the
// range classes, whose modules build comparators as they load.
module.exports = {
  compare: require('semver/functions/compare'),
  rcompare: require('semver/functions/rcompare'),
  gt: require('semver/functions/gt'),
  lt: require('semver/functions/lt'),
  inc: require('semver/functions/inc'),
  parse: require('semver/functions/parse'),
  prerelease: require('semver/functions/prerelease'),
  valid: require('semver/functions/valid'),
};
