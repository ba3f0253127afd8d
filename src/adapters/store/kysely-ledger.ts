import { type ExpressionBuilder, type Kysely, sql, type Transaction, type UpdateObject } from 'kysely';
import { ANNOUNCEABLE, allows, DELIVERING } from '../../core/lifecycle-table.js';
import {
  type BundleRecord,
  type BundleStatus,
  CHANNEL_PHASE,
  type DeliveryRow,
  type DeliveryState,
  DOCS_PHASE,
} from '../../model/index.js';
import type { LedgerPort } from '../../ports/store.js';
import type { Database, DialectOps } from './kysely-store.js';
import { preparedQuery } from './prepared-query.js';

type Tx = Transaction<Database> | Kysely<Database>;
type Row = Database['deliveries'];

/** Rows a delivery plan no longer needs and that never went out. */
const UNSENT = ['pending', 'failed', 'unknown'] as const;
const DONE = ['sent', 'skipped'] as const;
const CHUNK = 200;

/** Statements over many rows, a bounded number of parameters at a time. */
async function inChunks<T>(items: T[], work: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) await work(items.slice(i, i + CHUNK));
}

/**
 * Some row of the same bundle (`d`) in a lower phase that `d` waits for is (or is not) in `states`:
 * the help centre's two lanes each in phase order; channels after the release notes and in phase
 * order per target. The model states the rule (`CHANNEL_PHASE`, `DOCS_PHASE`).
 */
function lowerPhaseIn(
  eb: ExpressionBuilder<{ d: Row; b: Database['bundles'] } & Database, 'd' | 'b'>,
  op: 'in' | 'not in',
  states: readonly DeliveryState[],
) {
  // The states are written as literals, not parameters: the planner can then see that
  // `NOT IN ('sent', 'skipped')` is the condition of the deliveries_open partial index. Asked
  // for open states only (`IN ('failed')`), the query says that condition too: otherwise SQLite
  // walks every row of the bundle (100,000 emails) for each row it tests.
  const list = sql.raw(states.map((s) => `'${s}'`).join(', '));
  const openOnly = op === 'in' && states.every((s) => !(DONE as readonly string[]).includes(s));
  const [channel, docs] = [sql.lit(CHANNEL_PHASE), sql.lit(DOCS_PHASE)];
  return eb.exists(
    eb
      .selectFrom('deliveries as e')
      .select('e.id')
      .whereRef('e.bundle_id', '=', 'd.bundle_id')
      .whereRef('e.phase', '<', 'd.phase')
      .where(
        sql<boolean>`(
          (d.phase < ${docs} AND e.phase < ${docs})
          OR (d.phase >= ${docs} AND d.phase < ${channel} AND e.phase >= ${docs})
          OR (d.phase >= ${channel} AND (e.target = d.target OR e.phase < ${docs}))
        )`,
      )
      .where(sql<boolean>`e.state ${sql.raw(op)} (${list})`)
      .$if(openOnly, (q) => q.where(isOpenRow('e'))),
  );
}

/**
 * `state NOT IN ('sent', 'skipped')` written literally, beside a query's own state condition: the
 * planner uses a partial index only when the query says its condition in these words.
 */
const isOpenRow = (alias?: string) =>
  sql<boolean>`${sql.ref(alias ? `${alias}.state` : 'state')} NOT IN ('sent', 'skipped')`;

/**
 * A failed row given another chance (`herald retry`, or a new revision that plans it again): a row
 * that was ever attempted may have taken effect (the last attempt may have timed out), so it is
 * checked against the target before it is attempted again; unless its last attempt was refused
 * outright (`noEffect`, written by encodeError).
 */
const requeuedState = sql<DeliveryState>`CASE WHEN attempts > 0 AND (last_error IS NULL OR last_error NOT LIKE '%"noEffect":true%') THEN 'unknown' ELSE 'pending' END`;

/** When a worker's rows are all waiting for other targets' lower phases: how often it looks again. */
const BLOCKED_POLL_MS = 500;

