import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideCancel, decideHold, decideSchedule } from '../../src/core/bundle-lifecycle.js';
import type { DeliveryRow } from '../../src/model/index.js';
import type { StorePort } from '../../src/ports/index.js';
import { keyOf, prepare } from '../helpers/bundles.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { storeDialects } from '../helpers/stores.js';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

/** Each dialect: a way to get a fresh store location, and to open it (again). */
const dialects = storeDialects(() => postgres);

const HOUR = 3_600_000;

const row = (target: string, key: string, phase: number) => ({ target, key, phase, summary: key });

/** Release 1.0.0, due now, with `plan` recorded as its first plan; returns the bundle id. */
async function planDue(store: StorePort, plan: ReturnType<typeof row>[]): Promise<number> {
  await prepare(store, '1.0.0', { schedule: { at: 'now', zone: 'UTC' } });
  const { id } = (await store.findBundle(keyOf('1.0.0')))!;
  await store.recordPlan(id, 1, plan, 'tester');
  return id;
}

/** One delivery attempt of a claimed row: fenced, then settled with `outcome`. */
async function attemptOnce(
  store: StorePort,
  row: DeliveryRow,
  owner: string,
  outcome: 'sent' | 'failed',
  receipt: string | null = null,
): Promise<void> {
  const attemptId = `attempt-${row.id}`;
  expect(
    await store.recordAttempts({ settle: [], fence: [{ id: row.id, owner, attemptId, leaseMs: 60_000 }] }),
  ).toEqual({ settled: [], fenced: [true] });
  await store.recordAttempts({
    settle: [
      {
        id: row.id,
        owner,
        attemptId,
        outcome:
          outcome === 'sent'
            ? { state: 'sent', externalId: '1', url: null, receipt }
            : { state: 'failed', error: 'refused' },
      },
    ],
    fence: [],
  });
}

