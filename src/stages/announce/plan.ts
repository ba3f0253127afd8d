import semver from 'semver';
import type { BundleKey, PlannedDelivery } from '../../model/index.js';
import type { PagedPlan, StorePort } from '../../ports/index.js';
import type { AnnounceRun } from './start.js';
import { PLANNED_LISTED } from './types.js';

/**
 * Step 1: plan what is due. Every bundle whose announce time has come (by the store's clock) gets
 * its deliveries from each channel, recorded as ledger rows (unless this is a dry run). A channel
 * that plans in pages (email: a row per subscriber) has each page written as it comes, and only
 * counted here, so a million subscribers take no more memory than a thousand.
 */
export async function planDue(run: AnnounceRun): Promise<void> {
  const { store, options, report } = run;
  const toPlan = await store.bundlesToPlan();
  for (const record of toPlan) {
    const revision = await store.readRevision(record.id);
    if (!revision) continue;
    // The deliveries need the same content: no second read.
    run.remember(record.id, { record, bundle: revision.bundle });
    const syncDocs = await isNewestRelease(
      store,
      record.key,
      toPlan.map((p) => p.key),
    );
    const counts: Record<string, number> = {};
    const listed: PlannedDelivery[] = [];
    const tally = (page: PlannedDelivery[]) => {
      for (const d of page) {
        counts[d.target] = (counts[d.target] ?? 0) + 1;
        if (counts[d.target]! <= PLANNED_LISTED) listed.push(d);
      }
    };
    const deliveries: PlannedDelivery[] = [];
    const paged: PagedPlan = {};
    for (const channel of options.channels) {
      const planned = channel.plan({ record, bundle: revision.bundle, syncDocs });
      if (!isPages(planned)) {
        const all = await planned;
        tally(all);
        for (const d of all) deliveries.push(d);
        continue;
      }
      paged[channel.target] = 0;
      for await (const page of planned) {
        tally(page);
        paged[channel.target]! += page.length;
        // False: the bundle changed, or another run finished this plan; recordPlan says which.
        if (!options.dryRun && !(await store.recordPlanPage(record.id, record.revision, page))) break;
      }
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    report.planned.push({ key: record.key, revision: record.revision, counts, deliveries: listed });
    run.emit({ type: 'plan', key: record.key, deliveries: total });
    if (!options.dryRun) await store.recordPlan(record.id, record.revision, deliveries, options.actor, paged);
  }
}

const isPages = (
  planned: Promise<PlannedDelivery[]> | AsyncIterable<PlannedDelivery[]>,
): planned is AsyncIterable<PlannedDelivery[]> => Symbol.asyncIterator in planned;

/**
 * Docs are synced only from the newest release of a product: an older release announced late (or
 * corrected) must not put older pages back.
 */
async function isNewestRelease(store: StorePort, key: BundleKey, due: BundleKey[]): Promise<boolean> {
  const newer = (other: string) =>
    semver.valid(other) && semver.valid(key.version) ? semver.gt(other, key.version) : false;
  const sameScope = (k: BundleKey) => k.product === key.product && k.package === key.package;
  if (due.some((k) => sameScope(k) && newer(k.version))) return false;
  const last = await store.lastAnnounced(key.product, key.package, key.version);
  return !(last && newer(last.record.key.version));
}
