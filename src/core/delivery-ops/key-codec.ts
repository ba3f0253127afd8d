/**
 * A ledger key is permanent: (bundle, target, key) is unique for ever, and stores hold keys
 * written by every earlier Herald. Each channel declares its deliveries as a typed operation with
 * ONE format/parse pair, so the key strings live in one place per channel and a channel `switch`es
 * over named operations instead of reading strings. A new channel (trackers) adds its own codec.
 */
export interface KeyCodec<Op> {
  /** The ledger key of an operation (exactly the strings earlier versions wrote). */
  format(op: Op): string;
  /** The operation a key names; null when the key is not one of this channel's. */
  parse(key: string): Op | null;
}

/** Keys that apply content carry the revision they were planned in (`@r<n>`); older keys may not. */
export type Revision = number | null;

const REVISION = /@r(\d+)$/;

export function withRevision(key: string, revision: Revision): string {
  return revision === null ? key : `${key}@r${revision}`;
}

/** The key without its revision suffix, and the revision (null when it has none). */
export function splitRevision(key: string): { base: string; revision: Revision } {
  const match = REVISION.exec(key);
  if (!match) return { base: key, revision: null };
  return { base: key.slice(0, match.index), revision: Number(match[1]) };
}

/** Non-negative integers as keys write them (no sign, no leading zeros beyond "0"). */
export function parseCount(text: string): number | null {
  return /^(0|[1-9]\d*)$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : null;
}
