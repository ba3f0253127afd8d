import { type Kysely, sql, type UpdateObject } from 'kysely';
import { ANNOUNCEABLE, allows, DELIVERING } from '../../core/lifecycle-table.js';
import type { BundleStatus, PlannedDelivery } from '../../model/index.js';
import type { LedgerPort, PagedPlan, SideRow } from '../../ports/store.js';
import { foldDeliveryCounts } from './delivery-counts.js';
import { createKyselyClaims } from './kysely-claims.js';
import {
  audit,
  deliveryOf,
  isOpenRow,
  LEDGER_CHUNK,
  requeuedState,
  UNSENT,
  withBundleLock,
} from './ledger-rows.js';
import { bundleRecordOf, type Database, type DialectOps, inChunks, type StoreTx } from './schema.js';

type Row = Database['deliveries'];

/** Phase of rows kept beside the plan (the release report). */
const SIDE_ROW_PHASE = 1000;

/** How a new plan meets the rows already there: which rows are new, kept, dropped or revived. */
function sortPlanned(existing: Row[], plan: readonly PlannedDelivery[]) {
  const keyOf = (target: string, key: string) => `${target}\u0000${key}`;
  const known = new Set(existing.map((row) => keyOf(row.target, row.target_key)));
  const planned = new Set(plan.map((d) => keyOf(d.target, d.key)));
  const unsent = existing.filter((row) => UNSENT.includes(row.state as never));
  return {
    fresh: plan.filter((d) => !known.has(keyOf(d.target, d.key))),
    keep: unsent.filter((row) => planned.has(keyOf(row.target, row.target_key))),
    drop: unsent.filter((row) => !planned.has(keyOf(row.target, row.target_key))),
    // Dropped by an earlier revision and wanted again (a page removed, then restored): it never went out.
    revive: existing.filter(
      (row) => row.state === 'skipped' && planned.has(keyOf(row.target, row.target_key)),
    ),
  };
}

