import { countRows, TO_ATTEMPT } from '../core/delivery-counts.js';
import type { StorePort } from '../ports/index.js';
import { deliverDue } from './announce/deliver.js';
import { finishRun } from './announce/finish.js';
import { planDue } from './announce/plan.js';
import { startRun } from './announce/start.js';
import type { AnnounceOptions, AnnounceReport } from './announce/types.js';

export { decodeError, encodeError } from '../core/ledger-outcome.js';
export type {
  AnnounceEvent,
  AnnounceOptions,
  AnnounceReport,
  DeliveryFailureReport,
} from './announce/types.js';
export { PLANNED_LISTED } from './announce/types.js';

/** Rows per target of every bundle being announced that a run may still attempt. */
async function openDeliveries(store: StorePort): Promise<Record<string, number>> {
  const open: Record<string, number> = {};
  for (const id of await store.announcingBundleIds())
    for (const [target, states] of Object.entries(await store.deliverySummary(id)))
      open[target] = (open[target] ?? 0) + countRows(states, TO_ATTEMPT);
  return open;
}

/**
 * `herald announce`: plans every bundle whose announce time has come (by the store's clock),
 * then delivers its ledger rows channel by channel. Safe to run any number of times, at once:
 * rows are leased, each external call is fenced, ambiguous outcomes are reconciled.
 * The steps: start the run, plan what is due, deliver, finish.
 */
export async function announce(options: AnnounceOptions): Promise<AnnounceReport> {
  const run = startRun(options);
  await planDue(run);
  if (options.dryRun) return run.report;
  if (options.onEvent) run.emit({ type: 'queue', open: await openDeliveries(options.store) });
  await deliverDue(run);
  await finishRun(run);
  return run.report;
}
