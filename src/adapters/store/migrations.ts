import { deliveryCountsMigration } from './delivery-counts.js';

/**
 * The store's schema, one list of migrations per dialect (the SQL differs in small ways: integer
 * ids, bytea/blob). Applied in order inside one transaction that holds the store's write lock,
 * so two processes starting at once never both migrate. Never edit a shipped migration: add one.
 */
export interface Migration {
  name: string;
  sql: string[];
}

const statuses = `'draft', 'scheduled', 'held', 'cancelled', 'announcing', 'announced'`;
const states = `'pending', 'attempting', 'sent', 'unknown', 'failed', 'skipped'`;

function initial(dialect: 'sqlite' | 'postgres'): string[] {
  const id = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
  const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const bytes = dialect === 'sqlite' ? 'BLOB' : 'BYTEA';
  return [
    // One row per release (product, monorepo package or '', version). Times are epoch ms from
    // the store's clock. `revision` is the fencing token every change bumps.
    `CREATE TABLE bundles (
      id ${id},
      product TEXT NOT NULL,
      package TEXT NOT NULL,
      version TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN (${statuses})),
      revision ${int} NOT NULL,
      content_revision ${int} NOT NULL,
      content_hash TEXT NOT NULL,
      announce_at ${int},
      time_zone TEXT,
      overlay TEXT NOT NULL,
      created_at ${int} NOT NULL,
      updated_at ${int} NOT NULL,
      announced_at ${int},
      UNIQUE (product, package, version)
    )`,
    'CREATE INDEX bundles_due ON bundles (status, announce_at)',
    'CREATE INDEX bundles_recent ON bundles (product, created_at)',
    // Immutable content revisions: the whole rendered bundle as JSON.
    `CREATE TABLE bundle_revisions (
      bundle_id ${int} NOT NULL REFERENCES bundles (id),
      number ${int} NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('prepare', 'edit', 'correction')),
      content_hash TEXT NOT NULL,
      schema_version ${int} NOT NULL,
      body TEXT NOT NULL,
      created_at ${int} NOT NULL,
      created_by TEXT NOT NULL,
      PRIMARY KEY (bundle_id, number)
    )`,
    // Doc assets by content hash (git blob id), shared by every bundle that uses them.
    `CREATE TABLE blobs (
      hash TEXT PRIMARY KEY,
      content_type TEXT NOT NULL,
      size ${int} NOT NULL,
      bytes ${bytes} NOT NULL
    )`,
    // The delivery ledger: one row per intended effect, keyed for ever by (bundle, target, key).
    `CREATE TABLE deliveries (
      id ${id},
      bundle_id ${int} NOT NULL REFERENCES bundles (id),
      target TEXT NOT NULL,
      target_key TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN (${states})),
      bundle_revision ${int} NOT NULL,
      attempts ${int} NOT NULL DEFAULT 0,
      next_attempt_at ${int} NOT NULL,
      lease_owner TEXT,
      lease_until ${int},
      attempt_id TEXT,
      attempt_started_at ${int},
      external_id TEXT,
      external_url TEXT,
      last_error TEXT,
      created_at ${int} NOT NULL,
      updated_at ${int} NOT NULL,
      UNIQUE (bundle_id, target, target_key)
    )`,
    'CREATE INDEX deliveries_claim ON deliveries (state, next_attempt_at)',
    'CREATE INDEX deliveries_summary ON deliveries (bundle_id, target, state)',
    // Append-only: who changed what, when (store clock).
    `CREATE TABLE audit_log (
      id ${id},
      bundle_id ${int} REFERENCES bundles (id),
      at ${int} NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      details TEXT NOT NULL
    )`,
    'CREATE INDEX audit_log_bundle ON audit_log (bundle_id, id)',
  ];
}

