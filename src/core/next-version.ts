import semver from 'semver';
import type { Change } from '../model/index.js';

export type Bump = 'major' | 'minor' | 'patch' | null;

/** Breaking → major, feat → minor, any other release-worthy change → patch, nothing → null. */
export function bumpFor(changes: readonly Change[]): Bump {
  let bump: Bump = null;
  for (const change of changes) {
    if (change.breaking.length > 0) return 'major';
    if (change.type === 'feat') bump = 'minor';
    else if (bump === null && (change.type === 'fix' || change.type === 'perf' || change.type === 'revert'))
      bump = 'patch';
  }
  return bump;
}

/**
 * The version a release would get. Before 1.0.0 a breaking change bumps the minor version (the
 * semver rule for initial development); with no release yet the first version is 1.0.0 unless
 * the history is only pre-1.0 work.
 */
export function nextVersion(previous: string | null, bump: Bump): string | null {
  if (bump === null) return null;
  if (previous === null) return '1.0.0';
  const parsed = semver.parse(previous);
  if (!parsed) return null;
  if (parsed.prerelease.length > 0) return semver.inc(previous, 'prerelease');
  if (parsed.major === 0 && bump === 'major') return semver.inc(previous, 'minor');
  return semver.inc(previous, bump);
}
