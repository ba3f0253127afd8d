import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldDeliveryCounts } from '../../src/adapters/store/delivery-counts.js';
import { migrationsFor } from '../../src/adapters/store/migrations.js';
import { openPostgresStore } from '../../src/adapters/store/postgres-store.js';
import type { Database, DialectOps } from '../../src/adapters/store/schema.js';
import type { DeliveryRow, DeliverySummary } from '../../src/model/index.js';
import type { StorePort } from '../../src/ports/index.js';
import { keyOf, prepare } from '../helpers/bundles.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { storeDialects } from '../helpers/stores.js';
import { countedRows, expectCountsExact, keptCounts, openRaw } from './store-counts-kit.js';

// The kept delivery counts (migration 0010) against a fresh GROUP BY over the ledger, after
// every kind of change the ledger makes, on both dialects.

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

const dialects = storeDialects(() => postgres);
/** What the fold needs of the Postgres dialect. */
const postgresOps = { dialect: 'postgres' } as DialectOps;

const row = (target: string, key: string, phase: number) => ({ target, key, phase, summary: key });
const emails = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => row('email', `to:${from + i}`, 40));

/** A summary as the fresh counts name it: `bundle target state` -> rows. */
const flatten = (bundleId: number, summary: DeliverySummary) =>
  Object.fromEntries(
    Object.entries(summary).flatMap(([target, states]) =>
      Object.entries(states).map(([state, n]) => [`${bundleId} ${target} ${state}`, n]),
    ),
  );
const ofBundle = (counts: Record<string, number>, bundleId: number) =>
  Object.fromEntries(Object.entries(counts).filter(([key]) => key.startsWith(`${bundleId} `)));

/** `version` due now with `plan` recorded; its id. */
async function planDue(store: StorePort, version: string, plan: ReturnType<typeof row>[]) {
  await prepare(store, version, { schedule: { at: 'now', zone: 'UTC' } });
  const { id, revision } = (await store.findBundle(keyOf(version)))!;
  expect(await store.recordPlan(id, revision, plan, 'tester')).toBe(true);
  return id;
}

/** A correction of an announced `version` and its plan: what a re-plan after `herald prepare --force` does. */
async function replan(store: StorePort, version: string, plan: ReturnType<typeof row>[]) {
  await store.mutateBundle(keyOf(version), 'announcer', (c) => ({
    write: true,
    result: null,
    status: 'announced',
    announceAt: c!.announceAt,
    timeZone: c!.timeZone,
    audit: { action: 'announced', details: {} },
  }));
  await prepare(store, version, { text: `Corrected ${Math.random()}`, force: true });
  const { id, revision } = (await store.findBundle(keyOf(version)))!;
  expect(await store.recordPlan(id, revision, plan, 'tester')).toBe(true);
}

const fence = (rows: DeliveryRow[], owner: string, leaseMs = 60_000) =>
  rows.map((r) => ({ id: r.id, owner, attemptId: `${owner}-${r.id}`, leaseMs }));
const settle = (rows: DeliveryRow[], owner: string, outcome: 'sent' | 'failed') =>
  rows.map((r) => ({
    id: r.id,
    owner,
    attemptId: `${owner}-${r.id}`,
    outcome:
      outcome === 'sent'
        ? ({ state: 'sent', externalId: null, url: null } as const)
        : ({ state: 'failed', error: 'refused' } as const),
  }));

