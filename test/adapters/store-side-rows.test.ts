import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyOf, prepare } from '../helpers/bundles.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { storeDialects } from '../helpers/stores.js';

// Side rows (the release report's thread): written beside the plan, they never hold a bundle back.

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

describe.each(storeDialects(() => postgres))('store side rows: $name', (dialect) => {
  it('inserts then replaces one row per key, is never claimed or failed, and lets the bundle complete', async () => {
    const store = await dialect.open(await dialect.fresh());
    try {
      await prepare(store, '1.0.0', { schedule: { at: 'now', zone: 'UTC' } });
      const { id } = (await store.findBundle(keyOf('1.0.0')))!;
      const side = { target: 'report:slack', key: 'thread:C0R', externalUrl: null, lastError: null };
      await store.saveSideRow(id, { ...side, state: 'skipped', externalId: null, receipt: null });
      expect(
        await store.recordPlan(id, 1, [{ target: 'zendesk', key: 'a', phase: 0, summary: 'a' }], 'tester'),
      ).toBe(true);
      await store.saveSideRow(id, { ...side, state: 'sent', externalId: '1.5', receipt: '{"n":1}' });

      const rows = await store.listDeliveries(id, { keys: ['thread:C0R'] });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        target: 'report:slack',
        state: 'sent',
        externalId: '1.5',
        receipt: '{"n":1}',
      });
      expect(
        await store.claimDeliveries({ owner: 'o', target: 'report:slack', limit: 10, leaseMs: 60_000 }),
      ).toEqual([]);
      expect(await store.failedDeliveries()).toEqual([]);

      // The planned row goes out: the side row does not hold the bundle back.
      const [planned] = await store.claimDeliveries({
        owner: 'o',
        target: 'zendesk',
        limit: 10,
        leaseMs: 60_000,
      });
      await store.recordAttempts({
        settle: [],
        fence: [{ id: planned!.id, owner: 'o', attemptId: 'x', leaseMs: 60_000 }],
      });
      await store.recordAttempts({
        settle: [
          {
            id: planned!.id,
            owner: 'o',
            attemptId: 'x',
            outcome: { state: 'sent', externalId: '1', url: null },
          },
        ],
        fence: [],
      });
      expect(await store.completeBundle(id, 'tester')).toBe('announced');
    } finally {
      await store.close();
    }
  });
});
