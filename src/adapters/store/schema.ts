import type { Generated, Kysely, RawBuilder, Selectable, Transaction } from 'kysely';
import { sql } from 'kysely';
import type {
  BundleRecord,
  BundleRevision,
  BundleStatus,
  DeliveryState,
  ReleaseBundle,
  RevisionKind,
  Subscriber,
  SubscriberStatus,
} from '../../model/index.js';

// The store's schema as Kysely sees it, the one transaction type, what differs between the
// dialects, and how a row reads as a model value: what every kysely-* module shares, so they
// import this and never each other's factories.

/** The `subscribers` table (migration 0003; sign-up columns 0008). */
export interface SubscribersTable {
  id: Generated<number>;
  product: string;
  email: string;
  name: string | null;
  locale: string | null;
  /** A JSON array of topics, or the text `all`. */
  topics: string;
  status: SubscriberStatus;
  source: string;
  created_at: number;
  updated_at: number;
  confirmed_at: number | null;
  unsubscribed_at: number | null;
  signup_nonce: string | null;
  /** JSON `{name, locale, topics}` a sign-up asked for, applied when it is confirmed. */
  signup_request: string | null;
  confirm_due_at: number | null;
  confirm_attempts: Generated<number>;
  confirm_sent_at: number | null;
}

/** The `signup_quota` table (migration 0008): sign-ups per folded mailbox and store-clock day. */
export interface SignupQuotaTable {
  product: string;
  mailbox: string;
  day: number;
  count: number;
  last_at: number;
}

/** Row types as the database returns them (ints as numbers: the pg adapter parses int8). */
export interface Database {
  bundles: {
    id: number;
    product: string;
    package: string;
    version: string;
    status: BundleStatus;
    revision: number;
    content_revision: number;
    content_hash: string;
    announce_at: number | null;
    time_zone: string | null;
    overlay: string;
    created_at: number;
    updated_at: number;
    announced_at: number | null;
    planned_revision: number | null;
  };
  bundle_revisions: {
    bundle_id: number;
    number: number;
    kind: RevisionKind;
    content_hash: string;
    schema_version: number;
    body: string;
    created_at: number;
    created_by: string;
  };
  blobs: { hash: string; content_type: string; size: number; bytes: Uint8Array };
  deliveries: {
    id: number;
    bundle_id: number;
    target: string;
    target_key: string;
    state: DeliveryState;
    bundle_revision: number;
    attempts: number;
    next_attempt_at: number;
    lease_owner: string | null;
    lease_until: number | null;
    attempt_id: string | null;
    attempt_started_at: number | null;
    external_id: string | null;
    external_url: string | null;
    /** What the target answered for a sent delivery (an SMTP server's 250 reply), if anything. */
    receipt: string | null;
    last_error: string | null;
    created_at: number;
    updated_at: number;
    phase: number;
  };
  /** Kept ledger row counts (migration 0010; see delivery-counts.ts): summed over `shard`. */
  delivery_counts: { bundle_id: number; target: string; state: DeliveryState; shard: number; n: number };
  target_objects: {
    site: string;
    key: string;
    external_id: string;
    url: string | null;
    content_hash: string | null;
    updated_at: number;
  };
  audit_log: {
    id: number;
    bundle_id: number | null;
    at: number;
    actor: string;
    action: string;
    details: string;
  };
  subscribers: SubscribersTable;
  signup_quota: SignupQuotaTable;
  users: {
    name: string;
    role: 'viewer' | 'manager';
    password_hash: string;
    known_clients: Generated<string>;
    created_at: number;
    updated_at: number;
  };
  sessions: {
    id_hash: string;
    user_name: string | null;
    data: string;
    created_at: number;
    last_seen_at: number;
    expires_at: number;
  };
  login_attempts: { name: string; failures: number; window_start: number };
  server_secrets: { name: string; value: string; created_at: number };
  herald_migrations: { name: string; applied_at: number };
}

/** A transaction, or the database itself for a single statement: every query helper takes one. */
export type StoreTx = Transaction<Database> | Kysely<Database>;

/** What differs between the dialects: the clock expression and how a writer takes the lock. */
export interface DialectOps {
  dialect: 'sqlite' | 'postgres';
  /** The store's clock in epoch ms, as SQL. */
  now: RawBuilder<number>;
  /**
   * Runs `work` in one write transaction that excludes other writers of the same lock key
   * (SQLite: BEGIN IMMEDIATE excludes every writer; Postgres: an advisory transaction lock).
   */
  writeTransaction<T>(db: Kysely<Database>, lockKey: string, work: (trx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * A transaction for ledger claims: on Postgres a plain one (rows are taken with FOR UPDATE SKIP
   * LOCKED, so announcers never wait for each other); on SQLite BEGIN IMMEDIATE.
   */
  transaction<T>(db: Kysely<Database>, work: (trx: StoreTx) => Promise<T>): Promise<T>;
}

/** The store's clock in epoch ms (Postgres `now()`, SQLite's clock on the one machine). */
export async function readStoreClock(trx: StoreTx, ops: DialectOps): Promise<number> {
  return Number((await sql<{ now: number }>`SELECT ${ops.now} AS now`.execute(trx)).rows[0]!.now);
}

/** Statements over many rows, `size` at a time (a bounded number of parameters per statement). */
export async function inChunks<T>(
  items: T[],
  size: number,
  work: (chunk: T[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await work(items.slice(i, i + size));
}

/** The write-lock key of one bundle: release manager's commands and plans serialise on it. */
export const bundleLockKey = (key: { product: string; package: string; version: string }) =>
  `bundle:${JSON.stringify([key.product, key.package, key.version])}`;

/** The write-lock key of one product's subscriber list. */
export const subscriberLockKey = (product: string) => `subscribers:${JSON.stringify(product)}`;

export function bundleRecordOf(row: Database['bundles']): BundleRecord {
  return {
    id: row.id,
    key: { product: row.product, package: row.package, version: row.version },
    status: row.status,
    revision: row.revision,
    contentRevision: row.content_revision,
    contentHash: row.content_hash,
    announceAt: row.announce_at,
    timeZone: row.time_zone,
    overlay: JSON.parse(row.overlay) as BundleRecord['overlay'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function revisionOf(row: Database['bundle_revisions']): BundleRevision {
  return {
    number: row.number,
    kind: row.kind,
    contentHash: row.content_hash,
    bundle: JSON.parse(row.body) as ReleaseBundle,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export type SubscriberRow = Selectable<SubscribersTable>;

/** Topics as stored: `all`, or a JSON array without duplicates in a stable order (order means nothing). */
export function topicsText(topics: string[] | 'all'): string {
  return topics === 'all' ? 'all' : JSON.stringify([...new Set(topics)].sort());
}

/** Topics as read, whatever the column holds: anything unreadable is no topic rather than every one. */
export function topicsOf(text: string): string[] | 'all' {
  if (text === 'all') return 'all';
  try {
    const value: unknown = JSON.parse(text);
    if (value === 'all') return 'all';
    if (Array.isArray(value)) return value.filter((t): t is string => typeof t === 'string');
  } catch {
    // Not JSON: fall through.
  }
  return [];
}

export function subscriberOf(row: SubscriberRow): Subscriber {
  return {
    id: Number(row.id),
    product: row.product,
    email: row.email,
    name: row.name,
    locale: row.locale,
    topics: topicsOf(row.topics),
    status: row.status,
    source: row.source,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    confirmedAt: row.confirmed_at === null ? null : Number(row.confirmed_at),
    unsubscribedAt: row.unsubscribed_at === null ? null : Number(row.unsubscribed_at),
  };
}