describe.each(dialects)('kept delivery counts: $name', (dialect) => {
  it('equal a fresh count of the ledger after plans, claims, fences, settlements, expiry, releases, retries, side rows, corrections and deletes', async () => {
    const where = await dialect.fresh();
    const store = await dialect.open(where);
    const raw = await openRaw(where);
    try {
      const id = await planDue(store, '1.0.0', [
        row('helpcenter', 'article:notes', 5),
        row('slack:C1', 'post:message', 40),
        ...emails(0, 30),
      ]);
      const other = await planDue(store, '2.0.0', emails(0, 5));
      expect(await expectCountsExact(raw, 'planned')).toMatchObject({
        [`${id} email pending`]: 30,
        [`${other} email pending`]: 5,
      });

      const [notes] = await store.claimDeliveries({
        owner: 'a',
        target: 'helpcenter',
        limit: 5,
        leaseMs: 60_000,
      });
      await store.recordAttempts({ settle: [], fence: fence([notes!], 'a') });
      await store.recordAttempts({ settle: settle([notes!], 'a', 'sent'), fence: [] });
      await expectCountsExact(raw, 'notes sent');

      const claimed = (
        await store.claimDeliveries({ owner: 'a', target: 'email', limit: 30, leaseMs: 60_000 })
      )
        .filter((r) => r.bundleId === id)
        .sort((x, y) => Number(x.key.slice(3)) - Number(y.key.slice(3)));
      await store.recordAttempts({ settle: [], fence: fence(claimed.slice(0, 8), 'a') });
      // Its lease already over: the next claim finds it interrupted.
      await store.recordAttempts({ settle: [], fence: fence(claimed.slice(8, 9), 'a', -1_000) });
      const attempted = (await store.listDeliveries(id)).filter((r) => r.state === 'attempting');
      expect(attempted).toHaveLength(9);
      const byKey = (n: number) => attempted.find((r) => r.key === `to:${n}`)!;
      await store.recordAttempts({
        settle: [
          ...settle([0, 1, 2, 3, 4].map(byKey), 'a', 'sent'),
          ...settle([5, 6, 7].map(byKey), 'a', 'failed'),
        ],
        fence: [],
      });
      expect(await expectCountsExact(raw, 'settled')).toMatchObject({
        [`${id} email sent`]: 5,
        [`${id} email failed`]: 3,
        [`${id} email attempting`]: 1,
      });

      expect(await store.releaseClaims('a')).toBeGreaterThan(0);
      await expectCountsExact(raw, 'claims released');
      await store.claimDeliveries({ owner: 'b', target: 'email', limit: 1, leaseMs: 60_000 });
      expect(await expectCountsExact(raw, 'expired')).toMatchObject({ [`${id} email unknown`]: 1 });

      expect(await store.requeueDeliveries(id, 'email', 'tester')).toBe(3);
      expect(await expectCountsExact(raw, 'retried')).toMatchObject({ [`${id} email unknown`]: 4 });

      const side = { key: 'thread', externalId: null, externalUrl: null, receipt: null, lastError: null };
      await store.saveSideRow(id, { ...side, target: 'report:slack', state: 'sent' });
      await store.saveSideRow(id, { ...side, target: 'report:slack', state: 'skipped' });
      expect(await expectCountsExact(raw, 'side row')).toMatchObject({ [`${id} report:slack skipped`]: 1 });

      // A correction without Slack and the second half of the list, then one that wants them back.
      await replan(store, '1.0.0', [row('helpcenter', 'article:notes', 5), ...emails(0, 15)]);
      expect(await expectCountsExact(raw, 'dropped by a correction')).toMatchObject({
        [`${id} slack:C1 skipped`]: 1,
        [`${id} email skipped`]: 15,
      });
      await replan(store, '1.0.0', [row('slack:C1', 'post:message', 40), ...emails(0, 30)]);
      expect(await expectCountsExact(raw, 'revived by a correction')).toMatchObject({
        [`${id} slack:C1 pending`]: 1,
      });

      await raw.query("DELETE FROM deliveries WHERE target = 'report:slack'");
      const counted = await expectCountsExact(raw, 'deleted');

      // What the store's readers return is the same.
      expect(flatten(id, await store.deliverySummary(id))).toEqual(ofBundle(counted, id));
      const listed = await store.listBundles();
      expect(listed.map((b) => b.id).sort()).toEqual([id, other].sort());
      for (const bundle of listed)
        expect(flatten(bundle.id, bundle.deliveries)).toEqual(ofBundle(counted, bundle.id));
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('back-fills a store made before them (migration 0010 over the rows of 0009)', async () => {
    const where = await dialect.fresh();
    const raw = await openRaw(where);
    try {
      const int = dialect.name === 'sqlite' ? 'INTEGER' : 'BIGINT';
      await raw.query(`CREATE TABLE herald_migrations (name TEXT PRIMARY KEY, applied_at ${int} NOT NULL)`);
      for (const migration of migrationsFor(dialect.name).filter((m) => m.name < '0010')) {
        for (const statement of migration.sql) await raw.query(statement);
        await raw.query(`INSERT INTO herald_migrations VALUES ('${migration.name}', 0)`);
      }
      for (const version of ['1.0.0', '2.0.0'])
        await raw.query(`INSERT INTO bundles (product, package, version, status, revision, content_revision,
          content_hash, announce_at, overlay, created_at, updated_at, planned_revision)
          VALUES ('Acme', '', '${version}', 'announcing', 1, 1, 'h', 0, '{}', 0, 0, 1)`);
      const states = ['pending', 'attempting', 'sent', 'unknown', 'failed', 'skipped'];
      const values = Array.from({ length: 300 }, (_, i) => {
        const bundle = 1 + (i % 2);
        const target = i % 7 === 0 ? 'slack:C1' : 'email';
        return `(${bundle}, '${target}', 'k${i}', '${states[i % states.length]}', 1, 0, 0, 0, 40)`;
      });
      await raw.query(`INSERT INTO deliveries (bundle_id, target, target_key, state, bundle_revision,
        next_attempt_at, created_at, updated_at, phase) VALUES ${values.join(', ')}`);
      const before = await countedRows(raw);

      const store = await dialect.open(where);
      try {
        expect(await keptCounts(raw)).toEqual(before);
        expect(flatten(1, await store.deliverySummary(1))).toEqual(ofBundle(before, 1));
        // And kept from then on.
        await raw.query("UPDATE deliveries SET state = 'sent' WHERE state = 'pending' AND bundle_id = 2");
        await expectCountsExact(raw, 'after the migration');
      } finally {
        await store.close();
      }
    } finally {
      await raw.close();
    }
  });
});

describe('kept delivery counts: two runners on one PostgreSQL store', () => {
  it("never make one runner's transaction wait for another's, nor a fold wait for either", async () => {
    const where = await postgres.freshDatabase();
    const store = await openPostgresStore(where);
    // A statement that would wait for a lock fails at once instead: no waiting, no timing.
    const impatient = { connectionString: where, options: '-c lock_timeout=50' };
    const [a, b] = [new pg.Client(impatient), new pg.Client(impatient)];
    const folder = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool(impatient) }) });
    const raw = await openRaw(where);
    try {
      const id = await planDue(store, '1.0.0', emails(0, 3));
      const [first, second, third] = (await store.listDeliveries(id)).map((r) => r.id);
      await Promise.all([a.connect(), b.connect()]);
      // Runner A has counters of its own, then changes another row and keeps its transaction open.
      await a.query(`UPDATE deliveries SET state = 'sent' WHERE id = ${third}`);
      await a.query('BEGIN');
      await a.query(`UPDATE deliveries SET state = 'attempting' WHERE id = ${first}`);
      // Runner B makes the same change to another row of the bundle: same counters, no wait.
      await b.query('BEGIN');
      await b.query(`UPDATE deliveries SET state = 'attempting' WHERE id = ${second}`);
      await b.query('COMMIT');
      // A fold takes what is free and leaves A's counters for later.
      await folder.transaction().execute((trx) => foldDeliveryCounts(trx, postgresOps, id));
      await a.query('COMMIT');
      expect(await expectCountsExact(raw, 'after both committed')).toEqual({
        [`${id} email attempting`]: 2,
        [`${id} email sent`]: 1,
      });
      await folder.transaction().execute((trx) => foldDeliveryCounts(trx, postgresOps, id));
      const shards = await raw.query<{ shard: string }>(`SELECT DISTINCT shard FROM delivery_counts`);
      expect(shards.map((s) => Number(s.shard))).toEqual([0]);
      await expectCountsExact(raw, 'folded');
    } finally {
      await Promise.all([a.end(), b.end(), folder.destroy(), raw.close(), store.close()]);
    }
  });

  it('stay exact while two runners claim, fence and settle one bundle at once and a third completes it, with no deadlock', async () => {
    const where = await postgres.freshDatabase();
    const [a, b, lead] = [
      await openPostgresStore(where),
      await openPostgresStore(where),
      await openPostgresStore(where),
    ];
    const raw = await openRaw(where);
    try {
      const id = await planDue(lead, '1.0.0', emails(0, 1_500));
      /**
       * One runner: claims batches until none is left; as the engine does, one transaction
       * settles the last batch and fences the next (every 7th refused, the rest sent).
       */
      const run = async (store: StorePort, owner: string) => {
        let inFlight: DeliveryRow[] = [];
        for (;;) {
          const rows = await store.claimDeliveries({ owner, target: 'email', limit: 25, leaseMs: 60_000 });
          const refused = inFlight.filter((r) => Number(r.key.slice(3)) % 7 === 0);
          const sent = inFlight.filter((r) => !refused.includes(r));
          await store.recordAttempts({
            settle: [...settle(refused, owner, 'failed'), ...settle(sent, owner, 'sent')],
            fence: fence(rows, owner),
          });
          if (rows.length === 0) return;
          inFlight = rows;
        }
      };
      /** The lead folds the counts (and checks for completion) while the runners work. */
      let running = true;
      const complete = async () => {
        while (running) await lead.completeBundle(id, 'lead');
      };
      const rounds = async () => {
        await Promise.all([run(a, 'a'), run(b, 'b')]);
        // `herald retry` while the lead folds: the refused rows go back (unknown: they were attempted).
        expect(await lead.requeueDeliveries(id, 'email', 'lead')).toBeGreaterThan(0);
      };
      const completing = complete();
      await rounds();
      running = false;
      await completing;

      const counted = await expectCountsExact(raw, 'after two runners');
      expect(counted[`${id} email sent`]).toBe(1_500 - Math.ceil(1_500 / 7));
      expect(flatten(id, await lead.deliverySummary(id))).toEqual(ofBundle(counted, id));
      // A fold at rest leaves one counter row per target and state.
      await lead.completeBundle(id, 'lead');
      const shards = await raw.query<{ shard: string }>(
        `SELECT DISTINCT shard FROM delivery_counts WHERE bundle_id = ${id}`,
      );
      expect(shards.map((s) => Number(s.shard))).toEqual([0]);
      await expectCountsExact(raw, 'folded');
    } finally {
      await raw.close();
      for (const store of [a, b, lead]) await store.close();
    }
  });
});
