import { type Kysely, sql } from 'kysely';
import { DELIVERING } from '../../core/lifecycle-table.js';
import type { LedgerPort, SettleAttempt } from '../../ports/store.js';
import { BLOCKED_POLL_MS, DONE, deliveryOf, isOpenRow, LEDGER_CHUNK, lowerPhaseIn } from './ledger-rows.js';
import { preparedQuery } from './prepared-query.js';
import { type Database, type DialectOps, inChunks, type StoreTx } from './schema.js';

type ClaimsPort = Pick<LedgerPort, 'releaseClaims' | 'claimDeliveries' | 'recordAttempts' | 'nextAttemptIn'>;

/**
 * The ledger's hot path: claims, fences and settlements, each in a short transaction of its own,
 * with FOR UPDATE SKIP LOCKED / FOR SHARE on Postgres.
 */
export function createKyselyClaims(db: Kysely<Database>, ops: DialectOps): ClaimsPort {
  const { readClock, fenceRow, settleSent } = prepareHotStatements(db, ops);
  const clockOf = async (trx: StoreTx) => Number((await readClock(trx, {})).rows[0]!.now);
  const postgres = ops.dialect === 'postgres';

  return {
    nextAttemptIn: (targets) => nextAttemptIn(db, ops, targets),

    async releaseClaims(owner) {
      return ops.transaction(db, async (trx) => {
        const result = await trx
          .updateTable('deliveries')
          .set({ lease_owner: null, lease_until: null })
          .where('lease_owner', '=', owner)
          // `attempting` rows keep their lease: their outcome is not known.
          .where(sql<boolean>`state IN ('pending', 'unknown')`)
          .executeTakeFirst();
        return Number(result.numUpdatedRows);
      });
    },

    async claimDeliveries({ owner, target, limit, leaseMs }) {
      return ops.transaction(db, async (trx) => {
        const now = await clockOf(trx);
        await expireInterrupted(trx, target, now);
        let pick = trx
          .selectFrom('deliveries as d')
          .innerJoin('bundles as b', 'b.id', 'd.bundle_id')
          .select('d.id')
          .where('d.target', '=', target)
          // Literal states: the planner sees the deliveries_ready partial index applies.
          .where(sql<boolean>`d.state IN ('pending', 'unknown')`)
          .where('d.next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<', now)]))
          .where('b.status', '=', DELIVERING)
          .where('b.announce_at', '<=', now)
          // Rows of a plan still being written page by page wait for its end: the help centre's
          // rows of that revision, which go first, may not be in yet.
          .whereRef('b.planned_revision', '=', 'b.revision')
          .where((eb) => eb.not(lowerPhaseIn(eb, 'not in', DONE)))
          .orderBy('d.bundle_id')
          .orderBy('d.phase')
          .orderBy('d.id')
          .limit(limit);
        if (postgres) pick = pick.forUpdate('d').skipLocked();
        const ids = (await pick.execute()).map((r) => r.id);
        if (ids.length === 0) return [];
        const rows = await trx
          .updateTable('deliveries')
          .set({ lease_owner: owner, lease_until: now + leaseMs, updated_at: now })
          .where('id', 'in', ids)
          .returningAll()
          .execute();
        return rows.map(deliveryOf).sort((a, b) => a.phase - b.phase || a.id - b.id);
      });
    },

    async recordAttempts({ settle, fence }) {
      if (settle.length + fence.length === 0) return { settled: [], fenced: [] };
      return ops.transaction(db, async (trx) => {
        if (postgres)
          await shareBundlesOf(
            trx,
            [...settle, ...fence].map((item) => item.id),
          );
        let clock: Promise<number> | null = null;
        const now = () => (clock ??= clockOf(trx));

        const settled: boolean[] = [];
        for (const { id, owner, attemptId, outcome } of settle) {
          if (outcome.state === 'sent' && attemptId !== null && !outcome.objects?.length) {
            // The common case, as one prepared statement.
            const result = await settleSent(trx, {
              id,
              attemptId,
              externalId: outcome.externalId,
              url: outcome.url,
              receipt: outcome.receipt ?? null,
            });
            settled.push(Number(result.numAffectedRows) === 1);
            continue;
          }
          settled.push(await settleRow(trx, { id, owner, attemptId, outcome }, await now()));
        }

        const fenced: boolean[] = [];
        for (const { id, owner, attemptId, leaseMs } of fence) {
          const result = await fenceRow(trx, { id, owner, attemptId, leaseMs });
          fenced.push(Number(result.numAffectedRows) === 1);
        }
        return { settled, fenced };
      });
    },
  };
}

