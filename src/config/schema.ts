import { z } from 'zod';

/**
 * The one schema for `.releaserc.json`. Herald shares the file with semantic-release: it reads the
 * top-level `tagFormat` and keeps its own settings under `herald`; other top-level keys belong to
 * semantic-release and are left alone. `herald schema` publishes this as JSON Schema.
 */

const typeSetting = z
  .object({
    title: z.string().min(1).describe('Section heading for this commit type.'),
    hidden: z
      .boolean()
      .default(false)
      .describe('Leave this type out of every audience except those showing "all" types.'),
  })
  .strict();

const keyLink = z
  .object({
    pattern: z.string().min(1).describe('Regular expression for tracker keys, e.g. "PROJ-\\\\d+".'),
    url: z
      .string()
      .min(1)
      .describe('URL with {id} for the key, e.g. "https://acme.atlassian.net/browse/{id}".'),
  })
  .strict();

const links = z
  .object({
    repository: z
      .string()
      .describe(
        'Web URL of the repository (GitHub or GitLab). Defaults to the `origin` remote when it is one.',
      )
      .optional(),
    issue: z.string().describe('URL template for issue numbers, with {id}.').optional(),
    pullRequest: z.string().describe('URL template for pull/merge request numbers, with {id}.').optional(),
    commit: z.string().describe('URL template for commits, with {hash}.').optional(),
    compare: z.string().describe('URL template comparing two tags, with {from} and {to}.').optional(),
    jira: keyLink.describe('Jira-style keys such as PROJ-123.').optional(),
    keys: z.array(keyLink).describe('More tracker key patterns.').default([]),
  })
  .strict();

const audience = z
  .object({
    types: z
      .union([z.literal('all'), z.array(z.string().min(1))])
      .describe('Commit types shown to this audience, or "all" (hidden types included).'),
    hideLabels: z
      .array(z.string())
      .describe(
        'Changes carrying any of these labels (or an `Audience:` trailer naming another audience) are left out.',
      )
      .optional(),
    template: z.string().describe('Template file name in the templates directory.').optional(),
  })
  .strict();

export const defaultTypes: Record<string, { title: string; hidden: boolean }> = {
  feat: { title: 'Features', hidden: false },
  fix: { title: 'Bug fixes', hidden: false },
  perf: { title: 'Performance', hidden: false },
  revert: { title: 'Reverts', hidden: false },
  docs: { title: 'Documentation', hidden: false },
  refactor: { title: 'Refactoring', hidden: false },
  build: { title: 'Build system', hidden: false },
  ci: { title: 'Continuous integration', hidden: true },
  test: { title: 'Tests', hidden: true },
  style: { title: 'Style', hidden: true },
  chore: { title: 'Chores', hidden: true },
  other: { title: 'Other changes', hidden: false },
};

export const defaultAudiences = {
  customer: { types: ['feat', 'fix', 'perf', 'revert'], template: 'customer.hbs' },
  internal: { types: 'all' as const, hideLabels: [] as string[], template: 'internal.hbs' },
};

const packageSetting = z
  .object({
    name: z.string().min(1).describe('Package name, used for ${name} in tagFormat.'),
    path: z.string().min(1).describe('Directory of the package; only commits touching it count.'),
    tagFormat: z.string().describe('Tag format for this package, e.g. "${name}@${version}".').optional(),
  })
  .strict();

const notes = z
  .object({
    types: z
      .record(z.string().min(1), typeSetting)
      .describe(
        'Commit types: section titles and visibility. Merged over the built-in types; order follows the built-ins, then yours.',
      )
      .default({}),
    components: z
      .record(z.string().min(1), z.string().min(1))
      .describe('Scope → component name. When set, sections are grouped by component.')
      .default({}),
    nonConventional: z
      .enum(['other', 'drop'])
      .describe('Commits that are not conventional: list under "Other changes", or drop them.')
      .default('other'),
    hideLabels: z
      .array(z.string())
      .describe('Labels (from the issue tracker) that hide a change from customer-facing audiences.')
      .default(['internal']),
    skipMarkers: z
      .array(z.string().min(1))
      .describe('Text in a commit message that drops the commit from all notes.')
      .default(['[skip changelog]', '[skip-changelog]', '[no changelog]']),
    previousRelease: z
      .enum(['stable', 'any'])
      .describe(
        'What a stable release is compared against: the previous stable release, or the previous tag of any kind.',
      )
      .default('stable'),
    links: links.prefault({}),
    audiences: z
      .record(z.string().min(1), audience)
      .describe('Audiences and what each sees. Merged over the built-in "customer" and "internal".')
      .default({}),
    templates: z
      .string()
      .describe('Directory (relative to the repository) with templates overriding the built-in ones.')
      .default('templates'),
  })
  .strict();

const issues = z
  .object({
    provider: z
      .enum(['git', 'github', 'gitlab'])
      .describe('Where titles and labels of referenced issues/PRs come from. "git" is offline.')
      .default('git'),
    repository: z
      .string()
      .describe('owner/name (GitHub) or group/project (GitLab). Defaults to the origin remote.')
      .optional(),
    apiUrl: z.string().describe('API base URL (GitHub Enterprise, self-managed GitLab).').optional(),
    concurrency: z.number().int().min(1).max(32).describe('Requests in flight at once.').default(8),
  })
  .strict();

const docs = z
  .object({
    dir: z.string().min(1).describe('Directory of the product docs in the repository.').default('docs'),
  })
  .strict();

export const heraldSettings = z
  .object({
    $schema: z.string().optional(),
    product: z.string().min(1).describe('Product name shown in notes and announcements.').optional(),
    packages: z
      .array(packageSetting)
      .describe('Monorepo packages, each with its own tags and notes (select with --package).')
      .default([]),
    notes: notes.prefault({}),
    issues: issues.prefault({}),
    docs: docs.prefault({}),
  })
  .strict();

export const releaseConfigFile = z
  .object({
    $schema: z.string().optional(),
    tagFormat: z
      .string()
      .describe('semantic-release tag format, shared with Herald. Must contain ${version}.')
      .default('v${version}'),
    herald: heraldSettings.prefault({}),
  })
  // semantic-release owns the other top-level keys (branches, plugins, …).
  .passthrough();

export type ReleaseConfigInput = z.input<typeof releaseConfigFile>;
export type HeraldSettings = z.output<typeof heraldSettings>;
export type NotesSettings = HeraldSettings['notes'];
export type LinkSettings = NotesSettings['links'];
export type AudienceSetting = z.output<typeof audience>;
