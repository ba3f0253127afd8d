import type {
  AuditEntry,
  BundleKey,
  BundleListing,
  BundleMutation,
  BundleRecord,
  BundleRevision,
  BundleStatus,
  DeliveryOutcome,
  DeliveryRow,
  DeliverySummary,
  PlannedDelivery,
  TargetObject,
} from '../model/index.js';
import type { SubscriberStorePort } from './subscribers.js';
import type { UserStorePort } from './users.js';

/** Moved to the model (pure code decides it); re-exported for the store's implementers. */
export type { BundleMutation };

/** An audit entry about a product (its subscriber list), not about one release. */
export interface ProductAuditEntry {
  at: number;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

/** Content-addressed bytes (doc assets), stored once whatever the number of bundles using them. */
export interface StoredBlob {
  hash: string;
  contentType: string;
  bytes: Uint8Array;
}

/**
 * Where bundles, the delivery ledger, the audit log and the subscriber lists live. Every write is
 * one transaction that serialises with other writers to the same bundle (SQLite: BEGIN IMMEDIATE;
 * Postgres: a transaction-level advisory lock), and time always comes from the store's clock.
 */
export interface StorePort extends LedgerPort, SubscriberStorePort, UserStorePort {
  readonly dialect: 'sqlite' | 'postgres';
  /** The store's clock, epoch milliseconds. */
  now(): Promise<number>;
  findBundle(key: BundleKey): Promise<BundleRecord | null>;
  /** One content revision (default: the current one). */
  readRevision(bundleId: number, number?: number): Promise<BundleRevision | null>;
  /** The newest announced bundle of a product/package other than `exceptVersion`, by announce time. */
  lastAnnounced(
    product: string,
    pkg: string,
    exceptVersion: string,
  ): Promise<{ record: BundleRecord; revision: BundleRevision } | null>;
  /**
   * Read-modify-write of one bundle in one transaction: `decide` sees the current row (null when
   * none) and the store's clock, and returns what to write. Throwing rolls back.
   */
  mutateBundle<T>(
    key: BundleKey,
    actor: string,
    decide: (current: BundleRecord | null, now: number) => BundleMutation<T>,
  ): Promise<{ result: T; record: BundleRecord | null }>;
  /**
   * Bundles, newest first, with delivery counts (kept by the store as rows change, exact at every
   * commit: a page costs the releases it lists, not their deliveries); narrowed to a product, a package ('' for a
   * release of the product itself), a version and statuses, a page at a time (`offset` rows
   * skipped, default limit 50).
   */
  listBundles(options?: {
    product?: string;
    package?: string;
    version?: string;
    statuses?: readonly BundleStatus[];
    offset?: number;
    limit?: number;
  }): Promise<BundleListing[]>;
  /** Ledger rows of one bundle per target and state (the kept counts, as `listBundles`). */
  deliverySummary(bundleId: number): Promise<DeliverySummary>;
  /** Scheduled bundles whose announce time has come, by the store's clock, oldest first. */
  dueBundles(limit?: number): Promise<BundleRecord[]>;
  auditLog(key: BundleKey): Promise<AuditEntry[]>;
  /**
   * An action on the product rather than one release (the subscriber list), stamped with the
   * store's clock. `details` must not hold a person's address in clear: a digest or a count.
   */
  recordProductAudit(entry: {
    product: string;
    actor: string;
    action: string;
    details: Record<string, unknown>;
  }): Promise<void>;
  /** The product's own audit entries, newest first, at most `limit`. */
  productAuditLog(product: string, limit: number): Promise<ProductAuditEntry[]>;
  /** Stores blobs; ones already stored are left as they are (idempotent). */
  putBlobs(blobs: StoredBlob[]): Promise<void>;
  missingBlobs(hashes: string[]): Promise<string[]>;
  readBlob(hash: string): Promise<StoredBlob | null>;
  close(): Promise<void>;
}

/**
 * The targets whose rows a plan recorded page by page (`recordPlanPage`), with how many: their
 * unsent rows that no page of this revision touched are the ones it drops.
 */
export type PagedPlan = Record<string, number>;

/**
 * The delivery ledger, as the announce engine drives it. Every gate (status, revision, announce
 * time) is evaluated by the store on its own clock, inside the transaction that changes the row.
 */
export interface LedgerPort {
  /** Bundles whose announce time has come (store clock) and whose revision has no plan yet. */
  bundlesToPlan(limit?: number): Promise<BundleRecord[]>;
  /**
   * Records the plan for `revision` and starts announcing, in one transaction that re-checks the
   * bundle (same revision, announceable status, due). Rows already in the ledger keep their state;
   * unsent rows of an earlier plan that this plan drops become `skipped`. Returns false (and writes
   * nothing) when the bundle changed meanwhile. With nothing left to deliver the bundle is announced.
   */
  recordPlan(
    bundleId: number,
    revision: number,
    plan: PlannedDelivery[],
    actor: string,
    paged?: PagedPlan,
  ): Promise<boolean>;
  /**
   * One page of a paged plan for `revision` (`Channel.plan` gave pages), before `recordPlan`
   * finishes it: new rows are inserted, rows already there are brought to `revision` (failed ones
   * requeued, dropped ones revived), in one short transaction that re-checks the bundle. Rows of
   * a revision are claimed only once its plan is finished. False (nothing written) when the
   * bundle changed, or another run finished this revision's plan: stop paging.
   */
  recordPlanPage(bundleId: number, revision: number, page: PlannedDelivery[]): Promise<boolean>;
  /**
   * Gives back the rows `owner` leased and has not attempted (a run stopped with Ctrl-C, or
   * done): another run may claim them at once instead of when the lease runs out.
   */
  releaseClaims(owner: string): Promise<number>;
  /**
   * Leases up to `limit` rows of `target` that may run now: `pending` (due for an attempt) or
   * `unknown`, of an announcing bundle past its announce time, whose lower phases are finished.
   * Rows left `attempting` by a run whose lease expired become `unknown` first.
   */
  claimDeliveries(input: {
    owner: string;
    target: string;
    limit: number;
    leaseMs: number;
  }): Promise<DeliveryRow[]>;
  /**
   * Records attempts, in one transaction (so runs with many workers commit once for what several
   * of them did at about the same time). `settle`: how an attempt ended, written only if the row
   * still carries that `attemptId` (or, with none, is still leased to `owner`). Then `fence`, right
   * before each external call: the row becomes `attempting` with its `attemptId` if it is still
   * leased to `owner`, still `pending`/`unknown`, and its bundle is still announcing the revision
   * the row was planned for, past its announce time. Per item, whether it was written; a fence
   * not written means: do not call the target.
   */
  recordAttempts(input: { settle: SettleAttempt[]; fence: FenceAttempt[] }): Promise<{
    settled: boolean[];
    fenced: boolean[];
  }>;
  /** Marks the bundle announced when every row is `sent` or `skipped`; returns its status after. */
  completeBundle(bundleId: number, actor: string): Promise<BundleStatus | null>;
  /** Milliseconds until the next row of an announcing bundle may be attempted (null: none waiting). */
  nextAttemptIn(targets: string[]): Promise<number | null>;
  /**
   * A bundle's rows in delivery order; `keys`: only those; `open`: only those not yet sent or
   * skipped; `limit`: at most that many (a release mailed to 100,000 subscribers has as many rows).
   */
  listDeliveries(
    bundleId: number,
    filter?: { keys?: string[]; open?: boolean; limit?: number },
  ): Promise<DeliveryRow[]>;
  /** Ids of bundles being announced (deliveries outstanding, or done but not yet marked announced). */
  announcingBundleIds(): Promise<number[]>;
  /** Rows of announcing bundles that are `failed` (all of them, for the run's report). */
  failedDeliveries(): Promise<DeliveryRow[]>;
  /** Puts `failed` rows (of one target, or all) back to `pending`, due now. Returns how many. */
  requeueDeliveries(bundleId: number, target: string | null, actor: string): Promise<number>;
  readTargetObjects(site: string, prefix: string): Promise<Map<string, TargetObject>>;
  /**
   * Writes (inserts or replaces) a row the announce run keeps beside its plan, such as the release
   * report's Slack thread (`report:slack`). It is always finished (`sent` or `skipped`), so it
   * never holds the bundle back, is never claimed and never counts as a failed delivery.
   */
  saveSideRow(bundleId: number, row: SideRow): Promise<void>;
}

/** A row outside the plan: see `LedgerPort.saveSideRow`. */
export interface SideRow {
  target: string;
  key: string;
  state: 'sent' | 'skipped';
  externalId: string | null;
  externalUrl: string | null;
  /** What the row's owner keeps between runs (the report: its state, as JSON). */
  receipt: string | null;
  /** An encoded error (`encodeError`), or null. */
  lastError: string | null;
}

export interface FenceAttempt {
  id: number;
  owner: string;
  attemptId: string;
  leaseMs: number;
}

export interface SettleAttempt {
  id: number;
  owner: string;
  /** The fenced attempt; null for an outcome found without one (a reconciled row). */
  attemptId: string | null;
  outcome: DeliveryOutcome;
}
