import type { DeliveryState } from './bundle.js';

/**
 * Phases order the deliveries of a bundle. The help centre has two lanes: the release notes
 * (phases below `DOCS_PHASE`: their section, then the article) and the docs (from `DOCS_PHASE`:
 * sections 10, articles 20, content 30). Inside a lane a row waits until every lower-phase row of
 * that lane is done, so an article waits for its section. The lanes do not wait for each other:
 * a docs page the help centre refuses never holds back the release notes.
 *
 * From `CHANNEL_PHASE` up (Slack, email) a row waits for the release-notes lane, whose article is
 * what the channels link to, and for lower phases of its own target (one Slack thread is posted in
 * order, a refused channel holds up no other). The docs lane holds up no channel.
 */
export const CHANNEL_PHASE = 40;
export const DOCS_PHASE = 10;

/**
 * Keys are unique per bundle for ever, so a delivery that applies content (a correction) carries
 * the revision it was planned in: correcting A → B → A must apply A again, not find it done.
 */
export const revisionKey = (key: string, revision: number) => `${key}@r${revision}`;
export const withoutRevision = (key: string) => key.replace(/@r\d+$/, '');

/**
 * Target objects are kept per product (and monorepo package): one site or workspace can hold
 * several products. Every key a channel stores starts with this.
 */
export const objectScope = (bundle: { product: string; package: string | null }) =>
  `${encodeURIComponent(bundle.product)}/${encodeURIComponent(bundle.package ?? '')}|`;

/** One intended effect, as a channel plans it. `key` is permanent: (bundle, target, key) is unique for ever. */
export interface PlannedDelivery {
  target: string;
  key: string;
  /** Lower phases of a bundle finish before higher ones start: see `CHANNEL_PHASE`. */
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
  /** What the target answered when it took the effect (an SMTP server's reply), if anything. */
  receipt: string | null;
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
  | {
      state: 'sent';
      externalId: string | null;
      url: string | null;
      receipt?: string | null;
      objects?: TargetObject[];
      site?: string;
    }
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