/** New ledger rows of a plan, pending from `now`; rows another run inserted first are kept. */
function insertPlanned(
  trx: StoreTx,
  bundleId: number,
  revision: number,
  now: number,
  fresh: PlannedDelivery[],
) {
  return inChunks(fresh, LEDGER_CHUNK, (chunk) =>
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
}

/** The same change to many rows, a bounded number of ids per statement. */
function updateRows(trx: StoreTx, rows: Row[], values: UpdateObject<Database, 'deliveries'>) {
  return inChunks(rows, LEDGER_CHUNK, (chunk) =>
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
}

/**
 * Writes what a plan (or one page of it) wants of the rows it names: new ones inserted, unsent
 * ones brought to `revision`, dropped ones revived. What it drops is the caller's to decide.
 */
async function applyPlanned(
  trx: StoreTx,
  bundleId: number,
  revision: number,
  now: number,
  existing: Row[],
  plan: readonly PlannedDelivery[],
) {
  const sorted = sortPlanned(existing, plan);
  const { fresh, keep, revive } = sorted;
  await insertPlanned(trx, bundleId, revision, now, fresh);
  await updateRows(
    trx,
    keep.filter((row) => row.state !== 'failed'),
    { bundle_revision: revision, updated_at: now },
  );
  // A new revision is how a failure gets fixed (content, config or a date): what failed
  // before gets another chance under it.
  await updateRows(
    trx,
    keep.filter((row) => row.state === 'failed'),
    { state: requeuedState, bundle_revision: revision, next_attempt_at: now, updated_at: now },
  );
  await updateRows(trx, revive, {
    // Dropped while its outcome was unknown: look before posting, as for any attempted row.
    state: sql`CASE WHEN attempts > 0 THEN 'unknown' ELSE 'pending' END`,
    bundle_revision: revision,
    next_attempt_at: now,
    last_error: null,
    updated_at: now,
  });
  return sorted;
}

/**
 * The end of a paged plan: every row it wants was brought to `revision` by a page, so the unsent
 * rows of its targets still at another revision are the ones it drops. How many were dropped,
 * and how many stay open.
 */
async function finishPaged(
  trx: StoreTx,
  bundleId: number,
  revision: number,
  targets: string[],
  skipped: UpdateObject<Database, 'deliveries'>,
): Promise<{ dropped: number; open: number }> {
  if (targets.length === 0) return { dropped: 0, open: 0 };
  const dropped = await trx
    .updateTable('deliveries')
    .set(skipped)
    .where('bundle_id', '=', bundleId)
    .where('target', 'in', targets)
    .where('state', 'in', UNSENT)
    .where('bundle_revision', '!=', revision)
    .executeTakeFirst();
  const open = await trx
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('bundle_id', '=', bundleId)
    .where('target', 'in', targets)
    .where(isOpenRow())
    .executeTakeFirstOrThrow();
  return { dropped: Number(dropped.numUpdatedRows), open: Number(open.n) };
}

/** A plan may be recorded for the bundle now: same revision, announceable, due. */
const plannable = (bundle: Database['bundles'], revision: number, now: number) =>
  bundle.revision === revision &&
  ANNOUNCEABLE.includes(bundle.status) &&
  bundle.announce_at !== null &&
  bundle.announce_at <= now;

/**
 * Records a revision's plan under the bundle's write lock: its rows written, the rows it no longer
 * wants skipped, the bundle delivering (or announced when nothing is left to send).
 */
async function writePlan(
  db: Kysely<Database>,
  ops: DialectOps,
  bundleId: number,
  revision: number,
  plan: readonly PlannedDelivery[],
  actor: string,
  paged: PagedPlan,
): Promise<boolean> {
  const pagedTargets = Object.keys(paged);
  const done = await withBundleLock(db, ops, bundleId, async (trx, bundle, now) => {
    // Another run planned this revision first: its plan stands (re-planning from objects that
    // runs are creating right now could turn a pending create into a different one).
    if (bundle.planned_revision === revision && bundle.revision === revision) return true;
    if (!plannable(bundle, revision, now)) return false;
    // The rows of paged targets stay in the database: their pages are already written.
    let read = trx.selectFrom('deliveries').selectAll().where('bundle_id', '=', bundleId);
    if (pagedTargets.length > 0) read = read.where('target', 'not in', pagedTargets);
    const existing = await read.execute();
    const { fresh, keep, drop, revive } = await applyPlanned(trx, bundleId, revision, now, existing, plan);
    const skipped = { state: 'skipped', lease_owner: null, lease_until: null, updated_at: now } as const;
    await updateRows(trx, drop, { ...skipped, last_error: `not needed by revision ${revision}` });
    const pagedOpen = await finishPaged(trx, bundleId, revision, pagedTargets, {
      ...skipped,
      last_error: `not needed by revision ${revision}`,
    });
    const outstanding =
      fresh.length +
      keep.length +
      revive.length +
      existing.filter((r) => r.state === 'attempting').length +
      pagedOpen.open;
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
    await foldDeliveryCounts(trx, ops, bundleId);
    const dropped = drop.length + pagedOpen.dropped;
    await audit(trx, bundleId, now, actor, status === 'announced' ? 'announced' : 'announce-start', {
      revision,
      planned: plan.length + Object.values(paged).reduce((a, b) => a + b, 0),
      new: fresh.length,
      ...(dropped > 0 ? { dropped } : {}),
    });
    return true;
  });
  return done === true;
}

/** One page of a paged plan, in its own short transaction that re-checks the bundle. */
async function writePlanPage(
  db: Kysely<Database>,
  ops: DialectOps,
  bundleId: number,
  revision: number,
  page: readonly PlannedDelivery[],
): Promise<boolean> {
  const done = await withBundleLock(db, ops, bundleId, async (trx, bundle, now) => {
    if (bundle.planned_revision === revision || !plannable(bundle, revision, now)) return false;
    // The page's own rows, looked up through the unique (bundle, target, key) index: a
    // page costs the same however many rows the bundle already has.
    const existing: Row[] = [];
    for (const target of new Set(page.map((d) => d.target)))
      await inChunks(
        page.filter((d) => d.target === target),
        LEDGER_CHUNK,
        async (chunk) => {
          const rows = await trx
            .selectFrom('deliveries')
            .selectAll()
            .where('bundle_id', '=', bundleId)
            .where('target', '=', target)
            .where(
              'target_key',
              'in',
              chunk.map((d) => d.key),
            )
            .execute();
          for (const row of rows) existing.push(row);
        },
      );
    await applyPlanned(trx, bundleId, revision, now, existing, page);
    return true;
  });
  return done === true;
}

/** Failed rows of the bundle (of one target, or all) due again now; how many. */
async function requeueFailed(
  db: Kysely<Database>,
  ops: DialectOps,
  bundleId: number,
  target: string | null,
  actor: string,
): Promise<number> {
  const count = await withBundleLock(db, ops, bundleId, async (trx, _bundle, now) => {
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
}

/** The bundle announced once no row is open (and its status allows it); its status after. */
async function completeIfDone(
  db: Kysely<Database>,
  ops: DialectOps,
  bundleId: number,
  actor: string,
): Promise<BundleStatus | null> {
  return withBundleLock(db, ops, bundleId, async (trx, bundle, now) => {
    // The end of a run: the counts its connections kept for the bundle become one row each.
    await foldDeliveryCounts(trx, ops, bundleId);
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
}

/** A finished row outside the plan, inserted or overwritten under the bundle's lock. */
async function writeSideRow(
  db: Kysely<Database>,
  ops: DialectOps,
  bundleId: number,
  row: SideRow,
): Promise<void> {
  await withBundleLock(db, ops, bundleId, async (trx, bundle, now) => {
    const values = {
      state: row.state,
      external_id: row.externalId,
      external_url: row.externalUrl,
      receipt: row.receipt,
      last_error: row.lastError,
      updated_at: now,
    };
    await trx
      .insertInto('deliveries')
      .values({
        ...values,
        bundle_id: bundleId,
        target: row.target,
        target_key: row.key,
        // After every planned phase: a finished row never waits for, nor holds up, another.
        phase: SIDE_ROW_PHASE,
        bundle_revision: bundle.revision,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
      } as never)
      .onConflict((oc) => oc.columns(['bundle_id', 'target', 'target_key']).doUpdateSet(values))
      .execute();
  });
}

/**
 * The delivery ledger over Kysely. Writes that must agree with the release manager's commands
 * (plan, complete, requeue) take the bundle's write lock (`withBundleLock`); claims and fences
 * (`createKyselyClaims`) use short transactions of their own.
 */
export function createKyselyLedger(db: Kysely<Database>, ops: DialectOps): LedgerPort {
  return {
    ...createKyselyClaims(db, ops),

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
      return rows.map(bundleRecordOf);
    },

    recordPlan: (bundleId, revision, plan, actor, paged = {}) =>
      writePlan(db, ops, bundleId, revision, plan, actor, paged),

    recordPlanPage: (bundleId, revision, page) => writePlanPage(db, ops, bundleId, revision, page),

    completeBundle: (bundleId, actor) => completeIfDone(db, ops, bundleId, actor),

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

    requeueDeliveries: (bundleId, target, actor) => requeueFailed(db, ops, bundleId, target, actor),

    saveSideRow: (bundleId, row) => writeSideRow(db, ops, bundleId, row),

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