/**
 * The statements every delivery runs (see recordAttempts), compiled once. They read the store's
 * clock themselves: no clock query per transaction.
 */
function prepareHotStatements(db: Kysely<Database>, ops: DialectOps) {
  const readClock = preparedQuery((_: Record<string, never>) =>
    sql<{ now: number }>`SELECT ${ops.now} AS now`.compile(db),
  );
  const fenceRow = preparedQuery((v: { id: number; owner: string; attemptId: string; leaseMs: number }) =>
    db
      .updateTable('deliveries')
      .set((eb) => ({
        state: 'attempting',
        attempt_id: v.attemptId,
        attempt_started_at: ops.now,
        attempts: eb('attempts', '+', 1),
        lease_until: sql<number>`${ops.now} + ${v.leaseMs}`,
        updated_at: ops.now,
      }))
      .where('id', '=', v.id)
      .where('lease_owner', '=', v.owner)
      .where(sql<boolean>`state IN ('pending', 'unknown')`)
      // Its bundle still announces the revision it was planned for, past its announce time (no
      // hold or cancel since the claim): the fence, in the same statement.
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('bundles as b')
            .select('b.id')
            .whereRef('b.id', '=', 'deliveries.bundle_id')
            .whereRef('b.revision', '=', 'deliveries.bundle_revision')
            .where(sql<boolean>`b.status = ${sql.lit(DELIVERING)}`)
            // Its plan is finished (a paged plan's rows wait for the rest of it).
            .whereRef('b.planned_revision', '=', 'b.revision')
            .where('b.announce_at', '<=', ops.now),
        ),
      )
      .compile(),
  );
  const settleSent = preparedQuery(
    (v: {
      id: number;
      attemptId: string;
      externalId: string | null;
      url: string | null;
      receipt: string | null;
    }) =>
      db
        .updateTable('deliveries')
        .set({
          state: 'sent',
          lease_owner: null,
          lease_until: null,
          updated_at: ops.now,
          external_id: v.externalId,
          external_url: v.url,
          receipt: v.receipt,
          last_error: null,
        })
        .where('id', '=', v.id)
        .where('attempt_id', '=', v.attemptId)
        .where(sql<boolean>`state = 'attempting'`)
        .compile(),
  );
  return { readClock, fenceRow, settleSent };
}

/** Rows of a run that died (or lost its lease) mid-call: the effect may or may not have happened. */
async function expireInterrupted(trx: StoreTx, target: string, now: number): Promise<void> {
  await trx
    .updateTable('deliveries')
    .set({
      state: 'unknown',
      lease_owner: null,
      lease_until: null,
      next_attempt_at: now,
      last_error:
        'an attempt was interrupted (its run stopped or lost its lease): reconciling with the target',
      updated_at: now,
    })
    .where('target', '=', target)
    .where(sql<boolean>`state = 'attempting'`)
    .where(isOpenRow())
    .where('lease_until', '<', now)
    .execute();
}

/**
 * Postgres: the bundles of every row first, shared, in id order, so a concurrent plan or hold
 * (which takes a bundle exclusively, then its rows) never waits on a row this holds while this
 * waits on its bundle; and a hold cannot commit between the fence's check and the call. SQLite
 * has one writer at a time.
 */