function announceEngine(dialect: 'sqlite' | 'postgres'): string[] {
  const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return [
    // The bundle revision the delivery plan was made for: a bundle needs (re)planning when it
    // differs from `revision` (first announce, a correction, a reschedule after a cancel).
    `ALTER TABLE bundles ADD COLUMN planned_revision ${int}`,
    "UPDATE bundles SET planned_revision = revision WHERE status = 'announced'",
    // Deliveries run in phases per bundle: help-centre sections, then articles, then their
    // content, then the channels that link to the articles.
    `ALTER TABLE deliveries ADD COLUMN phase ${int} NOT NULL DEFAULT 0`,
    'CREATE INDEX deliveries_bundle_phase ON deliveries (bundle_id, phase, state)',
    // What Herald has published on each target site, across bundles: article ids and URLs per
    // doc page, content hashes per translation, attachment URLs, section ids. Keyed per site so a
    // switch from the static site to Zendesk starts from nothing.
    `CREATE TABLE target_objects (
      site TEXT NOT NULL,
      key TEXT NOT NULL,
      external_id TEXT NOT NULL,
      url TEXT,
      content_hash TEXT,
      updated_at ${int} NOT NULL,
      PRIMARY KEY (site, key)
    )`,
  ];
}

function subscribers(dialect: 'sqlite' | 'postgres'): string[] {
  // Links name a subscriber by id, so an id is never given again after a removal: AUTOINCREMENT
  // on SQLite (a plain INTEGER PRIMARY KEY reuses the highest one once it is deleted).
  const id =
    dialect === 'sqlite'
      ? 'INTEGER PRIMARY KEY AUTOINCREMENT'
      : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
  const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return [
    // Email subscribers per product. Addresses are stored as the caller normalised them; topics
    // are a JSON array of component names or the text `all`. Times are epoch ms (store clock).
    `CREATE TABLE subscribers (
      id ${id},
      product TEXT NOT NULL,
      email TEXT NOT NULL,
      name TEXT,
      locale TEXT,
      topics TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed', 'bounced')),
      source TEXT NOT NULL,
      created_at ${int} NOT NULL,
      updated_at ${int} NOT NULL,
      confirmed_at ${int},
      unsubscribed_at ${int},
      UNIQUE (product, email)
    )`,
    // Mailing and listing page through one product's subscribers of some statuses by id.
    'CREATE INDEX subscribers_page ON subscribers (product, status, id)',
  ];
}

function signups(dialect: 'sqlite' | 'postgres'): string[] {
  const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return [
    // Double opt-in, per sign-up: a random nonce bound into the confirmation link (a new one
    // each time an unsubscribed or bounced address is signed up again, none after leaving), and
    // the name/locale/topics that sign-up asked for, applied when it is confirmed.
    'ALTER TABLE subscribers ADD COLUMN signup_nonce TEXT',
    'ALTER TABLE subscribers ADD COLUMN signup_request TEXT',
    // The confirmation email queue: due when not null (a sender's claim moves it to its lease's
    // end), with attempts for backoff and when the last one went out.
    `ALTER TABLE subscribers ADD COLUMN confirm_due_at ${int}`,
    `ALTER TABLE subscribers ADD COLUMN confirm_attempts ${int} NOT NULL DEFAULT 0`,
    `ALTER TABLE subscribers ADD COLUMN confirm_sent_at ${int}`,
    'CREATE INDEX subscribers_confirm_due ON subscribers (product, confirm_due_at) WHERE confirm_due_at IS NOT NULL',
    // Sign-ups per mailbox (the address with +tags folded) and store-clock day: the daily cap
    // every `herald serve` process shares. Rows of past days are pruned as new ones come.
    `CREATE TABLE signup_quota (
      product TEXT NOT NULL,
      mailbox TEXT NOT NULL,
      day ${int} NOT NULL,
      count ${int} NOT NULL,
      last_at ${int} NOT NULL,
      PRIMARY KEY (product, mailbox)
    )`,
    'CREATE INDEX signup_quota_day ON signup_quota (product, day)',
  ];
}

