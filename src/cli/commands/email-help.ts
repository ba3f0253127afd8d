export const subscribersHelp = `Usage: herald subscribers <command>

The people who get the release notes by email, per product, in the store.

  import <file.csv>        add or update everyone in a CSV file with a header row: email, and
                           optionally name, locale, topics (separated by ; or |, or "all").
                           Imported addresses count as confirmed (your list, your consent).
                           Every bad row is reported with its line; the good ones are imported.
                           Importing again changes nothing; unsubscribed addresses stay so.
  import --zendesk-section <id>
                           the followers of a Zendesk Guide section (ZENDESK_* credentials of
                           an agent or admin), confirmed, every topic, in the locale they follow
  add <email> [--name <n>] [--locale <l>] [--topics <a;b>]
                           one confirmed address
  remove <email>           delete the address and everything about it
  unsubscribe <email>      no more emails (kept as unsubscribed: an import never brings it back)
  unsubscribe --mail <file|->
                           a mailed unsubscribe request (List-Unsubscribe mailto:, with
                           herald.email.unsubscribeMailbox): pipe the mailbox's incoming
                           messages here; the signed token in the subject says who
  list [--status <s>]      who is subscribed (pending, confirmed, unsubscribed, bounced)
  export [--out <file>]    everyone as CSV (the import format, plus status), to stdout or a file

Web sign-ups go through \`herald serve\` (double opt-in: pending until confirmed).

  --store <url|file>      postgres://… or a SQLite file (default: HERALD_DATABASE_URL, else .herald/state.db)
  --json                  machine-readable output
  --cwd <dir>, --config <file>, -h/--help`;

export const serveHelp = `Usage: herald serve [--host <addr>] [--port <n>]

The release managers' dashboard, the subscription endpoints and the announce scheduler:
  GET  /login                  the dashboard's sign-in page (users: \`herald users\`); every other
                               dashboard page needs a signed-in user, every action a manager
  GET  /subscribe              a sign-up form; POST /subscribe (form or JSON: email, name, topics)
                               sends a confirmation email (double opt-in)
  GET  /confirm?token=…        confirms the address
  GET  /unsubscribe?token=…    asks to confirm; POST /unsubscribe?token=… unsubscribes at once
                               (RFC 8058 one-click, as mail clients send it)
  GET  /healthz

Every herald.server.schedulerIntervalSeconds (default 5; 0: off) it runs \`herald announce\`
itself, judged by the store's clock; other servers and CI's runs can overlap it safely.

Listens on 127.0.0.1:8125 (herald.server); put a reverse proxy with TLS in front of it for the
internet, list it in herald.server.trustedProxies (Secure cookies, client addresses), and set
herald.email.publicUrl (or HERALD_PUBLIC_URL) to its public address: links in emails point there.
Emails go through SMTP_URL, else to .herald/outbox/email as .eml files.
Links are signed with HERALD_EMAIL_SECRET (else a secret kept in .herald/email-secret).

  --host <addr>           address to listen on (default herald.server.host)
  --port <n>              port (default herald.server.port; 0: any free port)
  --store <url|file>      postgres://… or a SQLite file (default: HERALD_DATABASE_URL, else .herald/state.db)
  --cwd <dir>, --config <file>, -h/--help`;
