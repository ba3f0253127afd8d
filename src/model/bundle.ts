import type { DocSet, DocSetDiff } from './docs.js';
import type { ReleaseNotes } from './notes.js';

export const BUNDLE_SCHEMA_VERSION = 1;

/** draft (no date) → scheduled → announcing → announced; also held (no date, kept) and cancelled. */
export type BundleStatus = 'draft' | 'scheduled' | 'held' | 'cancelled' | 'announcing' | 'announced';

/** Which release a bundle is for: one product (or monorepo package) and version. */
export interface BundleKey {
  product: string;
  /** Monorepo package name, '' for a single-package repository. */
  package: string;
  version: string;
}

/** One audience's notes as every channel needs them. */
export interface RenderedNotes {
  /** The notes model as generated from git (what `herald edit` edits against). */
  generated: ReleaseNotes;
  /** The notes model after the release manager's edits. */
  model: ReleaseNotes;
  /** Markdown (CHANGELOG, release-notes file, email text part). */
  markdown: string;
  /** Sanitised HTML from the docs pipeline (help-centre article, email HTML part). */
  html: string;
}

/**
 * Everything that will be published for one release, rendered ahead of time so announce day
 * needs neither the repository nor the templates. Immutable: a change makes a new revision.
 */
export interface ReleaseBundle {
  schemaVersion: typeof BUNDLE_SCHEMA_VERSION;
  product: string;
  package: string | null;
  version: string;
  tag: string;
  previousTag: string | null;
  /** The commit the release (and its docs) were read from. */
  sourceCommit: string;
  notes: Record<string, RenderedNotes>;
  docs: DocSet;
  /** Pages changed since the previous announced bundle (null: nothing announced before). */
  docsDiff: (DocSetDiff & { since: string }) | null;
}

/** Per audience: what the release manager changed about the generated notes, keyed by change. */
export interface NotesOverlay {
  /** A paragraph above the notes. */
  intro: string | null;
  /** By entry hash (the commit or merge that carries the change). */
  entries: Record<string, { text?: string; hidden?: boolean }>;
  /** By section type: entry hashes in the order to show them. */
  order: Record<string, string[]>;
}

export type BundleOverlay = Record<string, NotesOverlay>;

/** A stored bundle's state: the row the release-manager commands change. */
export interface BundleRecord {
  id: number;
  key: BundleKey;
  status: BundleStatus;
  /** Fencing token: bumped by every change (content, schedule, hold, cancel, edit). */
  revision: number;
  /** Number of the current content revision (1, 2, …). */
  contentRevision: number;
  contentHash: string;
  /** Epoch ms, by the store's clock; null unless scheduled (or announcing/announced). */
  announceAt: number | null;
  /** IANA zone the announce time was given in, for display. */
  timeZone: string | null;
  overlay: BundleOverlay;
  createdAt: number;
  updatedAt: number;
}

export type RevisionKind = 'prepare' | 'edit' | 'correction';

export interface BundleRevision {
  number: number;
  kind: RevisionKind;
  contentHash: string;
  bundle: ReleaseBundle;
  createdAt: number;
  createdBy: string;
}

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  version: string;
  details: Record<string, unknown>;
}

export type DeliveryState = 'pending' | 'attempting' | 'sent' | 'unknown' | 'failed' | 'skipped';

/** Per target (`zendesk`, `slack`, `email`…): how many ledger rows are in each state. */
export type DeliverySummary = Record<string, Partial<Record<DeliveryState, number>>>;

export interface BundleListing extends BundleRecord {
  deliveries: DeliverySummary;
}

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
