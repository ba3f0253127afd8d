import type {
  AuditEntry,
  BundleKey,
  BundleListing,
  BundleOverlay,
  BundleRecord,
  BundleRevision,
  BundleStatus,
  DeliverySummary,
  ReleaseBundle,
  RevisionKind,
} from '../model/index.js';

/** What one write transaction does to one bundle; decided by pure code from the current row. */
export type BundleMutation<T> =
  | { write: false; result: T }
  | {
      write: true;
      result: T;
      status: BundleStatus;
      announceAt: number | null;
      timeZone: string | null;
      overlay?: BundleOverlay;
      /** A new content revision (its number is the next one). */
      revision?: { kind: RevisionKind; contentHash: string; bundle: ReleaseBundle };
      audit: { action: string; details: Record<string, unknown> };
    };

/** Content-addressed bytes (doc assets), stored once whatever the number of bundles using them. */
export interface StoredBlob {
  hash: string;
  contentType: string;
  bytes: Uint8Array;
}

/**
 * Where bundles, the delivery ledger and the audit log live. Every write is one transaction that
 * serialises with other writers to the same bundle (SQLite: BEGIN IMMEDIATE; Postgres: a
 * transaction-level advisory lock), and time always comes from the store's clock.
 */
export interface StorePort {
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
  /** Bundles, newest first (scheduled and draft ones first when `active`), with delivery counts. */
  listBundles(options?: { product?: string; limit?: number }): Promise<BundleListing[]>;
  /** Ledger rows of one bundle per target and state. */
  deliverySummary(bundleId: number): Promise<DeliverySummary>;
  /** Scheduled bundles whose announce time has come, by the store's clock, oldest first. */
  dueBundles(limit?: number): Promise<BundleRecord[]>;
  auditLog(key: BundleKey): Promise<AuditEntry[]>;
  /** Stores blobs; ones already stored are left as they are (idempotent). */
  putBlobs(blobs: StoredBlob[]): Promise<void>;
  missingBlobs(hashes: string[]): Promise<string[]>;
  readBlob(hash: string): Promise<StoredBlob | null>;
  close(): Promise<void>;
}
