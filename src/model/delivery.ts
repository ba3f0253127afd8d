import type { DeliveryState } from './bundle.js';

/** One intended effect, as a channel plans it. `key` is permanent: (bundle, target, key) is unique for ever. */
export interface PlannedDelivery {
  target: string;
  key: string;
  /** Lower phases of a bundle finish before higher ones start (sections → articles → content → chat/email). */
  phase: number;
  /** What it does, for `announce --dry-run` and `status`. */
  summary: string;
}

/** A ledger row as the engine and `herald status` see it. */
export interface DeliveryRow {
  id: number;
  bundleId: number;
  target: string;
  key: string;
  phase: number;
  state: DeliveryState;
  bundleRevision: number;
  attempts: number;
  nextAttemptAt: number;
  attemptId: string | null;
  attemptStartedAt: number | null;
  externalId: string | null;
  externalUrl: string | null;
  lastError: string | null;
  updatedAt: number;
}

/** Something Herald created on a target site, remembered across bundles. */
export interface TargetObject {
  key: string;
  externalId: string;
  url: string | null;
  contentHash: string | null;
}

/** How one attempt ended, as written to the ledger. */
export type DeliveryOutcome =
  | { state: 'sent'; externalId: string | null; url: string | null; objects?: TargetObject[]; site?: string }
  /** Try again after `delayMs` (by the store's clock). */
  | { state: 'pending'; delayMs: number; error: string }
  | { state: 'failed'; error: string }
  /** Reconcile (after `delayMs`, default at once) before any new attempt. */
  | { state: 'unknown'; error: string; delayMs?: number }
  | { state: 'skipped'; error: string };

/** What a failed delivery says: the message and what to do about it. */
export interface DeliveryError {
  message: string;
  fix?: string;
  status?: number | null;
}