function deliveryOf(row: Row): DeliveryRow {
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

/**
 * The delivery ledger over Kysely. Writes that must agree with the release manager's commands
 * (plan, complete, requeue) take the bundle's write lock (`lockKeyOf`); claims and fences use
 * short transactions of their own, with FOR UPDATE SKIP LOCKED / FOR SHARE on Postgres.
 */
export function createKyselyLedger(
  db: Kysely<Database>,
  ops: DialectOps,
  lockKeyOf: (bundle: { product: string; package: string; version: string }) => string,
  recordOf: (row: Database['bundles']) => BundleRecord,
): LedgerPort {
  const readClock = preparedQuery((_: Record<string, never>) =>
    sql<{ now: number }>`SELECT ${ops.now} AS now`.compile(db),
  );
  const clockOf = async (trx: Tx) => Number((await readClock(trx, {})).rows[0]!.now);

  // The statements every delivery runs (see recordAttempts), compiled once. They read the
  // store's clock themselves: no clock query per transaction.
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
  const postgres = ops.dialect === 'postgres';

  /** Runs `work` holding the bundle's write lock; null when the bundle does not exist. */
  const withBundleLock = async <T>(
    bundleId: number,
    work: (trx: Tx, bundle: Database['bundles'], now: number) => Promise<T>,
  ): Promise<T | null> => {
    const found = await db.selectFrom('bundles').selectAll().where('id', '=', bundleId).executeTakeFirst();
    if (!found) return null;
    return ops.writeTransaction(db, lockKeyOf(found), async (trx) => {
      // Bundle row first, then its deliveries: the order the fence locks them in, so the two
      // never wait for each other in a cycle.
      let read = trx.selectFrom('bundles').selectAll().where('id', '=', bundleId);
      if (postgres) read = read.forUpdate();
      const bundle = await read.executeTakeFirst();
      return bundle ? work(trx, bundle, await clockOf(trx)) : null;
    });
  };

  const audit = (trx: Tx, bundleId: number, now: number, actor: string, action: string, details: object) =>
    trx
      .insertInto('audit_log')
      .values({ bundle_id: bundleId, at: now, actor, action, details: JSON.stringify(details) } as never)
      .execute();

  return {
    async bundlesToPlan(limit = 100) {
      const rows = await db
        .selectFrom('bundles')
        .selectAll()
        .where('status', 'in', ANNOUNCEABLE)
        .where('announce_at', '<=', ops.now)
        .where((eb) =>
          eb.or([eb('planned_revision', 'is', null), eb('planned_revision', '!=', eb.ref('revision'))]),
        )
        .orderBy('announce_at')
        .limit(limit)
        .execute();
      return rows.map(recordOf);
    },

    async recordPlan(bundleId, revision, plan, actor) {
      const done = await withBundleLock(bundleId, async (trx, bundle, now) => {
        // Another run planned this revision first: its plan stands (re-planning from objects that
        // runs are creating right now could turn a pending create into a different one).
        if (bundle.planned_revision === revision && bundle.revision === revision) return true;
        if (
          bundle.revision !== revision ||
          !ANNOUNCEABLE.includes(bundle.status) ||
          bundle.announce_at === null ||
          bundle.announce_at > now
        )
          return false;
        const existing = await trx
          .selectFrom('deliveries')
          .selectAll()
          .where('bundle_id', '=', bundleId)
          .execute();
        const keyOf = (target: string, key: string) => `${target}\u0000${key}`;
        const known = new Set(existing.map((row) => keyOf(row.target, row.target_key)));
        const planned = new Set(plan.map((d) => keyOf(d.target, d.key)));
        const fresh = plan.filter((d) => !known.has(keyOf(d.target, d.key)));
        const unsent = existing.filter((row) => UNSENT.includes(row.state as never));
        const keep = unsent.filter((row) => planned.has(keyOf(row.target, row.target_key)));
        const drop = unsent.filter((row) => !planned.has(keyOf(row.target, row.target_key)));
        // Dropped by an earlier revision and wanted again (a page removed, then restored): it never went out.
        const revive = existing.filter(
          (row) => row.state === 'skipped' && planned.has(keyOf(row.target, row.target_key)),
        );
        await inChunks(fresh, (chunk) =>
          trx
            .insertInto('deliveries')
            .values(
              chunk.map((d) => ({
                bundle_id: bundleId,
                target: d.target,
                target_key: d.key,
                phase: d.phase,
                state: 'pending' as const,
                bundle_revision: revision,
                next_attempt_at: now,
                created_at: now,
                updated_at: now,
              })) as never,
            )
            .onConflict((oc) => oc.columns(['bundle_id', 'target', 'target_key']).doNothing())
            .execute(),
        );
        // The same change to many rows, a bounded number of ids per statement.
        const updateRows = (rows: typeof existing, values: UpdateObject<Database, 'deliveries'>) =>
          inChunks(rows, (chunk) =>
            trx
              .updateTable('deliveries')
              .set(values)
              .where(
                'id',
                'in',
                chunk.map((r) => r.id),
              )
              .execute(),
          );
        await updateRows(
          keep.filter((row) => row.state !== 'failed'),
          { bundle_revision: revision, updated_at: now },
        );
        // A new revision is how a failure gets fixed (content, config or a date): what failed
        // before gets another chance under it.
        await updateRows(
          keep.filter((row) => row.state === 'failed'),
          { state: requeuedState, bundle_revision: revision, next_attempt_at: now, updated_at: now },
        );
        await updateRows(revive, {
          // Dropped while its outcome was unknown: look before posting, as for any attempted row.
          state: sql`CASE WHEN attempts > 0 THEN 'unknown' ELSE 'pending' END`,
          bundle_revision: revision,
          next_attempt_at: now,
          last_error: null,
          updated_at: now,
        });
        await updateRows(drop, {
          state: 'skipped',
          last_error: `not needed by revision ${revision}`,
          lease_owner: null,
          lease_until: null,
          updated_at: now,
        });
        const outstanding =
          fresh.length +
          keep.length +
          revive.length +
          existing.filter((r) => r.state === 'attempting').length;
        const status: BundleStatus = outstanding > 0 ? DELIVERING : 'announced';
        await trx
          .updateTable('bundles')
          .set({
            planned_revision: revision,
            status,
            updated_at: now,
            ...(status === 'announced' && bundle.announced_at === null ? { announced_at: now } : {}),
          })
          .where('id', '=', bundleId)
          .execute();
        await audit(trx, bundleId, now, actor, status === 'announced' ? 'announced' : 'announce-start', {
          revision,
          planned: plan.length,
          new: fresh.length,
          ...(drop.length > 0 ? { dropped: drop.length } : {}),
        });
        return true;
      });
      return done === true;
    },

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
        // A run that died (or lost its lease) mid-call: the effect may or may not have happened.
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
        // Postgres: the bundles of every row first, shared, in id order, so a concurrent plan or
        // hold (which takes a bundle exclusively, then its rows) never waits on a row this holds
        // while this waits on its bundle; and a hold cannot commit between the fence's check and
        // the call. SQLite has one writer at a time.
        if (postgres)
          await inChunks(
            [...new Set([...settle, ...fence].map((item) => item.id))].sort((a, b) => a - b),
            (ids) =>
              trx
                .selectFrom('bundles')
                .select('id')
                .where('id', 'in', (eb) =>
                  eb.selectFrom('deliveries').select('bundle_id').where('id', 'in', ids),
                )
                .orderBy('id')
                .forShare()
                .execute(),
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
          const at = await now();
          const fields =
            outcome.state === 'sent'
              ? {
                  external_id: outcome.externalId,
                  external_url: outcome.url,
                  receipt: outcome.receipt ?? null,
                  last_error: null,
                }
              : {
                  next_attempt_at:
                    at + Math.max(0, Math.round('delayMs' in outcome ? (outcome.delayMs ?? 0) : 0)),
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
          settled.push(written);
          if (!written || outcome.state !== 'sent' || !outcome.objects || outcome.site === undefined)
            continue;
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
        }

        const fenced: boolean[] = [];
        for (const { id, owner, attemptId, leaseMs } of fence) {
          const result = await fenceRow(trx, { id, owner, attemptId, leaseMs });
          fenced.push(Number(result.numAffectedRows) === 1);
        }
        return { settled, fenced };
      });
    },

    async completeBundle(bundleId, actor) {
      return withBundleLock(bundleId, async (trx, bundle, now) => {
        if (!allows('complete', bundle.status)) return bundle.status;
        const open = await trx
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('bundle_id', '=', bundleId)
          .where(isOpenRow())
          .executeTakeFirstOrThrow();
        if (Number(open.n) > 0) return bundle.status;
        await trx
          .updateTable('bundles')
          .set({ status: 'announced', updated_at: now, announced_at: bundle.announced_at ?? now })
          .where('id', '=', bundleId)
          .execute();
        await audit(trx, bundleId, now, actor, 'announced', { revision: bundle.revision });
        return 'announced' as const;
      });
    },

    async nextAttemptIn(targets) {
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
    },

    async listDeliveries(bundleId, filter = {}) {
      let query = db.selectFrom('deliveries').selectAll().where('bundle_id', '=', bundleId);
      if (filter.keys) {
        if (filter.keys.length === 0) return [];
        query = query.where('target_key', 'in', filter.keys);
      }
      if (filter.open) query = query.where(isOpenRow());
      query = query.orderBy('phase').orderBy('id');
      if (filter.limit !== undefined) query = query.limit(filter.limit);
      return (await query.execute()).map(deliveryOf);
    },

    async announcingBundleIds() {
      const rows = await db.selectFrom('bundles').select('id').where('status', '=', DELIVERING).execute();
      return rows.map((r) => Number(r.id));
    },

    async failedDeliveries() {
      const rows = await db
        .selectFrom('deliveries as d')
        .innerJoin('bundles as b', 'b.id', 'd.bundle_id')
        .selectAll('d')
        .where(sql<boolean>`d.state = 'failed'`)
        .where(isOpenRow('d'))
        .where('b.status', '=', DELIVERING)
        .orderBy('d.bundle_id')
        .orderBy('d.id')
        .execute();
      return rows.map(deliveryOf);
    },

    async requeueDeliveries(bundleId, target, actor) {
      const count = await withBundleLock(bundleId, async (trx, _bundle, now) => {
        let update = trx
          .updateTable('deliveries')
          .set({
            state: requeuedState,
            next_attempt_at: now,
            lease_owner: null,
            lease_until: null,
            updated_at: now,
          })
          .where('bundle_id', '=', bundleId)
          .where('state', '=', 'failed');
        // `slack` stands for every Slack destination (`slack:C…`).
        if (target !== null)
          update = update.where((w) =>
            w.or([
              w('target', '=', target),
              w(sql<string>`substr(target, 1, ${target.length + 1})`, '=', `${target}:`),
            ]),
          );
        const result = await update.executeTakeFirst();
        const n = Number(result.numUpdatedRows);
        if (n > 0) await audit(trx, bundleId, now, actor, 'retry', { target, requeued: n });
        return n;
      });
      return count ?? 0;
    },

    async readTargetObjects(site, prefix) {
      const rows = await db
        .selectFrom('target_objects')
        .selectAll()
        .where('site', '=', site)
        .where(sql<string>`substr(key, 1, ${prefix.length})`, '=', prefix)
        .execute();
      return new Map(
        rows.map((r) => [
          r.key,
          { key: r.key, externalId: r.external_id, url: r.url, contentHash: r.content_hash },
        ]),
      );
    },
  };
}
