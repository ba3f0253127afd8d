import { countAllRows, TO_ATTEMPT } from '../../core/delivery-counts.js';
import { decodeError } from '../../core/ledger-outcome.js';
import type { AnnounceRun } from './start.js';

/**
 * Step 3: finish. Bundles with nothing left become announced; the report lists every failed
 * delivery of a bundle still being announced, and when what remains is due.
 */
export async function finishRun(run: AnnounceRun): Promise<void> {
  const { store, options, report } = run;
  let outstanding = 0;
  for (const id of await store.announcingBundleIds()) {
    const status = await store.completeBundle(id, options.actor);
    const content = await run.contentOf(id);
    if (status === 'announced' && content) report.announced.push(content.record.key);
    if (status !== 'announcing') continue;
    outstanding += countAllRows(await store.deliverySummary(id), TO_ATTEMPT);
  }
  for (const row of await store.failedDeliveries()) {
    const content = await run.contentOf(row.bundleId);
    const { message, fix } = decodeError(row.lastError);
    report.failures.push({
      version: content?.record.key.version ?? `bundle ${row.bundleId}`,
      target: row.target,
      key: row.key,
      attempts: row.attempts,
      message,
      fix,
    });
  }
  const next = outstanding > 0 ? await store.nextAttemptIn(options.channels.map((c) => c.target)) : null;
  if (next !== null) report.deferred = { count: outstanding, inMs: Math.max(0, next) };
}
