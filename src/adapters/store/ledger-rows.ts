import { type Kysely, sql } from 'kysely';
import type { DeliveryRow, DeliveryState } from '../../model/index.js';
import { bundleLockKey, type Database, type DialectOps, readStoreClock, type StoreTx } from './schema.js';

// The ledger's shared SQL: row states, the bundle write lock. The phase order: phase-gates.ts.

type Row = Database['deliveries'];

/** Rows a delivery plan no longer needs and that never went out. */
export const UNSENT = ['pending', 'failed', 'unknown'] as const;
/** Rows per statement in the ledger's bulk writes. */
export const LEDGER_CHUNK = 200;

/**
 * `state NOT IN ('sent', 'skipped')` written literally, beside a query's own state condition: the
 * planner uses a partial index only when the query says its condition in these words.
 */
export const isOpenRow = (alias?: string) =>
  sql<boolean>`${sql.ref(alias ? `${alias}.state` : 'state')} NOT IN ('sent', 'skipped')`;

/**
 * A failed row given another chance (`herald retry`, or a new revision that plans it again): a row
 * that was ever attempted may have taken effect (the last attempt may have timed out), so it is
 * checked against the target before it is attempted again; unless its last attempt was refused
 * outright (`noEffect`, written by encodeError).
 */
export const requeuedState = sql<DeliveryState>`CASE WHEN attempts > 0 AND (last_error IS NULL OR last_error NOT LIKE '%"noEffect":true%') THEN 'unknown' ELSE 'pending' END`;

/** When a worker's rows are all waiting for other targets' lower phases: how often it looks again. */
export const BLOCKED_POLL_MS = 500;

export function deliveryOf(row: Row): DeliveryRow {
  return {
    id: Number(row.id),
    bundleId: Number(row.bundle_id),
    target: row.target,
    key: row.target_key,
    phase: row.phase,
    state: row.state,
    bundleRevision: row.bundle_revision,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    attemptId: row.attempt_id,
    attemptStartedAt: row.attempt_started_at,
    externalId: row.external_id,
    externalUrl: row.external_url,
    receipt: row.receipt ?? null,
    lastError: row.last_error,
    updatedAt: row.updated_at,
  };
}

/** Runs `work` holding the bundle's write lock; null when the bundle does not exist. */
export async function withBundleLock<T>(
  db: Kysely<Database>,
  ops: DialectOps,
  bundleId: number,
  work: (trx: StoreTx, bundle: Database['bundles'], now: number) => Promise<T>,
): Promise<T | null> {
  const found = await db.selectFrom('bundles').selectAll().where('id', '=', bundleId).executeTakeFirst();
  if (!found) return null;
  return ops.writeTransaction(db, bundleLockKey(found), async (trx) => {
    // Bundle row first, then its deliveries: the order the fence locks them in, so the two
    // never wait for each other in a cycle.
    let read = trx.selectFrom('bundles').selectAll().where('id', '=', bundleId);
    if (ops.dialect === 'postgres') read = read.forUpdate();
    const bundle = await read.executeTakeFirst();
    return bundle ? work(trx, bundle, await readStoreClock(trx, ops)) : null;
  });
}

/** One line of the bundle's audit log, in the caller's transaction. */
export function audit(
  trx: StoreTx,
  bundleId: number,
  now: number,
  actor: string,
  action: string,
  details: object,
) {
  return trx
    .insertInto('audit_log')
    .values({ bundle_id: bundleId, at: now, actor, action, details: JSON.stringify(details) } as never)
    .execute();
}
