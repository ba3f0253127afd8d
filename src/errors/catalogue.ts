import { HeraldError, type Location, type Problem } from './herald-error.js';

/**
 * The one catalogue of expected failures. Each entry builds a HeraldError with a stable code,
 * a one-line message and the fix. Add new codes here, never ad hoc in the code that throws.
 */
export const errors = {
  invalidConfig: (file: string, problems: Problem[]) =>
    new HeraldError({
      code: 'EINVALIDCONFIG',
      message: `${file} has ${problems.length} invalid setting${problems.length === 1 ? '' : 's'}`,
      problems,
      fix: 'Correct each setting listed above; `herald schema` prints the full JSON Schema.',
      exitCode: 2,
    }),
  configSyntax: (location: Location, reason: string, format: 'JSON' | 'YAML' = 'JSON') =>
    new HeraldError({
      code: 'ECONFIGSYNTAX',
      message: `${location.file} is not valid ${format}: ${reason}`,
      problems: [{ message: reason, location }],
      fix:
        format === 'JSON'
          ? 'Fix the JSON at the position shown (// comments and trailing commas are fine).'
          : 'Fix the YAML at the position shown: indent with spaces, and quote values that contain ": " or " #".',
      exitCode: 2,
    }),
  configLoad: (file: string, reason: string, fix: string) =>
    new HeraldError({
      code: 'ECONFIGLOAD',
      message: `${file} could not be loaded: ${reason}`,
      fix,
      exitCode: 2,
    }),
  configNotFound: (file: string) =>
    new HeraldError({
      code: 'ENOCONFIG',
      message: `config file ${file} does not exist`,
      fix: 'Check the --config path, or omit it to use the config semantic-release finds in the repository root (.releaserc.json, .releaserc.yaml, release.config.js, package.json "release", …).',
      exitCode: 2,
    }),
  configExists: (file: string, fix: string) =>
    new HeraldError({
      code: 'ECONFIGEXISTS',
      message: `${file} holds the release config already; herald init changes nothing`,
      fix,
      exitCode: 2,
    }),
  notGitRepo: (dir: string) =>
    new HeraldError({
      code: 'ENOTGITREPO',
      message: `${dir} is not inside a git repository`,
      fix: 'Run Herald from a git checkout, or point --cwd at one.',
      exitCode: 2,
    }),
  gitMissing: () =>
    new HeraldError({
      code: 'ENOGIT',
      message: 'git is not installed or not on PATH',
      fix: 'Install git (2.20 or newer) and make sure `git --version` works.',
      exitCode: 1,
    }),
  unknownRef: (ref: string) =>
    new HeraldError({
      code: 'EUNKNOWNREF',
      message: `git does not know the ref "${ref}"`,
      fix: 'Use an existing tag, branch or commit; in CI, fetch tags and full history (`git fetch --tags --unshallow`).',
      exitCode: 2,
    }),
  shallowHistory: (range: string, ci: string | null = null) =>
    new HeraldError({
      code: 'ESHALLOW',
      message: `this is a shallow clone: the history of ${range} is cut off, so the notes would miss changes`,
      fix: ['Fetch the whole history and the tags: `git fetch --unshallow --tags`.', checkoutFix(ci)].join(
        '\n',
      ),
      exitCode: 2,
    }),
  missingTags: (tags: string[], ci: string | null = null) =>
    new HeraldError({
      code: 'EMISSINGTAGS',
      message: `origin has release tags this clone does not (${tags.slice(0, 3).join(', ')}${tags.length > 3 ? ` and ${tags.length - 3} more` : ''}), so the previous release cannot be found`,
      fix: ['Fetch the tags: `git fetch --tags`.', checkoutFix(ci)].join('\n'),
      exitCode: 2,
    }),
  /** A shallow-clone error again, its fix naming the checkout setting of the CI it happened in. */
  inCi: (error: HeraldError, ci: string | null) =>
    error.code === 'ESHALLOW' || error.code === 'EMISSINGTAGS'
      ? new HeraldError({
          code: error.code,
          message: error.message,
          problems: error.problems,
          fix: [error.fix?.split('\n')[0], checkoutFix(ci ?? 'unknown')].join('\n'),
          exitCode: error.exitCode,
          cause: error,
        })
      : error,
  pluginOption: (key: string, got: string, expected: 'string' | 'boolean') =>
    new HeraldError({
      code: 'EPLUGINOPTION',
      message: `the herald-release/semantic-release option "${key}" is a ${got}, not a ${expected}`,
      fix: `Give \`${key}\` as a ${expected} in the plugin's options in the release config.`,
      exitCode: 2,
    }),
  channelChecks: (problems: Problem[]) =>
    new HeraldError({
      code: 'ECHANNELCHECK',
      message: `${problems.length} check${problems.length === 1 ? '' : 's'} of the store or the channels failed`,
      problems,
      fix: 'Fix each check listed; `herald doctor` runs the same checks.',
      exitCode: 1,
    }),
  pluginAnnounceFailed: (version: string) =>
    new HeraldError({
      code: 'EANNOUNCE',
      message: `${version} was prepared, but announcing it failed (the failures are listed above)`,
      fix: `Fix what the failures name, then run \`herald announce\` (\`herald status ${version}\` shows what went out).`,
      exitCode: 1,
    }),
  emptyRepo: () =>
    new HeraldError({
      code: 'ENOCOMMITS',
      message: 'the repository has no commits yet',
      fix: 'Make a first commit, then run Herald again.',
      exitCode: 2,
    }),
  gitFailed: (args: readonly string[], stderr: string) =>
    new HeraldError({
      code: 'EGIT',
      message: `git ${args[0] ?? ''} failed: ${firstLine(stderr) || 'no error output'}`,
      fix: 'Run the same git command by hand to see the full error; check the repository is not corrupt.',
      exitCode: 1,
    }),
  invalidTagFormat: (tagFormat: string, reason: string) =>
    new HeraldError({
      code: 'ETAGFORMAT',
      message: `tagFormat "${tagFormat}" is invalid: ${reason}`,
      fix: 'tagFormat must contain ${version} exactly once, for example "v${version}" or "${name}@${version}".',
      exitCode: 2,
    }),
  invalidVersion: (version: string) =>
    new HeraldError({
      code: 'EINVALIDVERSION',
      message: `"${version}" is not a valid semantic version`,
      fix: 'Pass a version such as 1.4.0 or 2.0.0-beta.1 (without the tag prefix).',
      exitCode: 2,
    }),
  templateSyntax: (location: Location, reason: string) =>
    new HeraldError({
      code: 'ETEMPLATE',
      message: `template ${location.file} does not compile: ${reason}`,
      problems: [{ message: reason, location }],
      fix: 'Fix the Handlebars syntax at the line shown; see templates/ in Herald for working examples.',
      exitCode: 2,
    }),
  templateField: (location: Location, reason: string, model: 'notes' | 'email' = 'notes') =>
    new HeraldError({
      code: 'ETEMPLATEFIELD',
      message: `template ${location.file} uses a field the ${model === 'notes' ? 'notes model' : 'email view'} does not have: ${reason}`,
      problems: [{ message: reason, location }],
      fix:
        model === 'notes'
          ? 'Use only fields of the notes model (`herald notes --json` shows them all), or guard optional ones with {{#if}}.'
          : "Use only fields of the email view (Herald's templates/email/*.hbs use them all; the README lists them), or guard optional ones with {{#if}}.",
      exitCode: 2,
    }),
  emailWords: (file: string, problems: string[]) =>
    new HeraldError({
      code: 'EEMAILWORDS',
      message: `${file} is not a valid words file: ${problems[0]}`,
      problems: problems.map((message) => ({ message, location: { file } })),
      fix: "Make it a JSON object of the email's words (see Herald's templates/email/en.json for every key).",
      exitCode: 2,
    }),
  templateMissing: (file: string) =>
    new HeraldError({
      code: 'ENOTEMPLATE',
      message: `template ${file} does not exist`,
      fix: 'Create the file, or remove the audience\'s "template" setting to use the built-in one.',
      exitCode: 2,
    }),
  unknownAudience: (audience: string, known: readonly string[]) =>
    new HeraldError({
      code: 'EAUDIENCE',
      message: `unknown audience "${audience}"`,
      fix: `Use one of: ${known.join(', ')}; or define it under herald.notes.audiences.`,
      exitCode: 2,
    }),
  unknownBundle: (version: string, known: readonly string[]) =>
    new HeraldError({
      code: 'EUNKNOWNVERSION',
      message: `no prepared release ${version}`,
      fix:
        known.length > 0
          ? `Use one of the prepared versions (${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''}); \`herald list\` shows them all.`
          : 'Run `herald prepare` after tagging the release; `herald list` shows what is stored.',
      exitCode: 2,
    }),
  /** The version is prepared, but for another package (or for the product itself): name it. */
  bundleInOtherPackage: (version: string, asked: string, packages: readonly string[]) =>
    new HeraldError({
      code: 'EUNKNOWNVERSION',
      message: `no prepared release ${version}${asked ? ` of package ${asked}` : ' without a package'}; ${packages.map((p) => (p ? `${p}@${version}` : version)).join(' and ')} ${packages.length === 1 ? 'is' : 'are'} prepared`,
      fix: `Did you mean ${packages.map((p) => (p ? `\`--package ${p}\`` : 'the release without `--package`')).join(' or ')}? \`herald list\` shows every package's releases.`,
      exitCode: 2,
    }),
  alreadyAnnounced: (version: string, status: string) =>
    new HeraldError({
      code: 'EANNOUNCED',
      message: `release ${version} is ${status}: its content can no longer change`,
      fix: 'Pass --force to store a correction revision (publishing it updates what went out).',
      exitCode: 2,
    }),
  badTransition: (version: string, status: string, action: string, fix: string) =>
    new HeraldError({
      code: 'ESTATUS',
      message: `cannot ${action} release ${version}: it is ${status}`,
      fix,
      exitCode: 2,
    }),
  announceTime: (
    code: 'ETIME' | 'ETIMEZONE' | 'ETIMEGAP' | 'ETIMEAMBIGUOUS' | 'EPAST',
    message: string,
    fix: string,
  ) => new HeraldError({ code, message, fix, exitCode: 2 }),
  store: (target: string, reason: string) =>
    new HeraldError({
      code: 'ESTORE',
      message: `the state store ${target} failed: ${reason}`,
      fix: 'Check HERALD_DATABASE_URL (or --store): the server must be reachable and the user allowed to create tables. The SQLite file needs a writable directory.',
      exitCode: 1,
    }),
  editConflict: (version: string) =>
    new HeraldError({
      code: 'ECONFLICT',
      message: `release ${version} changed while it was being edited`,
      fix: 'Run the command again: it starts from the new revision.',
      exitCode: 1,
    }),
  editSyntax: (file: string, problems: Problem[]) =>
    new HeraldError({
      code: 'EEDIT',
      message: `${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was saved`,
      problems,
      fix: 'Keep each entry on one line ending with its [#id] marker, and section headings as `=== Title ===`.',
      exitCode: 2,
    }),
  docsInvalid: (ref: string, problems: Problem[]) =>
    new HeraldError({
      code: 'EDOCS',
      message: `the docs at ${ref} have ${problems.length} error${problems.length === 1 ? '' : 's'}; nothing was stored`,
      problems,
      fix: 'Fix the pages listed above (`herald docs check --ref <ref>` shows the same list), tag again, and rerun prepare.',
      exitCode: 1,
    }),
  preflightFailed: (version: string, problems: Problem[]) =>
    new HeraldError({
      code: 'EPREFLIGHT',
      message: `${version} would fail on announce day: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was stored`,
      problems,
      fix: 'Fix each problem listed above (`herald doctor` checks the channels too), then rerun prepare.',
      exitCode: 2,
    }),
  missingCredentials: (channel: string, variables: string) =>
    new HeraldError({
      code: 'ECREDENTIALS',
      message: `${channel} is configured but its credentials are not set`,
      fix: `Set ${variables} in the environment (never in the config file), or set the provider to the embedded default.`,
      exitCode: 2,
    }),
  deliveriesFailed: (count: number, problems: Problem[]) =>
    new HeraldError({
      code: 'EDELIVERY',
      message: `${count.toLocaleString('en')} deliver${count === 1 ? 'y' : 'ies'} failed; the others went out`,
      problems,
      fix: 'Fix what each failure names, then run `herald retry <version>` and `herald announce`.',
      exitCode: 1,
    }),
  importRefused: (file: string, imported: number, problems: Problem[]) =>
    new HeraldError({
      code: 'EIMPORT',
      message: `${problems.length} row${problems.length === 1 ? '' : 's'} of ${file} refused; the other ${imported} were imported`,
      problems,
      fix: 'Fix the rows listed above and import the file again: rows already imported are left as they are.',
      exitCode: 2,
    }),
  followersUnreadable: (where: string, reason: string, fix: string, exitCode: 1 | 2) =>
    new HeraldError({
      code: 'EFOLLOWERS',
      message: `could not read the followers from ${where}: ${reason}`,
      fix,
      exitCode,
    }),
  userExists: (name: string) =>
    new HeraldError({
      code: 'EUSEREXISTS',
      message: `the dashboard user ${name} exists already; nothing was changed`,
      fix: `Pick another name, or give ${name} a new password with \`herald users reset ${name}\`.`,
      exitCode: 2,
    }),
  unknownUser: (name: string, known: string[]) =>
    new HeraldError({
      code: 'EUNKNOWNUSER',
      message: `there is no dashboard user ${name}`,
      fix: known.length
        ? `The users are: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''} (\`herald users list\`).`
        : 'There are no users yet: add one with `herald users add <name> --role manager`.',
      exitCode: 2,
    }),
  passwordRefused: (reason: string) =>
    new HeraldError({
      code: 'EPASSWORD',
      message: `the password was refused: ${reason}`,
      fix: 'Use a passphrase of at least 12 characters (a password manager can make one); nothing was changed.',
      exitCode: 2,
    }),
  usage: (message: string, fix: string) => new HeraldError({ code: 'EUSAGE', message, fix, exitCode: 2 }),
  changelogEdited: (file: string, versions: string[]) =>
    new HeraldError({
      code: 'ECHANGELOGEDITED',
      message: `${file} has ${versions.length} release section${versions.length === 1 ? '' : 's'} that differ from what Herald generates (${versions.slice(0, 5).join(', ')}${versions.length > 5 ? ', …' : ''}): edited by hand, or written by another template; nothing was written`,
      fix: '`herald changelog --rebuild --dry-run` shows the difference; `--force` replaces those sections (the preamble and sections Herald does not generate are always kept).',
      exitCode: 2,
    }),
  fileWrite: (file: string, reason: string) =>
    new HeraldError({
      code: 'EWRITE',
      message: `could not write ${file}: ${reason}`,
      fix: 'Check the directory exists and is writable.',
      exitCode: 1,
    }),
} as const;

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/**
 * The checkout setting that gives a CI job the whole history and the tags, by ci-info's vendor
 * constant; null (not in CI): the two most common, "unknown": a CI Herald cannot name.
 */
const CHECKOUT_SETTINGS: Record<string, string> = {
  GITHUB_ACTIONS:
    'GitHub Actions: give `actions/checkout` `with: fetch-depth: 0` (it fetches one commit and no tags by default).',
  GITLAB:
    'GitLab CI: set the variable `GIT_DEPTH: 0` on the job (or the project\'s "Git shallow clone" setting to 0).',
  AZURE_PIPELINES: 'Azure Pipelines: give the `checkout: self` step `fetchDepth: 0` and `fetchTags: true`.',
  BITBUCKET: 'Bitbucket Pipelines: set `clone: depth: full`.',
  TRAVIS: 'Travis CI: set `git: depth: false`.',
};

function checkoutFix(ci: string | null): string {
  if (ci === null)
    return 'In CI, check out in full: GitHub Actions `actions/checkout` with `fetch-depth: 0`; GitLab CI `GIT_DEPTH: 0`.';
  return (
    CHECKOUT_SETTINGS[ci] ??
    'In CI, turn off the shallow clone of the checkout (full history and tags), or run `git fetch --unshallow --tags` before Herald.'
  );
}