describe.each(dialects)('store contract: $name', (dialect) => {
  async function withStore<T>(work: (store: StorePort, where: string) => Promise<T>): Promise<T> {
    const where = await dialect.fresh();
    const store = await dialect.open(where);
    try {
      return await work(store, where);
    } finally {
      await store.close();
    }
  }

  it('migrates once, even when several processes open a new store at once', async () => {
    const where = await dialect.fresh();
    const stores = await Promise.all(Array.from({ length: 4 }, () => dialect.open(where)));
    await prepare(stores[0]!, '1.0.0');
    for (const store of stores) expect(await store.findBundle(keyOf('1.0.0'))).not.toBeNull();
    await Promise.all(stores.map((s) => s.close()));
    const again = await dialect.open(where);
    expect((await again.listBundles()).map((b) => b.key.version)).toEqual(['1.0.0']);
    await again.close();
  });

  it("tells time by the store's clock", () =>
    withStore(async (store) => {
      const now = await store.now();
      expect(Number.isInteger(now)).toBe(true);
      expect(Math.abs(now - Date.now())).toBeLessThan(5_000);
    }));

  it('stores a prepared bundle as a draft with revision 1 and an audit entry', () =>
    withStore(async (store) => {
      const { result, record } = await prepare(store, '1.0.0', { actor: 'Ada <ada@example.com>' });
      expect(result).toEqual({ outcome: 'created' });
      expect(record).toMatchObject({ status: 'draft', revision: 1, contentRevision: 1, announceAt: null });
      const revision = await store.readRevision(record!.id);
      expect(revision).toMatchObject({ number: 1, kind: 'prepare', createdBy: 'Ada <ada@example.com>' });
      expect(revision!.bundle.notes.customer!.markdown).toBe('- Export invoices as CSV\n');
      const log = await store.auditLog(keyOf('1.0.0'));
      expect(log).toMatchObject([{ action: 'prepare', actor: 'Ada <ada@example.com>', version: '1.0.0' }]);
    }));

  it('treats identical content as a no-op and changed content as a new revision that keeps the schedule', () =>
    withStore(async (store) => {
      const first = await prepare(store, '1.0.0');
      const at = (await store.now()) + 2 * HOUR;
      await store.mutateBundle(keyOf('1.0.0'), 'rm', (c, now) =>
        decideSchedule(c, now, { at, zone: 'Europe/Berlin' }, '1.0.0'),
      );
      const same = await prepare(store, '1.0.0');
      expect(same.result.outcome).toBe('unchanged');
      expect(same.record!.revision).toBe(2);
      const changed = await prepare(store, '1.0.0', { text: 'Export invoices as CSV and PDF' });
      expect(changed.result.outcome).toBe('revised');
      expect(changed.record).toMatchObject({
        status: 'scheduled',
        announceAt: at,
        timeZone: 'Europe/Berlin',
        contentRevision: 2,
        revision: 3,
      });
      expect(changed.record!.contentHash).not.toBe(first.record!.contentHash);
      expect((await store.readRevision(first.record!.id, 1))!.bundle.notes.customer!.markdown).toContain(
        'CSV\n',
      );
      expect((await store.readRevision(first.record!.id))!.number).toBe(2);
    }));

  it('is due only once its time has come, and never when held or cancelled', () =>
    withStore(async (store) => {
      await prepare(store, '1.0.0', { schedule: { at: 'now', zone: 'UTC' } });
      await prepare(store, '1.1.0', { schedule: { at: (await store.now()) + HOUR, zone: 'UTC' } });
      await prepare(store, '1.2.0', { schedule: { at: 'now', zone: 'UTC' } });
      await prepare(store, '1.3.0', { schedule: { at: 'now', zone: 'UTC' } });
      await store.mutateBundle(keyOf('1.2.0'), 'rm', (c) => decideHold(c, '1.2.0'));
      await store.mutateBundle(keyOf('1.3.0'), 'rm', (c) => decideCancel(c, '1.3.0'));
      expect((await store.dueBundles()).map((b) => b.key.version)).toEqual(['1.0.0']);
      const held = await store.findBundle(keyOf('1.2.0'));
      expect(held).toMatchObject({ status: 'held', announceAt: null });
    }));

  it('becomes due when a near announce time passes (no clock override: it waits)', () =>
    withStore(async (store) => {
      const at = (await store.now()) + 1_200;
      await prepare(store, '1.0.0', { schedule: { at, zone: 'UTC' } });
      expect(await store.dueBundles()).toEqual([]);
      while ((await store.now()) < at) await new Promise((r) => setTimeout(r, 100));
      expect((await store.dueBundles()).map((b) => b.key.version)).toEqual(['1.0.0']);
    }));

  it('refuses to schedule in the past, and leaves the row untouched', () =>
    withStore(async (store) => {
      await prepare(store, '1.0.0');
      const past = (await store.now()) - 60_000;
      await expect(
        store.mutateBundle(keyOf('1.0.0'), 'rm', (c, now) =>
          decideSchedule(c, now, { at: past, zone: 'UTC' }, '1.0.0'),
        ),
      ).rejects.toMatchObject({ code: 'EPAST' });
      expect(await store.findBundle(keyOf('1.0.0'))).toMatchObject({ status: 'draft', revision: 1 });
      expect(await store.auditLog(keyOf('1.0.0'))).toHaveLength(1);
    }));

  it('refuses new content for an announced release unless forced, then stores a correction', () =>
    withStore(async (store) => {
      await prepare(store, '1.0.0');
      await store.mutateBundle(keyOf('1.0.0'), 'announcer', (c) => ({
        write: true,
        result: null,
        status: 'announced',
        announceAt: c!.announceAt,
        timeZone: c!.timeZone,
        audit: { action: 'announced', details: {} },
      }));
      expect((await prepare(store, '1.0.0')).result.outcome).toBe('unchanged');
      await expect(prepare(store, '1.0.0', { text: 'Fixed wording' })).rejects.toMatchObject({
        code: 'EANNOUNCED',
      });
      const corrected = await prepare(store, '1.0.0', { text: 'Fixed wording', force: true });
      expect(corrected.result.outcome).toBe('corrected');
      expect((await store.readRevision(corrected.record!.id))!.kind).toBe('correction');
      const last = await store.lastAnnounced('Acme', '', '2.0.0');
      expect(last!.record.key.version).toBe('1.0.0');
      expect(last!.revision.number).toBe(2);
      expect(await store.lastAnnounced('Acme', '', '1.0.0')).toBeNull();
    }));

  it('serialises concurrent writers of one bundle: one creation, no lost update', () =>
    withStore(async (store, where) => {
      const others = await Promise.all(Array.from({ length: 3 }, () => dialect.open(where)));
      const all = [store, ...others];
      const results = await Promise.all(all.flatMap((s) => [prepare(s, '2.0.0'), prepare(s, '2.0.0')]));
      expect(results.filter((r) => r.result.outcome === 'created')).toHaveLength(1);
      expect(results.filter((r) => r.result.outcome === 'unchanged')).toHaveLength(7);
      const record = (await store.findBundle(keyOf('2.0.0')))!;
      expect(record.contentRevision).toBe(1);
      expect(await store.auditLog(keyOf('2.0.0'))).toHaveLength(1);
      await Promise.all(others.map((s) => s.close()));
    }));

  it('rolls back everything a failing decision would have written', () =>
    withStore(async (store) => {
      await expect(
        store.mutateBundle(keyOf('3.0.0'), 'rm', () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.findBundle(keyOf('3.0.0'))).toBeNull();
      // The store is still usable after the rollback.
      expect((await prepare(store, '3.0.0')).result.outcome).toBe('created');
    }));

  it('keeps blobs by content hash, once', () =>
    withStore(async (store) => {
      const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 10, 13]);
      expect(await store.missingBlobs(['h1', 'h2'])).toEqual(['h1', 'h2']);
      await store.putBlobs([{ hash: 'h1', contentType: 'image/png', bytes }]);
      await store.putBlobs([{ hash: 'h1', contentType: 'image/png', bytes }]);
      expect(await store.missingBlobs(['h1', 'h2'])).toEqual(['h2']);
      const blob = await store.readBlob('h1');
      expect(blob!.contentType).toBe('image/png');
      expect([...blob!.bytes]).toEqual([...bytes]);
      expect(await store.readBlob('nope')).toBeNull();
    }));

  it('lists bundles newest first, per product, with a limit', () =>
    withStore(async (store) => {
      for (const v of ['1.0.0', '1.1.0', '1.2.0']) await prepare(store, v);
      await prepare(store, '9.0.0', { product: 'Other' });
      expect((await store.listBundles({ product: 'Acme' })).map((b) => b.key.version)).toEqual([
        '1.2.0',
        '1.1.0',
        '1.0.0',
      ]);
      expect(await store.listBundles({ product: 'Acme', limit: 1 })).toHaveLength(1);
      expect(await store.listBundles()).toHaveLength(4);
      const [newest] = await store.listBundles({ product: 'Acme' });
      expect(newest!.deliveries).toEqual({});
      expect(await store.deliverySummary(newest!.id)).toEqual({});
    }));

  it('lists bundles of one package and some statuses, a page at a time', () =>
    withStore(async (store) => {
      for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0']) await prepare(store, v);
      await store.mutateBundle(keyOf('1.1.0'), 'tester', (current) => decideCancel(current, '1.1.0'));
      const versions = async (options: Parameters<StorePort['listBundles']>[0]) =>
        (await store.listBundles(options)).map((b) => b.key.version);
      expect(await versions({ statuses: ['draft'] })).toEqual(['1.3.0', '1.2.0', '1.0.0']);
      expect(await versions({ statuses: ['cancelled', 'draft'], offset: 1, limit: 2 })).toEqual([
        '1.2.0',
        '1.1.0',
      ]);
      expect(await versions({ statuses: [] })).toEqual([]);
      expect(await versions({ package: '' })).toHaveLength(4);
      expect(await versions({ package: 'web' })).toEqual([]);
    }));

  it('gives back the rows a run leased and did not attempt, keeping the attempted ones', () =>
    withStore(async (store) => {
      await prepare(store, '1.0.0', { schedule: { at: 'now', zone: 'UTC' } });
      const { id } = (await store.findBundle(keyOf('1.0.0')))!;
      const plan = ['to:1', 'to:2', 'to:3'].map((key) => ({ target: 'email', key, phase: 40, summary: key }));
      await store.recordPlan(id, 1, plan, 'tester');
      const claim = async (owner: string) =>
        (await store.claimDeliveries({ owner, target: 'email', limit: 10, leaseMs: 600_000 })).map(
          (r) => r.key,
        );
      const mine = await store.claimDeliveries({
        owner: 'run-a',
        target: 'email',
        limit: 10,
        leaseMs: 600_000,
      });
      expect(mine.map((r) => r.key)).toEqual(['to:1', 'to:2', 'to:3']);
      expect(
        await store.recordAttempts({
          settle: [],
          fence: [{ id: mine[0]!.id, owner: 'run-a', attemptId: 'x1', leaseMs: 600_000 }],
        }),
      ).toEqual({ settled: [], fenced: [true] });
      expect(await claim('run-b')).toEqual([]);
      expect(await store.releaseClaims('run-a')).toBe(2);
      // The attempted one stays leased (its outcome is not known); the others are free now.
      expect(await claim('run-b')).toEqual(['to:2', 'to:3']);
      expect(await store.releaseClaims('run-c')).toBe(0);
    }));

  it('orders deliveries by phase: channels after the release notes, per target above; a dropped key planned again goes out', () =>
    withStore(async (store) => {
      const id = await planDue(store, [
        row('helpcenter', 'article:notes', 5),
        row('slack:C1', 'post:message', 40),
        row('slack:C1', 'post:reply:1', 41),
        row('slack:C2', 'post:message', 40),
        row('slack:C2', 'post:reply:1', 41),
      ]);
      const claim = async (target: string) =>
        (await store.claimDeliveries({ owner: 'w', target, limit: 10, leaseMs: 60_000 })).map((r) => r.key);
      const finish = async (target: string, outcome: 'sent' | 'failed') => {
        const [first] = await store.claimDeliveries({ owner: 'w', target, limit: 1, leaseMs: 60_000 });
        await attemptOnce(store, first!, 'w', outcome, `250 ok ${target}`);
      };
      // The release notes go first, for every target.
      expect(await claim('slack:C1')).toEqual([]);
      await finish('helpcenter', 'sent');
      // A sent row keeps what the target answered.
      expect((await store.listDeliveries(id, { keys: ['article:notes'] }))[0]).toMatchObject({
        state: 'sent',
        externalId: '1',
        receipt: '250 ok helpcenter',
      });
      // A refused channel holds up its own thread, and no other channel.
      await finish('slack:C1', 'failed');
      expect(await claim('slack:C1')).toEqual([]);
      await finish('slack:C2', 'sent');
      expect(await claim('slack:C2')).toEqual(['post:reply:1']);

      // Corrections: revision 2 drops the Slack rows that never went out; revision 3 wants one back.
      const markAnnounced = () =>
        store.mutateBundle(keyOf('1.0.0'), 'announcer', (c) => ({
          write: true,
          result: null,
          status: 'announced',
          announceAt: c!.announceAt,
          timeZone: c!.timeZone,
          audit: { action: 'announced', details: {} },
        }));
      await markAnnounced();
      await prepare(store, '1.0.0', { text: 'Second wording', force: true });
      const revision = async () => (await store.findBundle(keyOf('1.0.0')))!.revision;
      await store.recordPlan(id, await revision(), [row('helpcenter', 'content:notes:x', 5)], 'tester');
      expect((await store.listDeliveries(id)).find((r) => r.key === 'post:reply:1')!.state).toBe('skipped');
      await markAnnounced();
      await prepare(store, '1.0.0', { text: 'Third wording', force: true });
      await store.recordPlan(id, await revision(), [row('slack:C1', 'post:reply:1', 41)], 'tester');
      expect((await store.listDeliveries(id)).find((r) => r.key === 'post:reply:1')).toMatchObject({
        state: 'pending',
        bundleRevision: await revision(),
        attempts: 0,
      });
    }));

  it('keeps the release notes and the docs in lanes: a failed docs row holds up neither the notes nor the channels; a failed notes row holds the channels', () =>
    withStore(async (store) => {
      const id = await planDue(store, [
        row('helpcenter', 'section:guide', 10),
        row('helpcenter', 'article:doc:intro', 20),
        row('helpcenter', 'section:release-notes', 2),
        row('helpcenter', 'article:notes', 5),
        row('slack:C1', 'post:message', 40),
        row('email', 'to:1', 40),
      ]);
      const claimable = async () => {
        const keys: string[] = [];
        for (const target of ['helpcenter', 'slack:C1', 'email']) {
          const rows = await store.claimDeliveries({ owner: 'probe', target, limit: 10, leaseMs: 60_000 });
          keys.push(...rows.map((r) => r.key));
        }
        await store.releaseClaims('probe');
        return keys.sort();
      };
      const settle = async (key: string, outcome: 'sent' | 'failed') => {
        const target = key.startsWith('to:') ? 'email' : key.startsWith('post:') ? 'slack:C1' : 'helpcenter';
        const rows = await store.claimDeliveries({ owner: 'w', target, limit: 10, leaseMs: 60_000 });
        const mine = rows.find((r) => r.key === key);
        expect(mine, `${key} is claimable`).toBeDefined();
        await attemptOnce(store, mine!, 'w', outcome);
        await store.releaseClaims('w');
      };
      // Each lane starts at once; the channels wait for the help centre.
      expect(await claimable()).toEqual(['section:guide', 'section:release-notes']);
      await settle('section:guide', 'failed');
      // The docs section failed: its article waits, the notes lane goes on.
      expect(await claimable()).toEqual(['section:release-notes']);
      await settle('section:release-notes', 'sent');
      expect(await claimable()).toEqual(['article:notes']);
      // The notes article failed: the channels, which link to it, wait.
      await settle('article:notes', 'failed');
      expect(await claimable()).toEqual([]);
      // Put right and retried, the notes go out and the channels follow; the docs article still waits.
      expect(await store.requeueDeliveries(id, 'helpcenter', 'tester')).toBe(2);
      await settle('article:notes', 'sent');
      expect(await claimable()).toEqual(['post:message', 'section:guide', 'to:1']);
    }));

  it('holds a phase while any lower row of its lane is unfinished (pending, in flight, unknown or failed), whatever lies between, and lets other lanes and targets go', () =>
    withStore(async (store) => {
      const id = await planDue(store, [
        row('helpcenter', 'section:release-notes', 2),
        row('helpcenter', 'article:notes', 5),
        row('helpcenter', 'section:guide', 10),
        row('helpcenter', 'article:doc:a', 20),
        row('helpcenter', 'article:doc:b', 20),
        row('helpcenter', 'content:doc:a', 30),
        row('slack:C1', 'post:message', 40),
        row('slack:C1', 'post:reply:1', 41),
        row('slack:C1', 'post:reply:2', 42),
        row('slack:C2', 'post:message', 40),
        ...Array.from({ length: 30 }, (_, i) => row('email', `to:${i}`, 40)),
      ]);
      const targets = ['helpcenter', 'slack:C1', 'slack:C2', 'email'];
      const claimable = async () => {
        const keys: string[] = [];
        for (const target of targets) {
          const rows = await store.claimDeliveries({ owner: 'probe', target, limit: 100, leaseMs: 60_000 });
          keys.push(...rows.map((r) => r.key));
        }
        await store.releaseClaims('probe');
        return keys.filter((k) => !k.startsWith('to:') || k === 'to:0').sort();
      };
      /** Claims the row and fences it (in flight); the other rows claimed with it go back. */
      const begin = async (target: string, key: string) => {
        const rows = await store.claimDeliveries({ owner: 'w', target, limit: 100, leaseMs: 60_000 });
        const mine = rows.find((r) => r.key === key);
        expect(mine, `${key} is claimable`).toBeDefined();
        const attemptId = `a-${mine!.id}`;
        expect(
          await store.recordAttempts({
            settle: [],
            fence: [{ id: mine!.id, owner: 'w', attemptId, leaseMs: 60_000 }],
          }),
        ).toEqual({ settled: [], fenced: [true] });
        await store.releaseClaims('w');
        return { ...mine!, attemptId };
      };
      const end = (started: DeliveryRow & { attemptId: string }, state: 'sent' | 'failed') =>
        store.recordAttempts({
          settle: [
            {
              id: started.id,
              owner: 'w',
              attemptId: started.attemptId,
              outcome: state === 'sent' ? { state, externalId: '1', url: null } : { state, error: 'refused' },
            },
          ],
          fence: [],
        });
      const finish = async (target: string, key: string, state: 'sent' | 'failed') =>
        end(await begin(target, key), state);

      // Each lane's lowest phase; no channel before the notes lane is done.
      expect(await claimable()).toEqual(['section:guide', 'section:release-notes']);
      // A row in flight holds its lane as a pending one does.
      const notesSection = await begin('helpcenter', 'section:release-notes');
      expect(await claimable()).toEqual(['section:guide']);
      await end(notesSection, 'sent');
      await finish('helpcenter', 'article:notes', 'sent');
      // Notes done: every channel's first phase, beside the docs lane, which holds up nothing else.
      expect(await claimable()).toEqual(['post:message', 'post:message', 'section:guide', 'to:0']);
      // Docs: phase 30 waits for 10 while 20 is open too, then for 20 while one of its two is open.
      await finish('helpcenter', 'section:guide', 'sent');
      await finish('helpcenter', 'article:doc:a', 'sent');
      expect((await claimable()).filter((k) => k.includes('doc'))).toEqual(['article:doc:b']);
      await finish('helpcenter', 'article:doc:b', 'failed');
      expect((await claimable()).filter((k) => k.includes('doc'))).toEqual([]);
      // A Slack thread: a part waits for every lower part of its own channel, and for nothing of
      // another channel or of email, which still has 30 rows open in the same phase.
      await finish('slack:C1', 'post:message', 'sent');
      expect((await claimable()).filter((k) => k.startsWith('post:'))).toEqual([
        'post:message',
        'post:reply:1',
      ]);
      await finish('slack:C1', 'post:reply:1', 'failed');
      // The failed part holds its thread, and the poll does not wait for it.
      expect((await claimable()).filter((k) => k.startsWith('post:'))).toEqual(['post:message']);
      expect(await store.nextAttemptIn(['slack:C1'])).toBeNull();
      // Retried, the part is unknown (it may have gone out): it is claimable (to reconcile) and
      // still holds the thread.
      expect(await store.requeueDeliveries(id, 'slack:C1', 'tester')).toBe(1);
      expect((await claimable()).filter((k) => k.startsWith('post:'))).toEqual([
        'post:message',
        'post:reply:1',
      ]);
      // Rows waiting behind a part in flight: the poll looks again soon.
      const reply = await begin('slack:C1', 'post:reply:1');
      expect(reply.state).toBe('unknown');
      expect((await claimable()).filter((k) => k.startsWith('post:'))).toEqual(['post:message']);
      expect(await store.nextAttemptIn(['slack:C1'])).toBeLessThanOrEqual(500);
    }));
});
