import * as z from 'zod/mini';

/**
 * The sections of `.releaserc.json` that notes are made from (tagFormat, product, packages,
 * notes, issues). Part of the one schema in schema.ts; kept apart so `herald notes` and
 * `herald changelog` validate only what they read: building the whole schema is a large part of
 * their start-up. The other sections are validated by the commands that read them.
 */

/** Attaches the description editors show (and the JSON Schema carries). */
export function about<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

export const nonEmpty = () => z.string().check(z.minLength(1));
export const positiveInt = () => z.number().check(z.int(), z.minimum(1));

const typeSetting = z.strictObject({
  title: about(
    z.optional(nonEmpty()),
    'Section heading for this commit type (default: the built-in title, or the type name title-cased).',
  ),
  hidden: about(
    z.optional(z.boolean()),
    'Leave this type out of audiences showing "all" types (such as "internal"). An audience that lists the type still shows it.',
  ),
});

const keyLink = z.strictObject({
  pattern: about(nonEmpty(), 'Regular expression for tracker keys, e.g. "PROJ-\\\\d+".'),
  url: about(nonEmpty(), 'URL with {id} for the key, e.g. "https://acme.atlassian.net/browse/{id}".'),
});

const links = z.strictObject({
  repository: about(
    z.optional(z.string()),
    'Web URL of the repository (GitHub or GitLab), e.g. "https://github.com/acme/cloud". Defaults to the `origin` remote when it is one.',
  ),
  issue: about(
    z.optional(z.string()),
    'URL template for issue numbers, with {id}, e.g. "https://github.com/acme/cloud/issues/{id}".',
  ),
  pullRequest: about(
    z.optional(z.string()),
    'URL template for pull/merge request numbers, with {id}, e.g. "https://github.com/acme/cloud/pull/{id}".',
  ),
  commit: about(
    z.optional(z.string()),
    'URL template for commits, with {hash}, e.g. "https://github.com/acme/cloud/commit/{hash}".',
  ),
  compare: about(
    z.optional(z.string()),
    'URL template comparing two tags, with {from} and {to}, e.g. "https://github.com/acme/cloud/compare/{from}...{to}".',
  ),
  jira: about(z.optional(keyLink), 'Jira-style keys such as PROJ-123.'),
  keys: about(z._default(z.array(keyLink), []), 'More tracker key patterns.'),
});

const audience = z.strictObject({
  types: about(
    z.union([z.literal('all'), z.array(nonEmpty())], {
      error: '"all" or a list of commit types like ["feat", "fix"]',
    }),
    'Commit types shown to this audience: a list (each shown, hidden or not), or "all" (every type that is not hidden).',
  ),
  hideLabels: about(
    z.optional(z.array(z.string())),
    'Changes carrying any of these labels (or an `Audience:` trailer naming another audience) are left out.',
  ),
  template: about(
    z.optional(z.string()),
    'Template file name in the templates directory, e.g. "partners.hbs" (default: the audience name + ".hbs").',
  ),
});

/**
 * The built-in types. None is hidden: the built-in "customer" audience lists the types it shows,
 * and the built-in "internal" one shows all of them.
 */
export const defaultTypes: Record<string, { title: string; hidden: boolean }> = {
  feat: { title: 'Features', hidden: false },
  fix: { title: 'Bug fixes', hidden: false },
  perf: { title: 'Performance', hidden: false },
  revert: { title: 'Reverts', hidden: false },
  docs: { title: 'Documentation', hidden: false },
  refactor: { title: 'Refactoring', hidden: false },
  build: { title: 'Build system', hidden: false },
  ci: { title: 'Continuous integration', hidden: false },
  test: { title: 'Tests', hidden: false },
  style: { title: 'Style', hidden: false },
  chore: { title: 'Chores', hidden: false },
  other: { title: 'Other changes', hidden: false },
};

export const defaultAudiences = {
  customer: { types: ['feat', 'fix', 'perf', 'revert'], template: 'customer.hbs' },
  internal: { types: 'all' as const, hideLabels: [] as string[], template: 'internal.hbs' },
};

const packageSetting = z.strictObject({
  name: about(nonEmpty(), 'Package name, used for ${name} in tagFormat, e.g. "web".'),
  path: about(nonEmpty(), 'Directory of the package; only commits touching it count, e.g. "packages/web".'),
  tagFormat: about(z.optional(z.string()), 'Tag format for this package, e.g. "${name}@${version}".'),
});

