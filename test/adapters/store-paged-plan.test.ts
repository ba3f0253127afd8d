import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRow } from '../../src/model/index.js';
import type { StorePort } from '../../src/ports/index.js';
import { keyOf, prepare } from '../helpers/bundles.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { storeDialects } from '../helpers/stores.js';

// A plan written page by page (`recordPlanPage`, then `recordPlan` with the paged targets): the
// same outcome as a plan written at once, and nothing claimable before its end.

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
});

const email = (...ids: number[]) =>
  ids.map((id) => ({ target: 'email', key: `to:${id}`, phase: 40, summary: `email ${id}` }));
const notes = [{ target: 'helpcenter', key: 'content:notes:x', phase: 5, summary: 'notes' }];

async function attempt(store: StorePort, row: DeliveryRow, outcome: 'sent' | 'failed') {
  const attemptId = `attempt-${row.id}`;
  await store.recordAttempts({ settle: [], fence: [{ id: row.id, owner: 'o', attemptId, leaseMs: 60_000 }] });
  await store.recordAttempts({
    settle: [
      {
        id: row.id,
        owner: 'o',
        attemptId,
        outcome:
          outcome === 'sent'
            ? { state: 'sent', externalId: '1', url: null }
            : { state: 'failed', error: 'refused' },
      },
    ],
    fence: [],
  });
}

describe.each(storeDialects(() => postgres))('paged plans: $name', (dialect) => {
  it('claims nothing before the plan ends; a new revision keeps, requeues, adds and drops by page', async () => {
    const store = await dialect.open(await dialect.fresh());
    try {
      await prepare(store, '1.0.0', { schedule: { at: 'now', zone: 'UTC' } });
      const { id } = (await store.findBundle(keyOf('1.0.0')))!;
      const claim = (target: string) =>
        store.claimDeliveries({ owner: 'o', target, limit: 10, leaseMs: 60_000 });
      const rows = async () => new Map((await store.listDeliveries(id)).map((r) => [r.key, r]));

      expect(await store.recordPlanPage(id, 1, email(1, 2, 3))).toBe(true);
      expect(await store.recordPlanPage(id, 1, email(3, 4))).toBe(true);
      expect(await claim('email')).toEqual([]);
      expect(await store.recordPlan(id, 1, notes, 'tester', { email: 5 })).toBe(true);
      // Planned: a late page of another run writes nothing.
      expect(await store.recordPlanPage(id, 1, email(9))).toBe(false);
      expect([...(await rows()).keys()].sort()).toEqual(['content:notes:x', 'to:1', 'to:2', 'to:3', 'to:4']);

      await attempt(store, (await claim('helpcenter'))[0]!, 'sent');
      const claimed = await claim('email');
      expect(claimed.map((r) => r.key)).toEqual(['to:1', 'to:2', 'to:3', 'to:4']);
      await attempt(store, claimed[0]!, 'sent');
      await attempt(store, claimed[1]!, 'failed');
      await store.releaseClaims('o');

      // Revision 2 wants 2, 3 and a new 5: 4 is dropped, the failed 2 gets another chance.
      await prepare(store, '1.0.0', {
        text: 'Second wording',
        schedule: { at: 'now', zone: 'UTC' },
        force: true,
      });
      const revision = (await store.findBundle(keyOf('1.0.0')))!.revision;
      expect(revision).toBeGreaterThan(1);
      expect(await store.recordPlanPage(id, 1, email(8))).toBe(false);
      expect(await store.recordPlanPage(id, revision, email(2, 3))).toBe(true);
      expect(await store.recordPlanPage(id, revision, email(5))).toBe(true);
      // Still announcing, its new revision half planned: nothing of it goes out yet (the help
      // centre's rows of this revision, which go first, are written at the end).
      expect((await store.findBundle(keyOf('1.0.0')))!.status).toBe('announcing');
      expect(await claim('email')).toEqual([]);
      expect(await store.recordPlan(id, revision, notes, 'tester', { email: 3 })).toBe(true);
      const after = await rows();
      expect([...after.keys()].sort()).toEqual(['content:notes:x', 'to:1', 'to:2', 'to:3', 'to:4', 'to:5']);
      expect(after.get('to:1')).toMatchObject({ state: 'sent', bundleRevision: 1 });
      expect(after.get('to:2')).toMatchObject({ state: 'unknown', bundleRevision: revision });
      expect(after.get('to:3')).toMatchObject({ state: 'pending', bundleRevision: revision });
      expect(after.get('to:4')).toMatchObject({
        state: 'skipped',
        lastError: `not needed by revision ${revision}`,
      });
      expect(after.get('to:5')).toMatchObject({ state: 'pending', bundleRevision: revision, attempts: 0 });
      expect((await store.findBundle(keyOf('1.0.0')))!.status).toBe('announcing');
    } finally {
      await store.close();
    }
  }, 60_000);
});