async function shareBundlesOf(trx: StoreTx, rowIds: number[]): Promise<void> {
  await inChunks(
    [...new Set(rowIds)].sort((a, b) => a - b),
    LEDGER_CHUNK,
    (ids) =>
      trx
        .selectFrom('bundles')
        .select('id')
        .where('id', 'in', (eb) => eb.selectFrom('deliveries').select('bundle_id').where('id', 'in', ids))
        .orderBy('id')
        .forShare()
        .execute(),
  );
}

/**
 * Any other outcome of an attempt (or of a reconcile, without one), guarded by the attempt id or
 * the lease; a sent row also records the target objects it made. True when the row was written.
 */
async function settleRow(
  trx: StoreTx,
  { id, owner, attemptId, outcome }: SettleAttempt,
  at: number,
): Promise<boolean> {
  const fields =
    outcome.state === 'sent'
      ? {
          external_id: outcome.externalId,
          external_url: outcome.url,
          receipt: outcome.receipt ?? null,
          last_error: null,
        }
      : {
          next_attempt_at: at + Math.max(0, Math.round('delayMs' in outcome ? (outcome.delayMs ?? 0) : 0)),
          last_error: outcome.error,
        };
  let update = trx
    .updateTable('deliveries')
    .set({ state: outcome.state, lease_owner: null, lease_until: null, updated_at: at, ...fields })
    .where('id', '=', id);
  update =
    attemptId === null
      ? update.where('lease_owner', '=', owner).where('state', 'in', ['pending', 'unknown'])
      : update.where('attempt_id', '=', attemptId).where('state', '=', 'attempting');
  const written = Number((await update.executeTakeFirst()).numUpdatedRows) === 1;
  if (!written || outcome.state !== 'sent' || !outcome.objects || outcome.site === undefined) return written;
  for (const object of outcome.objects)
    await trx
      .insertInto('target_objects')
      .values({
        site: outcome.site,
        key: object.key,
        external_id: object.externalId,
        url: object.url,
        content_hash: object.contentHash,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.columns(['site', 'key']).doUpdateSet({
          external_id: object.externalId,
          url: object.url,
          content_hash: object.contentHash,
          updated_at: at,
        }),
      )
      .execute();
  return written;
}

/** Milliseconds until the next row of an announcing bundle on these targets may be attempted. */
async function nextAttemptIn(
  db: Kysely<Database>,
  ops: DialectOps,
  targets: string[],
): Promise<number | null> {
  if (targets.length === 0) return null;
  const row = await db
    .selectFrom('deliveries as d')
    .innerJoin('bundles as b', 'b.id', 'd.bundle_id')
    .select((eb) => [
      eb.fn
        .min(
          sql<number>`CASE WHEN d.lease_until IS NOT NULL AND d.lease_until > d.next_attempt_at THEN d.lease_until ELSE d.next_attempt_at END`,
        )
        .as('next'),
      sql<number>`${ops.now}`.as('now'),
    ])
    .where('d.target', 'in', targets)
    .where(sql<boolean>`d.state IN ('pending', 'unknown', 'attempting')`)
    .where(isOpenRow('d'))
    .where('b.status', '=', DELIVERING)
    .where((eb) => eb.not(lowerPhaseIn(eb, 'not in', DONE)))
    .executeTakeFirst();
  const ready = row && row.next !== null ? Number(row.next) - Number(row.now) : null;
  // Rows waiting for lower phases still being delivered (not failed): look again soon, even
  // when the only ready row is one in flight elsewhere with a long lease.
  const blocked = await db
    .selectFrom('deliveries as d')
    .innerJoin('bundles as b', 'b.id', 'd.bundle_id')
    .select('d.id')
    .where('d.target', 'in', targets)
    .where(sql<boolean>`d.state IN ('pending', 'unknown', 'attempting')`)
    .where(isOpenRow('d'))
    .where('b.status', '=', DELIVERING)
    .where((eb) => lowerPhaseIn(eb, 'not in', DONE))
    .where((eb) => eb.not(lowerPhaseIn(eb, 'in', ['failed'])))
    .limit(1)
    .executeTakeFirst();
  if (!blocked) return ready;
  return ready === null ? BLOCKED_POLL_MS : Math.min(ready, BLOCKED_POLL_MS);
}
