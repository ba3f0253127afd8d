import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/adapters/store/postgres-store.js';
import type { StorePort } from '../../src/ports/index.js';
import { keyOf, prepare } from '../helpers/bundles.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

// A claim costs the rows it takes, not the rows its bundle has: at 20,000 rows, with the
// planner's statistics gathered, every statement a claim runs reads (by its executed plan) a few
// rows per row it claims. A phase gate per row was planned as a hash anti join on the bundle id
// there: each row compared with every other, minutes a claim.

const EMAILS = 20_000;
const BATCH = 50;

interface PlanNode {
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}
/** Rows every node of an executed plan produced, over all its loops. */
const rowsRead = (node: PlanNode): number =>
  node['Actual Rows'] * node['Actual Loops'] + (node.Plans ?? []).reduce((n, p) => n + rowsRead(p), 0);

let postgres: TestPostgres;
let url: string;
let store: StorePort;
let admin: pg.Client;
const seen: { text: string; values: unknown[] }[] = [];
const originalQuery = pg.Client.prototype.query;
/** A statement on the test's own connection, past the capture. */
const raw = (text: string, values: unknown[] = []) =>
  (originalQuery as unknown as (t: string, v: unknown[]) => Promise<pg.QueryResult>).call(
    admin,
    text,
    values,
  );

beforeAll(async () => {
  postgres = await startPostgres();
  url = await postgres.freshDatabase();
  // Every statement the store sends on deliveries, to run again under EXPLAIN ANALYZE.
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [config, values] = args as [string | { text: string; values?: unknown[] }, unknown[]];
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text === 'string' && /deliveries/.test(text) && /^\s*(select|with)/i.test(text))
      seen.push({ text, values: (typeof config === 'string' ? values : config.values) ?? [] });
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  store = await openPostgresStore(url);
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
}, 120_000);
afterAll(async () => {
  pg.Client.prototype.query = originalQuery;
  await admin?.end();
  await store?.close();
  await postgres?.stop();
});

/** The statements `work` sent, each run again under EXPLAIN ANALYZE (rolled back): rows read. */
async function readsOf(work: () => Promise<unknown>): Promise<{ text: string; rows: number }[]> {
  seen.length = 0;
  await work();
  const statements = [...seen];
  const reads: { text: string; rows: number }[] = [];
  for (const { text, values } of statements) {
    await raw('BEGIN');
    const result = await raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
    await raw('ROLLBACK');
    const [{ Plan }] = (result.rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'];
    reads.push({ text: text.replace(/\s+/g, ' ').slice(0, 80), rows: rowsRead(Plan) });
  }
  return reads;
}

describe('claims on a large bundle (PostgreSQL, with statistics)', () => {
  it('read a few rows per row claimed, at the start of a mailing and half-way through', async () => {
    await prepare(store, '1.0.0', { schedule: { at: 'now', zone: 'UTC' } });
    const { id } = (await store.findBundle(keyOf('1.0.0')))!;
    await store.recordPlan(
      id,
      1,
      [
        { target: 'slack:C1', key: 'post:message', phase: 40, summary: 'post' },
        { target: 'slack:C1', key: 'post:reply:1', phase: 41, summary: 'reply' },
        ...Array.from({ length: EMAILS }, (_, i) => ({
          target: 'email',
          key: `to:${i}`,
          phase: 40,
          summary: 'mail',
        })),
      ],
      'tester',
    );
    await raw('ANALYZE');
    const claim = (target: string) =>
      store.claimDeliveries({ owner: 'runner', target, limit: BATCH, leaseMs: 60_000 });

    const first = await readsOf(() => claim('email'));
    expect(first.length).toBeGreaterThan(0);
    for (const read of first) expect(read.rows, read.text).toBeLessThan(10 * BATCH);

    // Half the mailing went out (the rows first in id order): the claim does not walk past them.
    await raw(
      `UPDATE deliveries SET state = 'sent', lease_owner = NULL, lease_until = NULL
       WHERE target = 'email' AND id <= (SELECT min(id) + ${EMAILS / 2} FROM deliveries WHERE target = 'email')`,
    );
    await raw('ANALYZE');
    const later = await readsOf(async () => expect(await claim('email')).toHaveLength(BATCH));
    for (const read of later) expect(read.rows, read.text).toBeLessThan(10 * BATCH);

    // The thread's first part, beside 10,000 open emails of its phase; the second part waits.
    const slack = await readsOf(async () =>
      expect((await claim('slack:C1')).map((r) => r.key)).toEqual(['post:message']),
    );
    for (const read of slack) expect(read.rows, read.text).toBeLessThan(10 * BATCH);
  }, 180_000);
});