const changelog = z.strictObject({
  commitLinks: about(
    z._default(z.boolean(), true),
    "Each CHANGELOG.md entry ends with its short commit hash linked to the commit, when the repository's URL is known (notes.links.repository or the origin remote).",
  ),
  compareLinks: about(
    z._default(z.boolean(), true),
    "Each CHANGELOG.md release heading links to the comparison previous tag...this tag, when the repository's URL is known.",
  ),
  contributors: about(
    z._default(z.boolean(), false),
    "A contributors line under each CHANGELOG.md release (the internal audience's template lists them always).",
  ),
});

export const notes = z.strictObject({
  types: about(
    z._default(z.record(nonEmpty(), typeSetting), {}),
    'Commit types: section titles and visibility. Merged over the built-in types; order follows the built-ins, then yours.',
  ),
  components: about(
    z._default(z.record(nonEmpty(), nonEmpty()), {}),
    'Scope → component name, e.g. { "billing": "Billing" }. When set, sections are grouped by component.',
  ),
  nonConventional: about(
    z._default(z.enum(['other', 'drop']), 'other'),
    'Commits that are not conventional: list under "Other changes", or drop them.',
  ),
  hideLabels: about(
    z._default(z.array(z.string()), ['internal']),
    'Labels (from the issue tracker) that hide a change from customer-facing audiences.',
  ),
  skipMarkers: about(
    z._default(z.array(nonEmpty()), ['[skip changelog]', '[skip-changelog]', '[no changelog]']),
    'Text in a commit message that drops the commit from all notes.',
  ),
  previousRelease: about(
    z._default(z.enum(['stable', 'any']), 'stable'),
    'What a stable release is compared against: the previous stable release, or the previous tag of any kind.',
  ),
  links: z.prefault(links, {}),
  changelog: about(
    z.prefault(changelog, {}),
    'How CHANGELOG.md is written (`herald changelog --rebuild`, `herald notes --write`): release notes elsewhere are unaffected.',
  ),
  audiences: about(
    z._default(z.record(nonEmpty(), audience), {}),
    'Audiences and what each sees. Merged over the built-in "customer" and "internal".',
  ),
  templates: about(
    z._default(z.string(), 'templates'),
    'Directory (relative to the repository) with templates overriding the built-in ones.',
  ),
});

export const issues = z.strictObject({
  provider: about(
    z._default(z.enum(['git', 'github', 'gitlab']), 'git'),
    'Where titles and labels of referenced issues/PRs come from. "git" is offline.',
  ),
  repository: about(
    z.optional(z.string()),
    'owner/name (GitHub) or group/project (GitLab), e.g. "acme/cloud". Defaults to the origin remote.',
  ),
  apiUrl: about(
    z.optional(z.string()),
    'API base URL (GitHub Enterprise, self-managed GitLab), e.g. "https://github.acme.example/api/v3".',
  ),
  concurrency: about(
    z._default(z.number().check(z.int(), z.minimum(1), z.maximum(32)), 8),
    'Requests in flight at once.',
  ),
});

export const tagFormat = about(
  z._default(z.string(), 'v${version}'),
  'semantic-release tag format, shared with Herald. Must contain ${version}.',
);

export const notesSections = {
  $schema: z.optional(z.string()),
  product: about(z.optional(nonEmpty()), 'Product name shown in notes and announcements.'),
  packages: about(
    z._default(z.array(packageSetting), []),
    'Monorepo packages, each with its own tags and notes (select with --package).',
  ),
  notes: z.prefault(notes, {}),
  issues: z.prefault(issues, {}),
};

/** The other sections of `herald`: their names only, so a misspelt key still fails here. */
export const otherSectionNames = [
  'docs',
  'schedule',
  'helpCenter',
  'slack',
  'email',
  'trackers',
  'report',
  'server',
] as const;

/** `.releaserc.json` as the notes commands read it: the other sections pass unread. */
export const notesConfigFile = z.looseObject({
  $schema: z.optional(z.string()),
  tagFormat,
  herald: z.prefault(
    z.strictObject({
      ...notesSections,
      ...Object.fromEntries(otherSectionNames.map((name) => [name, z.optional(z.unknown())])),
    }),
    {},
  ),
});

export type NotesSections = z.output<typeof notesConfigFile>['herald'];
export type LinkSettings = z.output<typeof links>;
export type AudienceSetting = z.output<typeof audience>;
export type TypeSetting = z.output<typeof typeSetting>;
export type PackageSetting = z.output<typeof packageSetting>;
