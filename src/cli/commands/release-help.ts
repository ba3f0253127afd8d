// Help texts live apart from the commands so `herald --help` loads neither the store nor unified.

export const prepareHelp = `Usage: herald prepare [options]

Renders everything a release will publish (notes for every audience, the docs at the release
commit) and stores it as an embargoed bundle. Nothing is sent anywhere. Safe to rerun: the same
content changes nothing; new content becomes a new revision and keeps the schedule (a release
being announced takes it too: what has not gone out goes out as revised).

Preflight: whatever would fail on announce day and is known from the bundle and the config (a
page without a help-centre section, an unmapped Zendesk section, a template that does not render,
a channel's audience the notes lack) fails here instead, with the file and the fix.

Options:
  --release-version <v>   the version (default: the target's tag, else computed from commits)
  --to <ref>              the release commit (default: HEAD)
  --announce-at <time>    schedule it too: "2026-12-01 09:00" (with --tz) or ISO 8601 with offset
  --tz <zone>             IANA zone for --announce-at (default: herald.schedule.timeZone, else local)
  --force                 store a correction revision of a release already announced
  --no-docs               publish the notes without docs (also: "docs": false in the config)
  --package <name>, --path <dir>   monorepo package
  --store <url|file>      postgres://… or a SQLite file (default: HERALD_DATABASE_URL, else .herald/state.db)
  --json                  the stored bundle's summary as JSON
  --cwd <dir>, --config <file>, -h/--help`;

const commonHelp = `  --package <name>        monorepo package (or name its release <name>@<version>)
  --store <url|file>      postgres://… or a SQLite file (default: HERALD_DATABASE_URL, else .herald/state.db)
  --json                  machine-readable output
  --cwd <dir>, --config <file>, -h/--help`;

export const releaseHelp: Record<string, string> = {
  schedule: `Usage: herald schedule <version> (--at <time> [--tz <zone>] | --now)

Sets when a prepared release is announced. Nothing goes out before that time, by the store's clock.

  --at <time>     "2026-12-01 09:00" read in --tz, or ISO 8601 with offset (2026-12-01T09:00+01:00)
  --tz <zone>     IANA zone, stored and shown (default: herald.schedule.timeZone, else local)
  --now           due at once: the next announce run publishes it
${commonHelp}`,
  hold: `Usage: herald hold <version>

Takes a scheduled release off the schedule and keeps it (no date) until scheduled again.
${commonHelp}`,
  cancel: `Usage: herald cancel <version>

Cancels a release's announcement; \`herald schedule\` can bring it back later.
${commonHelp}`,
  list: `Usage: herald list [--all] [--limit <n>]

Prepared releases, newest first: package (in a monorepo), status, announce time (stored zone
and yours), revision, deliveries. With --package, only that package's releases.

  --limit <n>     at most n releases (default 50)
  --all           every product in the store, not just this repository's
${commonHelp}`,
  show: `Usage: herald show <version> [--audience <name>]

A release's state, schedule, content and deliveries, then its notes.

  --audience <name>   notes to print (default customer)
${commonHelp}`,
  preview: `Usage: herald preview <version> [--out <dir>] [--channel helpcenter|slack|email] [--subscriber <email>]

Writes every artefact as files you can open: index.html, the help-centre release-notes article,
the notes per audience (Markdown and HTML), the docs pages with their assets, and per Slack
channel the exact payloads announce will post (slack/<channel>.json) with a page showing them as
Slack will (slack/<channel>.html), and the subscriber email exactly as sent (email/message.eml,
with .html and .txt beside it).

  --out <dir>            where (default .herald/preview/<version>)
  --channel <name>       only this channel's artefacts
  --subscriber <email>   the email this subscriber gets (their topics, language and unsubscribe
                         link); default: a subscriber of every topic
${commonHelp}`,
  log: `Usage: herald log <version>

The audit log of a release: every prepare, schedule, hold, cancel and edit, with actor and time.
${commonHelp}`,
  edit: `Usage: herald edit <version> [--file <file>] [--audience <name>]

Edits the notes of a prepared release: reword, hide, reorder entries, add an intro. Opens
$VISUAL/$EDITOR on the notes (or reads --file, '-' for stdin). Edits are kept by change and
applied again whenever prepare regenerates the notes.

  --file <file>       the edited document instead of an editor (see --print)
  --print             print the document to edit and stop
  --audience <name>   which notes (default customer)
  --force             edit a release already announced (stores a correction)
${commonHelp}`,
};

export const announceHelp: Record<string, string> = {
  announce: `Usage: herald announce [--dry-run] [--wait <seconds>]

Publishes every release whose announce time has come (by the store's clock) and nothing else:
the help centre first (Zendesk Guide, or the static help centre without credentials), then the
channels that link to it: each Slack channel of herald.slack (SLACK_BOT_TOKEN; without it the
messages go to .herald/outbox/slack). Safe to run often and several at once (CI every few
minutes): each effect happens once; a crashed run's deliveries are checked against the target
(Slack: the channel's history), not repeated. A correction (prepare --force) of an announced
release edits what was posted.

  --dry-run            print the delivery plan; change nothing, contact nothing
  --wait <seconds>     how long to wait for retries (rate limits, outages) before leaving them
                       to the next run (default 300)
${commonHelp}
Exit: 0 when everything due went out (or waits for a retry), 1 when a delivery failed.`,
  status: `Usage: herald status <version>

The delivery ledger of a release: counts per state, and every effect not sent yet with its
attempts and error (or why not).

  --all                list the sent ones too, with where each went
${commonHelp}`,
  retry: `Usage: herald retry <version> [--channel <name>]

Puts failed deliveries of a release back in the queue; the next \`herald announce\` tries them.

  --channel <name>     only this channel: helpcenter, slack (every Slack channel) or slack:<id>
${commonHelp}`,
  doctor: `Usage: herald doctor

Checks the store and every channel's credentials and settings with read-only calls, and says
which targets are active (real or embedded default). Nothing is published.
${commonHelp}`,
};
