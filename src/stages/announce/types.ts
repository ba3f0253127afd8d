import type { BundleKey, DeliveryOutcome, PlannedDelivery } from '../../model/index.js';
import type { Channel, StorePort } from '../../ports/index.js';

export interface AnnounceOptions {
  store: StorePort;
  /** In delivery order: the help centre first. */
  channels: Channel[];
  /** Who holds the leases (unique per run). */
  owner: string;
  /** Who the audit log names. */
  actor: string;
  dryRun: boolean;
  /** How long to wait for deliveries that must be retried later, before leaving them to the next run. */
  maxWaitMs: number;
  leaseMs?: number;
  onEvent?: (event: AnnounceEvent) => void;
  random?: () => number;
  signal?: AbortSignal;
  /** Test hook: called at the engine's crash points (`fenced`: intent committed, call not made; `delivered`: call made, outcome not recorded). */
  crashPoint?: (point: 'fenced' | 'delivered' | 'settled', target: string) => void;
}

export type AnnounceEvent =
  | { type: 'plan'; key: BundleKey; deliveries: number }
  | {
      type: 'delivery';
      target: string;
      key: string;
      version: string;
      state: DeliveryOutcome['state'] | 'fenced';
      error?: string;
    }
  | { type: 'wait'; ms: number }
  /** Before delivering: the rows per target still to do (this run's plans and earlier runs' rows). */
  | { type: 'queue'; open: Record<string, number> };

export interface DeliveryFailureReport {
  version: string;
  target: string;
  key: string;
  attempts: number;
  message: string;
  fix: string | null;
}

export interface AnnounceReport {
  dryRun: boolean;
  /**
   * Per planned bundle: how many deliveries per target, and the first `PLANNED_LISTED` of each
   * (a release mailed to 100,000 subscribers plans as many rows: the report does not keep them).
   */
  planned: {
    key: BundleKey;
    revision: number;
    counts: Record<string, number>;
    deliveries: PlannedDelivery[];
  }[];
  /** Per target: what this run did. */
  results: Record<
    string,
    {
      sent: number;
      reconciled: number;
      skipped: number;
      retrying: number;
      unknown: number;
      failed: number;
      fenced: number;
    }
  >;
  /** Every failed delivery of a bundle still being announced (from this run or earlier ones). */
  failures: DeliveryFailureReport[];
  announced: BundleKey[];
  /** Deliveries left for a later run (retry time beyond the wait), and when the first is due. */
  deferred: { count: number; inMs: number } | null;
}

/** Planned deliveries the report lists per target and bundle (all are counted). */
export const PLANNED_LISTED = 1000;
