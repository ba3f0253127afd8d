import { describe, expect, it } from 'vitest';
import {
  decideCancel,
  decideEdit,
  decideHold,
  decidePrepare,
  decideSchedule,
  type Schedule,
} from '../../src/core/bundle-lifecycle.js';
import {
  ANNOUNCEABLE,
  allows,
  DELIVERING,
  LIFECYCLE,
  type LifecycleCommand,
  statusesFor,
} from '../../src/core/lifecycle-table.js';
import { isHeraldError } from '../../src/errors/index.js';
import type { BundleRecord, BundleStatus } from '../../src/model/index.js';
import type { BundleMutation } from '../../src/ports/store.js';
import { makeBundle } from '../helpers/bundles.js';

const NOW = Date.UTC(2026, 10, 1, 9);
const STATUSES: BundleStatus[] = ['draft', 'scheduled', 'held', 'cancelled', 'announcing', 'announced'];
const bundle = makeBundle('1.2.0');

const record = (status: BundleStatus): BundleRecord => ({
  id: 1,
  key: { product: 'Acme', package: '', version: '1.2.0' },
  status,
  revision: 4,
  contentRevision: 2,
  contentHash: 'sha256:old',
  announceAt: status === 'draft' || status === 'held' || status === 'cancelled' ? null : NOW - 60_000,
  timeZone: 'Europe/Berlin',
  overlay: {},
  createdAt: NOW - 86_400_000,
  updatedAt: NOW - 3_600_000,
});
const later: Schedule = { at: NOW + 3_600_000, zone: 'Europe/Berlin' };

type Decide = (current: BundleRecord | null) => BundleMutation<unknown>;

/** Each command's ways of being asked (with and without a schedule): all must follow its row. */
const variants: Partial<Record<LifecycleCommand, Decide[]>> = {
  prepare: [null, later, 'now' as const].map(
    (at): Decide =>
      (current) =>
        decidePrepare(current, NOW, {
          bundle,
          contentHash: 'sha256:new',
          schedule: at === null ? null : at === 'now' ? { at: 'now', zone: 'UTC' } : at,
          force: false,
        }),
  ),
  'prepare --force': [null, later].map(
    (schedule): Decide =>
      (current) =>
        decidePrepare(current, NOW, { bundle, contentHash: 'sha256:new', schedule, force: true }),
  ),
  schedule: [(current) => decideSchedule(current, NOW, later, '1.2.0')],
  hold: [(current) => decideHold(current, '1.2.0')],
  cancel: [(current) => decideCancel(current, '1.2.0')],
  ...Object.fromEntries(
    ([false, true] as const).map((force) => [
      force ? 'edit --force' : 'edit',
      [
        (current: BundleRecord | null) =>
          decideEdit(current, { baseRevision: 2, bundle, contentHash: 'sha256:new', overlay: {}, force }),
      ],
    ]),
  ),
};

/** What a decision does: refuses (a HeraldError), or leaves the bundle in a status. */
function outcome(decide: Decide, current: BundleRecord | null): 'refused' | BundleStatus {
  try {
    const mutation = decide(current);
    if (mutation.write) return mutation.status;
    if (current === null) throw new Error('a decision on no bundle must write or refuse');
    return current.status;
  } catch (error) {
    if (isHeraldError(error)) return 'refused';
    throw error;
  }
}

describe('the lifecycle table: decisions follow it', () => {
  for (const [command, decides] of Object.entries(variants) as [LifecycleCommand, Decide[]][]) {
    const row = LIFECYCLE[command] as Partial<Record<BundleStatus | 'new', readonly BundleStatus[]>>;
    it.each([null, ...STATUSES])(`${command} from %s`, (status) => {
      const current = status === null ? null : record(status);
      const allowed = row[status ?? 'new'];
      const results = decides.map((decide) => outcome(decide, current));
      if (!allowed) expect(results).toEqual(results.map(() => 'refused'));
      else {
        for (const result of results) expect(allowed).toContain(result);
        // Every status the table names is reached by some way of asking.
        expect([...new Set(results)].sort()).toEqual([...allowed].sort());
      }
    });
  }

  it('hold is allowed on an announcing release, and prepare revises one', () => {
    expect(allows('hold', 'announcing')).toBe(true);
    expect(outcome(variants.hold![0]!, record('announcing'))).toBe('held');
    const revised = decidePrepare(record('announcing'), NOW, {
      bundle,
      contentHash: 'sha256:new',
      schedule: null,
      force: false,
    });
    expect(revised).toMatchObject({ write: true, status: 'announcing', result: { outcome: 'revised' } });
  });

  it("the store's gates read the same table", () => {
    expect(ANNOUNCEABLE).toEqual(statusesFor('announce'));
    expect([...ANNOUNCEABLE].sort()).toEqual(['announced', 'announcing', 'scheduled']);
    expect(DELIVERING).toBe('announcing');
    expect(statusesFor('complete')).toEqual([DELIVERING]);
  });
});