function dashboardUsers(dialect: 'sqlite' | 'postgres'): string[] {
  const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return [
    // People who may sign in to `herald serve`'s dashboard. The password hash carries its KDF
    // and parameters (`scrypt$N$r$p$salt$hash`), so they can be raised without a migration.
    // `known_clients`: a JSON array of the last client addresses that signed in (see sessions).
    `CREATE TABLE users (
      name TEXT PRIMARY KEY,
      role TEXT NOT NULL CHECK (role IN ('viewer', 'manager')),
      password_hash TEXT NOT NULL,
      known_clients TEXT NOT NULL DEFAULT '[]',
      created_at ${int} NOT NULL,
      updated_at ${int} NOT NULL
    )`,
    // Dashboard sessions, keyed by the SHA-256 of the random id in the cookie (a copy of the
    // table signs nobody in). `user_name` is null before sign-in (the login form's CSRF secret).
    `CREATE TABLE sessions (
      id_hash TEXT PRIMARY KEY,
      user_name TEXT REFERENCES users (name) ON DELETE CASCADE,
      data TEXT NOT NULL,
      created_at ${int} NOT NULL,
      last_seen_at ${int} NOT NULL,
      expires_at ${int} NOT NULL
    )`,
    'CREATE INDEX sessions_expiry ON sessions (expires_at)',
    'CREATE INDEX sessions_user ON sessions (user_name)',
    // Failed sign-ins per account name in the current window, shared by every process.
    `CREATE TABLE login_attempts (
      name TEXT PRIMARY KEY,
      failures ${int} NOT NULL,
      window_start ${int} NOT NULL
    )`,
    // Random keys the server processes share (the session cookie's signing key).
    `CREATE TABLE server_secrets (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      created_at ${int} NOT NULL
    )`,
  ];
}

export function migrationsFor(dialect: 'sqlite' | 'postgres'): Migration[] {
  return [
    { name: '0001-bundles-ledger-audit', sql: initial(dialect) },
    { name: '0002-announce-engine', sql: announceEngine(dialect) },
    { name: '0003-subscribers', sql: subscribers(dialect) },
    {
      name: '0004-open-deliveries',
      sql: [
        // The phase gate asks "does this bundle still have an unfinished row below this phase?" for
        // every row it could claim: over the open rows only, that is one index probe, not a scan of
        // everything a big bundle (100,000 emails) ever delivered.
        "CREATE INDEX deliveries_open ON deliveries (bundle_id, phase, target) WHERE state NOT IN ('sent', 'skipped')",
        // Claims walk one target's claimable rows in claim order and stop at the batch size,
        // instead of sorting every pending row of the target (100,000 emails) for each claim.
        "CREATE INDEX deliveries_ready ON deliveries (target, bundle_id, phase, id) WHERE state IN ('pending', 'unknown')",
      ],
    },
    {
      name: '0005-lean-delivery-indexes',
      sql: [
        // Every state change of a row rewrites its entry in each index on `state`: an email run
        // changes each row twice. The open-row index above answers what these two did (a bundle's
        // unfinished rows); this one the per-target questions (interrupted attempts, the next due
        // row, failures), over open rows only.
        'DROP INDEX deliveries_bundle_phase',
        'DROP INDEX deliveries_claim',
        "CREATE INDEX deliveries_open_target ON deliveries (target, state, next_attempt_at) WHERE state NOT IN ('sent', 'skipped')",
      ],
    },
    {
      name: '0006-delivery-receipt',
      // A sent row keeps what the target said when it took the effect (an SMTP 250 reply, with
      // the relay's queue id): the proof to look a message up by in the relay's logs.
      sql: ['ALTER TABLE deliveries ADD COLUMN receipt TEXT'],
    },
    {
      name: '0007-release-notes-lane',
      // The release notes became a lane of their own, below the docs (see the model's phases):
      // rows planned before keep their keys and move to the notes lane's phases, so a release
      // whose docs failed can still publish its notes and let Slack and email follow.
      sql: [
        "UPDATE deliveries SET phase = 2 WHERE target = 'helpcenter' AND target_key = 'section:release-notes'",
        "UPDATE deliveries SET phase = 5 WHERE target = 'helpcenter' AND (target_key = 'article:notes' OR target_key LIKE 'content:notes:%')",
      ],
    },
    { name: '0008-signups', sql: signups(dialect) },
    { name: '0009-dashboard-users', sql: dashboardUsers(dialect) },
    { name: '0010-delivery-counts', sql: deliveryCountsMigration(dialect) },
  ];
}
