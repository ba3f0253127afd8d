import * as z from 'zod/mini';
import { report } from './schema-report.js';
import { trackers } from './schema-trackers.js';

/**
 * The one schema for `.releaserc.json`. Herald shares the file with semantic-release: it reads the
 * top-level `tagFormat` and keeps its own settings under `herald`; other top-level keys belong to
 * semantic-release and are left alone. `herald schema` publishes this as JSON Schema.
 *
 * zod/mini rather than classic zod: the same validation in 18 KB instead of 580 KB, which is
 * most of the CLI's start-up time.
 */

/** Attaches the description editors show (and the JSON Schema carries). */
function about<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

const nonEmpty = () => z.string().check(z.minLength(1));
const positiveInt = () => z.number().check(z.int(), z.minimum(1));

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

const notes = z.strictObject({
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

const issues = z.strictObject({
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

const docs = z.strictObject({
  dir: about(z._default(nonEmpty(), 'docs'), 'Directory of the product docs in the repository.'),
  locale: about(
    z._default(nonEmpty(), 'en-us'),
    'Locale of pages that do not name one (translations are `<name>.<locale>.md` or set `locale:`).',
  ),
  flavor: about(
    z.optional(z.enum(['github', 'vitepress', 'docusaurus', 'mkdocs'])),
    'Site generator whose conventions the docs follow: heading ids, static folders, root URLs, quiet Herald-only rules.',
  ),
  exclude: about(
    z._default(z.array(nonEmpty()), []),
    'Globs (relative to docs.dir) of files that are not docs pages or assets, e.g. "**/_partials/**".',
  ),
  assetDirs: about(
    z.optional(z.array(nonEmpty())),
    'Folders (relative to docs.dir, "../" allowed) whose files the site serves at its root, for `/logo.png`. Default per flavor: vitepress "public", docusaurus "../static" and "static".',
  ),
  rules: about(
    z._default(z.record(nonEmpty(), z.enum(['error', 'warning', 'off'])), {}),
    'Severity per check, by the rule id `herald docs check` prints, e.g. { "broken-anchor": "warning" }.',
  ),
  rootSection: about(
    z.optional(z.strictObject({ id: z.optional(nonEmpty()), title: z.optional(nonEmpty()) })),
    'Section of pages at the docs root when there is no sections.yml (default: the product name).',
  ),
});

const schedule = z.strictObject({
  timeZone: about(
    z.optional(nonEmpty()),
    'IANA time zone (e.g. Europe/Berlin) for announce times given without an offset; default: the local zone of whoever runs `herald schedule`.',
  ),
});

const ID = { error: 'a Zendesk id: a whole number like 360001234567' };
const id = z.union([z.number().check(z.int(ID), z.positive(ID)), z.string().check(z.regex(/^\d+$/, ID))], ID);

const helpCenter = z.strictObject({
  provider: about(
    z._default(z.enum(['auto', 'zendesk', 'static']), 'auto'),
    'Where announce publishes: Zendesk Guide, or the built-in static help centre. "auto": Zendesk when ZENDESK_URL or ZENDESK_SUBDOMAIN and credentials are set, else static.',
  ),
  audience: about(
    z._default(nonEmpty(), 'customer'),
    'Which notes audience the release-notes article shows.',
  ),
  locale: about(
    z.optional(nonEmpty()),
    'Locale articles are created in (default: herald.docs.locale). Other locales of a page become translations.',
  ),
  releaseNotesSectionId: about(
    z._default(z.nullable(id), null),
    'Zendesk section for release-notes articles (required for Zendesk).',
  ),
  docsSections: about(
    z._default(z.record(nonEmpty(), id), {}),
    'Docs section id (the folder, or `section:` in frontmatter) → Zendesk section id.',
  ),
  createMissingSections: about(
    z._default(z.boolean(), false),
    'Create Zendesk sections that docsSections does not map, in categoryId.',
  ),
  categoryId: about(z._default(z.nullable(id), null), 'Zendesk category new sections are created in.'),
  permissionGroupId: about(
    z._default(z.nullable(id), null),
    'Zendesk permission group of created articles (required for Zendesk).',
  ),
  userSegmentId: about(z._default(z.nullable(id), null), 'Zendesk user segment; null: visible to everyone.'),
  notifySubscribers: about(
    z._default(z.boolean(), true),
    "Let Zendesk email the release-notes section's followers about a new release-notes article.",
  ),
  title: about(
    z._default(nonEmpty(), '{{#if package}}{{package}}{{else}}{{product}}{{/if}} {{version}} release notes'),
    'Handlebars template of the release-notes article title ({{product}}, {{version}}, {{package}}: the monorepo package, empty for the product).',
  ),
  labels: about(
    z._default(z.array(nonEmpty()), ['release-notes']),
    'Labels of every release-notes article (the version is added).',
  ),
  requestsPerMinute: about(
    z._default(z.number().check(z.int(), z.minimum(1)), 200),
    "Zendesk requests per minute Herald allows itself (your plan's limit is 200 to 700 or more).",
  ),
  concurrency: about(
    z._default(z.number().check(z.int(), z.minimum(1), z.maximum(16)), 4),
    'Zendesk requests in flight at once.',
  ),
  static: z.prefault(
    z.strictObject({
      dir: about(
        z._default(nonEmpty(), '.herald/site'),
        'Directory of the static help centre (relative to the repository).',
      ),
      baseUrl: about(
        z.optional(
          z.string().check(
            z.regex(/^(https?|file):\/\/.+\/$/, {
              error: 'a URL ending in "/", like https://help.acme.example/',
            }),
          ),
        ),
        'Public URL of the static site, ending in "/" (default: HERALD_PUBLIC_URL + "help/", else a file:// URL).',
      ),
    }),
    {},
  ),
});

const slackChannel = z.strictObject({
  id: about(
    z.string().check(
      z.regex(/^[CGD][A-Z0-9]{2,}$/, {
        error: 'a Slack channel ID like C0123ABCD (in the channel details), not its #name',
      }),
    ),
    'Slack channel ID (C…, from the channel details; not its #name).',
  ),
  name: about(z.optional(nonEmpty()), 'How the channel is shown in output, e.g. "#releases".'),
  audience: about(
    nonEmpty(),
    'Which notes the channel gets: "internal" for team channels, "customer" for community channels.',
  ),
  template: about(
    z.optional(nonEmpty()),
    'Handlebars template (a file in the repository) of the Markdown opening the announcement: {{product}}, {{version}}, {{url}}, {{intro}}, {{counts.entries}}, {{counts.breaking}}.',
  ),
});

const slack = z.strictObject({
  channels: about(
    z._default(z.array(slackChannel), []),
    'Where announce posts: each a channel id with its audience. SLACK_BOT_TOKEN posts for real; without it, messages go to the outbox.',
  ),
  corrections: about(
    z._default(z.enum(['update', 'ignore']), 'update'),
    'After a correction (prepare --force) of an announced release: edit the posted messages (chat.update), or leave them.',
  ),
  postsPerMinute: about(
    z._default(z.number().check(z.int(), z.minimum(1), z.maximum(60)), 60),
    'Messages per channel per minute Herald allows itself (Slack allows about one a second).',
  ),
  outbox: about(
    z._default(nonEmpty(), '.herald/outbox/slack'),
    'Where messages go without SLACK_BOT_TOKEN: the payloads as JSON, a .txt and an HTML view per channel.',
  ),
});

/** A bare address: the display name is a setting of its own, so it is never parsed out of here. */
const emailAddress = (expected: string) =>
  z.string().check(z.regex(/^[^\s@<>",]+@[^\s@<>",]+$/, { error: expected }));

const email = z.strictObject({
  from: about(
    z.optional(emailAddress('an address like releases@acme.example; the display name goes in `fromName`')),
    'Sender address of release-note and confirmation emails (required with SMTP_URL), e.g. "releases@acme.example".',
  ),
  fromName: about(z.optional(nonEmpty()), 'Sender name (default: "<product> release notes").'),
  replyTo: about(
    z.optional(emailAddress('an address like support@acme.example, without a display name')),
    'Where replies go.',
  ),
  publicUrl: about(
    z.optional(
      z.string().check(
        z.regex(/^https?:\/\/[^\s]+\/$/, {
          error: 'an http(s) URL ending in "/", like https://releases.acme.example/',
        }),
      ),
    ),
    'Public URL of `herald serve`, ending in "/": links in emails (confirm, unsubscribe) point here. Default: HERALD_PUBLIC_URL, else the local address.',
  ),
  maxConnections: about(
    z._default(z.number().check(z.int(), z.minimum(1), z.maximum(50)), 5),
    'SMTP connections in the pool (messages in flight at once).',
  ),
  messagesPerSecond: about(
    z._default(z.nullable(z.number().check(z.minimum(0.1))), null),
    'Messages per second Herald allows itself over SMTP (null: as fast as the server takes them).',
  ),
  unsubscribeMailbox: about(
    z.optional(emailAddress('an address like unsubscribe@acme.example')),
    'An address whose incoming mail you pipe to `herald subscribers unsubscribe --mail -`: List-Unsubscribe then also offers mailto: (for mail clients without one-click), e.g. "unsubscribe@acme.example".',
  ),
  dkim: about(
    z.optional(
      z.strictObject({
        domainName: about(
          z
            .string()
            .check(
              z.regex(
                /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/,
              ),
            ),
          'The signing domain (d=), usually the domain of `from`, e.g. "acme.example".',
        ),
        keySelector: about(
          z.string().check(z.regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/)),
          'The selector (s=): the public key is the DNS TXT record <keySelector>._domainkey.<domainName>.',
        ),
      }),
    ),
    'Sign release emails with DKIM (RSA-SHA256), covering List-Unsubscribe and List-Unsubscribe-Post as RFC 8058 one-click unsubscribe requires. The private key (PEM) comes from HERALD_DKIM_PRIVATE_KEY or the file named by HERALD_DKIM_PRIVATE_KEY_FILE, never from this file. Without it, the relay must sign both headers.',
  ),
  audience: about(z._default(nonEmpty(), 'customer'), 'Which notes subscribers get by email.'),
  unknown: about(
    z._default(z.enum(['resend', 'skip']), 'resend'),
    'A message interrupted between sending and recording (a crash) may or may not have gone out: send it again with the same Message-ID, or record it as not sent.',
  ),
  outbox: about(
    z._default(nonEmpty(), '.herald/outbox/email'),
    'Where emails go without SMTP_URL: one .eml file per message.',
  ),
});

const server = z.strictObject({
  host: about(
    z._default(nonEmpty(), '127.0.0.1'),
    'Address `herald serve` listens on (loopback by default: put a proxy in front for the internet).',
  ),
  port: about(
    z._default(z.number().check(z.int(), z.minimum(0), z.maximum(65535)), 8125),
    'Port of `herald serve`.',
  ),
  trustedProxies: about(
    z._default(z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()])), []),
    'Addresses (or CIDR ranges) of the proxies in front of `herald serve`: only from them are X-Forwarded-For (to tell clients apart for the limits), X-Forwarded-Proto (https: Secure cookies) and `trustedIdentityHeader` believed.',
  ),
  trustedIdentityHeader: about(
    z.optional(z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/))),
    'A header an authenticating proxy (SSO) sets to the signed-in user\'s name, e.g. "X-Forwarded-User": believed only on requests from `trustedProxies`, and only when it names a user of `herald users`.',
  ),
  schedulerIntervalSeconds: about(
    z._default(z.number().check(z.minimum(0), z.maximum(3600)), 5),
    "How often `herald serve` runs the announce step itself (by the store's clock); 0 turns its scheduler off.",
  ),
  login: about(
    z.prefault(
      z.strictObject({
        perClientPerHour: about(
          z._default(positiveInt(), 30),
          'Sign-in attempts one client address (an IPv6 /64) may make per hour, counted in each process.',
        ),
        failuresPerAccount: about(
          z._default(positiveInt(), 10),
          'Failed sign-ins one user name may have within `accountWindowMinutes` (counted in the store) before further attempts wait, except from addresses that user signed in from before.',
        ),
        accountWindowMinutes: about(z._default(positiveInt(), 15), 'The window of `failuresPerAccount`.'),
      }),
      {},
    ),
    'Limits on POST /login of the dashboard; beyond them the answer is 429 with Retry-After.',
  ),
  signups: about(
    z.prefault(
      z.strictObject({
        perAddressPerDay: about(
          z._default(positiveInt(), 3),
          'Sign-ups one mailbox (plus-tags folded, Gmail dots too) may make per day, counted in the store: at most this many confirmation emails a day, whatever the input.',
        ),
        perClientPerHour: about(
          z._default(positiveInt(), 10),
          'Sign-ups one client address (an IPv6 /64) may make per hour, counted in each process.',
        ),
        perHour: about(
          z._default(positiveInt(), 200),
          'Sign-ups the whole server takes per hour, counted in each process.',
        ),
      }),
      {},
    ),
    'Limits on POST /subscribe; beyond them the answer is 429 with Retry-After.',
  ),
});

