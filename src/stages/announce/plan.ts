import semver from 'semver';
import type { BundleKey, PlannedDelivery } from '../../model/index.js';
import type { StorePort } from '../../ports/index.js';
import type { AnnounceRun } from './start.js';
import { PLANNED_LISTED } from './types.js';

/**
 * Step 1: plan what is due. Every bundle whose announce time has come (by the store's clock) gets
 * its deliveries from each channel, recorded as ledger rows (unless this is a dry run).
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
    const deliveries: PlannedDelivery[] = [];
    for (const channel of options.channels)
      deliveries.push(...(await channel.plan({ record, bundle: revision.bundle, syncDocs })));
    const counts: Record<string, number> = {};
    const listed: PlannedDelivery[] = [];
    for (const d of deliveries) {
      counts[d.target] = (counts[d.target] ?? 0) + 1;
      if (counts[d.target]! <= PLANNED_LISTED) listed.push(d);
    }
    report.planned.push({ key: record.key, revision: record.revision, counts, deliveries: listed });
    run.emit({ type: 'plan', key: record.key, deliveries: deliveries.length });
    if (!options.dryRun) await store.recordPlan(record.id, record.revision, deliveries, options.actor);
  }
}

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
