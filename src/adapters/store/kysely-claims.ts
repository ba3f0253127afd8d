import { type Kysely, sql } from 'kysely';
import { DELIVERING } from '../../core/lifecycle-table.js';
import { claimablePhases } from '../../core/phase-lanes.js';
import type { LedgerPort, SettleAttempt } from '../../ports/store.js';
import { deliveryOf, isOpenRow, LEDGER_CHUNK } from './ledger-rows.js';
import { announcingBundles, nextAttemptIn, openPhases } from './phase-gates.js';
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
        // Bundles first (shared, on Postgres), then rows: the order plans and fences lock them in.
        const bundles = await announcingBundles(trx, ops, { now });
        await expireInterrupted(trx, target, now);
        const gates = await openPhases(trx, bundles, target, true);
        // In claim order (bundle, phase, id), one ordered range of deliveries_ready per phase.
        const ids: number[] = [];
        for (const [bundleId, open] of gates)
          for (const phase of claimablePhases(open, target)) {
            if (ids.length >= limit) break;
            const picked = await pickReady(trx, postgres, {
              target,
              bundleId,
              phase,
              now,
              limit: limit - ids.length,
            });
            ids.push(...picked);
          }
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

/** Due, unleased rows of the target in one claimable phase of a bundle, in id order. */
async function pickReady(
  trx: StoreTx,
  postgres: boolean,
  at: { target: string; bundleId: number; phase: number; now: number; limit: number },
): Promise<number[]> {
  const pick = trx
    .selectFrom('deliveries as d')
    .select('d.id')
    .where('d.target', '=', at.target)
    .where('d.bundle_id', '=', at.bundleId)
    // The phase as a range, and in the order: only deliveries_ready (target, bundle_id, phase, id)
    // then gives the order without a sort. With `phase =` the primary key's order looks as good,
    // and it walks every row the bundle already sent before the first one still to go.
    .where('d.phase', '>=', at.phase)
    .where('d.phase', '<=', at.phase)
    // Literal states: the planner sees the deliveries_ready partial index applies.
    .where(sql<boolean>`d.state IN ('pending', 'unknown')`)
    .where('d.next_attempt_at', '<=', at.now)
    .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<', at.now)]))
    .orderBy('d.phase')
    .orderBy('d.id')
    .limit(at.limit);
  const rows = await (postgres ? pick.forUpdate('d').skipLocked() : pick).execute();
  return rows.map((r) => Number(r.id));
}
