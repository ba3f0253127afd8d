import type {
  BundleRecord,
  DeliveryRow,
  PlannedDelivery,
  ReleaseBundle,
  TargetObject,
} from '../model/index.js';
import type { VerifyFinding } from './help-center.js';

/** A bundle as a channel sees it: the stored row and its current content. */
export interface ChannelBundle {
  record: BundleRecord;
  bundle: ReleaseBundle;
}

/** A delivery that went out: what the ledger records, and what the target now holds. */
export interface Delivered {
  externalId: string | null;
  url: string | null;
  /** Objects to remember on the target site (article ids, content hashes), written with the ledger row. */
  objects?: TargetObject[];
  /** What the target answered (an SMTP server's reply), kept with the ledger row. */
  receipt?: string;
  /** Set when nothing was sent because nothing is needed any more (a subscriber left): why. */
  skipped?: string;
}

/**
 * One announce target (help centre, Slack, email). The engine owns the ledger, the claims, the
 * fence and the retries; a channel only says what to do and does one delivery at a time.
 * `deliver` throws a `DeliveryFailure` when the target refuses or does not answer.
 */
export interface Channel {
  /** The ledger's `target` for this channel's rows. */
  readonly target: string;
  /** Where it publishes, for output (`Zendesk Guide at …`, `static help centre in …`). */
  readonly description: string;
  /** Identifies the target site, so the objects Herald published there are kept per site. */
  readonly site: string;
  /** Deliveries in flight at once for this channel. */
  readonly concurrency: number;
  /**
   * The most rows a worker leases at a time (default 4). More for a channel of many quick
   * deliveries (email): fewer claims; fewer for one whose calls are slow, so other runs can share
   * the work. A worker whose deliveries turn out slow leases about a second's worth, fewer.
   */
  readonly claimBatch?: number;
  /**
   * Every delivery this bundle needs now; reads the store, never the target. A channel of very
   * many rows (email: one per subscriber) gives them in pages instead, each recorded as it comes,
   * so memory does not grow with the list. Such a channel's `deliver` must check again what
   * planning decided (a row left by an interrupted paged plan may no longer be needed).
   */
  plan(
    input: ChannelBundle & { syncDocs: boolean },
  ): Promise<PlannedDelivery[]> | AsyncIterable<PlannedDelivery[]>;
  deliver(row: DeliveryRow, input: ChannelBundle): Promise<Delivered>;
  /**
   * After an ambiguous attempt: did it take effect? `found` adopts the effect (row becomes `sent`);
   * null means it provably did not, and the engine attempts it again.
   */
  reconcile(row: DeliveryRow, input: ChannelBundle): Promise<Delivered | null>;
  /** Read-only checks of credentials and settings. */
  verify(): Promise<VerifyFinding[]>;
  close?(): Promise<void>;
}