export const heraldSettings = z.strictObject({
  $schema: z.optional(z.string()),
  product: about(z.optional(nonEmpty()), 'Product name shown in notes and announcements.'),
  packages: about(
    z._default(z.array(packageSetting), []),
    'Monorepo packages, each with its own tags and notes (select with --package).',
  ),
  notes: z.prefault(notes, {}),
  issues: z.prefault(issues, {}),
  docs: about(
    z.prefault(z.union([z.literal(false), docs]), {}),
    'The product docs compiled and published with each release; false publishes the notes only.',
  ),
  schedule: z.prefault(schedule, {}),
  helpCenter: z.prefault(helpCenter, {}),
  slack: z.prefault(slack, {}),
  email: z.prefault(email, {}),
  trackers: about(
    z.prefault(trackers, {}),
    'Closing the loop: at announce time, after the help centre, comment on the issues and pull/merge requests the notes reference, and make the release page.',
  ),
  report: about(
    z.prefault(report, {}),
    'A report for release managers after each announce run: what went out and what failed, per release.',
  ),
  server: z.prefault(server, {}),
});

// semantic-release owns the other top-level keys (branches, plugins, …): a loose object.
export const releaseConfigFile = z.looseObject({
  $schema: z.optional(z.string()),
  tagFormat: about(
    z._default(z.string(), 'v${version}'),
    'semantic-release tag format, shared with Herald. Must contain ${version}.',
  ),
  herald: z.prefault(heraldSettings, {}),
});

export type ReleaseConfigInput = z.input<typeof releaseConfigFile>;
export type HeraldSettings = z.output<typeof heraldSettings>;
/** The docs settings, with `docs: false` read as the defaults and `publish: false`. */
export type DocsSettings = z.output<typeof docs> & { publish: boolean };
export const docsSettingsFrom = (value: HeraldSettings['docs']): DocsSettings =>
  value === false ? { ...docs.parse({}), publish: false } : { ...value, publish: true };
export type NotesSettings = HeraldSettings['notes'];
export type LinkSettings = NotesSettings['links'];
export type AudienceSetting = z.output<typeof audience>;
export type TypeSetting = z.output<typeof typeSetting>;
