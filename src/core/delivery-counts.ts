import type { DeliveryState, DeliverySummary } from '../model/index.js';

type StateCounts = DeliverySummary[string];

/** Rows a run may still attempt: due, in flight (or interrupted), or to be checked first. */
export const TO_ATTEMPT = ['pending', 'attempting', 'unknown'] as const satisfies readonly DeliveryState[];
/** Rows not finished: those, and the failed ones waiting for `herald retry`. */
export const UNFINISHED = [...TO_ATTEMPT, 'failed'] as const satisfies readonly DeliveryState[];

/** How many of one target's rows are in `states` (in any state when none are named). */
export function countRows(counts: StateCounts, states?: readonly DeliveryState[]): number {
  return Object.entries(counts).reduce(
    (n, [state, count]) => (states && !states.includes(state as DeliveryState) ? n : n + (count ?? 0)),
    0,
  );
}

/** The same over every target of a bundle. */
export function countAllRows(summary: DeliverySummary, states?: readonly DeliveryState[]): number {
  return Object.values(summary).reduce((n, counts) => n + countRows(counts, states), 0);
}
