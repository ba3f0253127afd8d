import * as z from 'zod/mini';
import { about, nonEmpty, positiveInt } from './schema-notes.js';

/**
 * The delivery sections of `.releaserc.json`: docs, schedule, help centre, Slack, email and the
 * server. Part of the one schema in schema.ts, kept apart to keep that file on a screen (and out
 * of what `herald notes` loads).
 */

export const docs = z.strictObject({
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

export const schedule = z.strictObject({
  timeZone: about(
    z.optional(nonEmpty()),
    'IANA time zone (e.g. Europe/Berlin) for announce times given without an offset; default: the local zone of whoever runs `herald schedule`.',
  ),
});

const ID = { error: 'a Zendesk id: a whole number like 360001234567' };
const id = z.union([z.number().check(z.int(ID), z.positive(ID)), z.string().check(z.regex(/^\d+$/, ID))], ID);

export const helpCenter = z.strictObject({
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

export const slack = z.strictObject({
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

export const email = z.strictObject({
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

export const server = z.strictObject({
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
