import * as z from 'zod/mini';

/**
 * `herald.trackers`: closing the loop (comments on issues and pull/merge requests, the code host's
 * release page). Part of the one schema in schema.ts, kept apart to keep that file on a screen.
 */

function about<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

const nonEmpty = () => z.string().check(z.minLength(1));

const envName = (fallback: string) =>
  z._default(
    z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'an environment variable name' })),
    fallback,
  );

const releasePage = z.strictObject({
  enabled: about(
    z._default(z.boolean(), false),
    'Create the release page of the tag at announce time (never at tag time: it would leak an embargoed release).',
  ),
  audience: about(z._default(nonEmpty(), 'customer'), 'Whose notes the release page shows.'),
  updateExisting: about(
    z._default(z.boolean(), false),
    "A release page that exists already (semantic-release, by hand) gets Herald's notes only when true; else it is left alone.",
  ),
  latest: about(z._default(z.boolean(), false), 'GitHub: mark the release as the latest.'),
});

const codeHostTracker = (tokenVariable: string, repositoryWord: string) =>
  z.strictObject({
    repository: about(
      z.optional(nonEmpty()),
      `${repositoryWord} to comment in; default herald.issues.repository. Bare "#12" references are its own unless the other code host is herald.issues.provider.`,
    ),
    apiUrl: about(z.optional(nonEmpty()), 'API base URL (GitHub Enterprise, self-managed GitLab).'),
    tokenVariable: about(
      envName(tokenVariable),
      'Environment variable holding the token (never the token itself). Without it, comments go to the outbox.',
    ),
    release: z.prefault(releasePage, {}),
    writeIntervalMs: about(
      z._default(z.number().check(z.int(), z.minimum(0), z.maximum(60_000)), 3000),
      'Least time between two comments or releases. GitHub asks for pauses between content-creating requests (secondary limits); GitLab and Jira allow far more.',
    ),
  });

export const trackers = z.strictObject({
  audiences: about(
    z._default(z.array(nonEmpty()), ['customer']),
    'Notes audiences whose referenced issues and pull/merge requests get a comment; add "internal" to include the internal notes\' references.',
  ),
  comment: about(
    z._default(nonEmpty(), 'Released in {{product}} {{version}} — {{url}}'),
    'Handlebars template of the comment: {{product}}, {{version}}, {{url}} (the release-notes article, or the release page).',
  ),
  labels: about(
    z._default(z.array(nonEmpty()), []),
    'Labels to add to each item, as Handlebars templates: "released", "released:{{version}}".',
  ),
  skipLabels: about(
    z._default(z.array(nonEmpty()), []),
    'Items with any of these labels get no comment, label or transition.',
  ),
  outbox: about(
    z._default(nonEmpty(), '.herald/outbox/trackers'),
    'Where comments go for a tracker whose token is not set: one JSON line per comment.',
  ),
  github: about(
    z.optional(codeHostTracker('GITHUB_TOKEN', 'owner/name')),
    'Comment on GitHub issues and pull requests.',
  ),
  gitlab: about(
    z.optional(codeHostTracker('GITLAB_TOKEN', 'group/project')),
    'Comment on GitLab issues and merge requests.',
  ),
  jira: about(
    z.optional(
      z.strictObject({
        url: about(nonEmpty(), 'Jira site, e.g. "https://acme.atlassian.net".'),
        emailVariable: about(envName('JIRA_EMAIL'), 'Environment variable with the Jira account email.'),
        tokenVariable: about(envName('JIRA_API_TOKEN'), 'Environment variable with the Jira API token.'),
        projects: about(
          z._default(z.array(z.string().check(z.regex(/^[A-Z][A-Z0-9_]*$/))), []),
          'Project keys to comment in (empty: every key the notes link to).',
        ),
        transition: about(
          z.optional(nonEmpty()),
          'Workflow transition (by name, e.g. "Released") each issue goes through; its id is looked up per issue.',
        ),
      }),
    ),
    'Comment on Jira issues (REST v3, comments in Atlassian Document Format).',
  ),
});
