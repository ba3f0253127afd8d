import { type Kysely, sql } from 'kysely';
import { DELIVERING } from '../../core/lifecycle-table.js';
import { claimablePhases, type LaneRange, lowerLanes, type OpenPhase } from '../../core/phase-lanes.js';
import { CHANNEL_PHASE } from '../../model/index.js';
import { BLOCKED_POLL_MS, isOpenRow } from './ledger-rows.js';
import type { Database, DialectOps, StoreTx } from './schema.js';

// The phase gate, asked once per bundle and not once per row: a bundle's unfinished rows fall in a
// handful of phases, found by walking the deliveries_open index (bundle_id, phase, target) one
// distinct phase at a time. A claim is then an ordered range scan of deliveries_ready per
// claimable phase, and costs the rows it takes, not the rows the bundle has (a NOT EXISTS per row
// is planned as a hash anti join on the bundle id once Postgres has statistics: each of 20,000
// rows compared with every other, minutes a claim).

/** Announcing bundles, by id; `due`: also past their announce time, with their plan complete. */
export async function announcingBundles(
  trx: StoreTx,
  ops: DialectOps,
  due: { now: number } | null,
): Promise<number[]> {
  let query = trx.selectFrom('bundles as b').select('b.id').where('b.status', '=', DELIVERING);
  if (due)
    query = query
      .where('b.announce_at', '<=', due.now)
      // Rows of a plan still being written page by page wait for its end: the help centre's
      // rows of that revision, which go first, may not be in yet.
      .whereRef('b.planned_revision', '=', 'b.revision');
  // Postgres: shared, so no plan, hold or cancel of these bundles (they take the bundle row
  // first, for update) commits while the gate is read and the rows claimed: the phases the walk
  // saw stay the phases the claim uses. Rows only ever leave the open set meanwhile (settled),
  // which makes a gate at worst a little conservative.
  const rows = await (ops.dialect === 'postgres' ? query.orderBy('b.id').forShare() : query).execute();
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/**
 * The phases (ascending) in which each bundle has unfinished rows, and whether `target` has some
 * in each. With `untilClaimable` the walk ends at the target's first unfinished channel phase:
 * no row of the target above it can go.
 */
export async function openPhases(
  trx: StoreTx,
  bundleIds: number[],
  target: string,
  untilClaimable: boolean,
): Promise<Map<number, OpenPhase[]>> {
  const phases = new Map<number, OpenPhase[]>(bundleIds.map((id) => [id, []]));
  if (bundleIds.length === 0) return phases;
  const open = (alias: string) => isOpenRow(alias);
  // The target has unfinished rows in the step's phase: one seek of deliveries_open (bundle_id,
  // phase, target) to the first entry at or after (phase, target). A row-value range, so both
  // planners seek on the target too (an equality on the phase and a filter on the target walks
  // every email of the phase to find a Slack row), and in the index's order, so Postgres does not
  // take a sequential scan it expects to stop early (an EXISTS loses its ORDER BY).
  const mineAt = (ref: string) => {
    const [bundle, phase] = [sql.ref(`${ref}.bundle_id`), sql.ref(`${ref}.phase`)];
    return sql`COALESCE((SELECT m.phase = ${phase} AND m.target = ${target} FROM deliveries m
      WHERE m.bundle_id = ${bundle} AND (m.phase, m.target) >= (${phase}, ${target}) AND ${open('m')}
      ORDER BY m.phase, m.target LIMIT 1), FALSE)`;
  };
  const stop = untilClaimable
    ? sql`AND NOT (s.phase >= ${sql.lit(CHANNEL_PHASE)} AND ${mineAt('s')})`
    : sql``;
  // Each step is one probe of deliveries_open: the lowest unfinished phase above the last one.
  const result = await sql<{ bundle_id: number; phase: number; mine: boolean | number }>`
    WITH RECURSIVE steps (bundle_id, phase) AS (
      SELECT b.id, (SELECT e.phase FROM deliveries e
                    WHERE e.bundle_id = b.id AND ${open('e')} ORDER BY e.phase LIMIT 1)
      FROM bundles b WHERE b.id IN (${sql.join(bundleIds)})
      UNION ALL
      SELECT s.bundle_id, (SELECT e.phase FROM deliveries e
                           WHERE e.bundle_id = s.bundle_id AND e.phase > s.phase AND ${open('e')}
                           ORDER BY e.phase LIMIT 1)
      FROM steps s WHERE s.phase IS NOT NULL ${stop}
    )
    SELECT s.bundle_id, s.phase, ${mineAt('s')} AS mine FROM steps s WHERE s.phase IS NOT NULL`.execute(trx);
  for (const row of result.rows)
    phases.get(Number(row.bundle_id))?.push({ phase: Number(row.phase), mine: Boolean(row.mine) });
  for (const list of phases.values()) list.sort((a, b) => a.phase - b.phase);
  return phases;
}

/** Milliseconds until the next row of an announcing bundle on these targets may be attempted. */
export async function nextAttemptIn(
  db: Kysely<Database>,
  ops: DialectOps,
  targets: string[],
): Promise<number | null> {
  if (targets.length === 0) return null;
  const bundles = await announcingBundles(db, ops, null);
  let next: number | null = null;
  let blocked = false;
  for (const target of targets) {
    const phases = await openPhases(db, bundles, target, false);
    for (const [bundleId, open] of phases) {
      const claimable = claimablePhases(open, target);
      for (const phase of claimable) {
        const at = await earliestAttempt(db, ops, { bundleId, target, phase });
        if (at !== null) next = next === null ? at : Math.min(next, at);
      }
      // Rows waiting for lower phases still being delivered (not failed): look again soon, even
      // when the only ready row is one in flight elsewhere with a long lease.
      for (const { phase, mine } of open)
        if (!blocked && mine && !claimable.includes(phase))
          blocked = await waitsForDelivery(db, { bundleId, target, phase });
    }
  }
  if (!blocked) return next;
  return next === null ? BLOCKED_POLL_MS : Math.min(next, BLOCKED_POLL_MS);
}

/** Milliseconds from now until a row of the target in this phase may be attempted (or null). */
async function earliestAttempt(
  db: Kysely<Database>,
  ops: DialectOps,
  at: { bundleId: number; target: string; phase: number },
): Promise<number | null> {
  const row = await db
    .selectFrom('deliveries as d')
    .select((eb) => [
      eb.fn
        .min(
          sql<number>`CASE WHEN d.lease_until IS NOT NULL AND d.lease_until > d.next_attempt_at THEN d.lease_until ELSE d.next_attempt_at END`,
        )
        .as('next'),
      sql<number>`${ops.now}`.as('now'),
    ])
    .where('d.bundle_id', '=', at.bundleId)
    .where('d.phase', '=', at.phase)
    .where('d.target', '=', at.target)
    .where(sql<boolean>`d.state IN ('pending', 'unknown', 'attempting')`)
    .where(isOpenRow('d'))
    .executeTakeFirst();
  return row && row.next !== null ? Number(row.next) - Number(row.now) : null;
}

/**
 * The target has rows in this (held up) phase that are still to go, and nothing that holds them
 * up has failed: what holds them up is still being delivered.
 */
async function waitsForDelivery(
  db: Kysely<Database>,
  at: { bundleId: number; target: string; phase: number },
): Promise<boolean> {
  const waiting = await db
    .selectFrom('deliveries')
    .select('id')
    .where('bundle_id', '=', at.bundleId)
    .where('phase', '=', at.phase)
    .where('target', '=', at.target)
    .where(sql<boolean>`state IN ('pending', 'unknown', 'attempting')`)
    .where(isOpenRow())
    .limit(1)
    .executeTakeFirst();
  if (!waiting) return false;
  for (const range of lowerLanes(at.phase, at.target))
    if (await failedIn(db, at.bundleId, range)) return false;
  return true;
}

/** Some row of the bundle in the range has failed. */
async function failedIn(db: Kysely<Database>, bundleId: number, range: LaneRange): Promise<boolean> {
  let query = db
    .selectFrom('deliveries')
    .select('id')
    .where('bundle_id', '=', bundleId)
    // Beside the open-row condition, so the planner sees the partial indexes apply.
    .where(sql<boolean>`state = 'failed'`)
    .where(isOpenRow())
    .where('phase', '<', range.below);
  if (range.from !== null) query = query.where('phase', '>=', range.from);
  if (range.target !== null) query = query.where('target', '=', range.target);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}
