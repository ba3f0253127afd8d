/**
 * Someone who follows a product's release notes by email. `pending` until they confirm (web
 * sign-ups: double opt-in); imported lists are the importer's responsibility and start
 * `confirmed`. `unsubscribed` and `bounced` are never mailed, and no import brings them back.
 */
export type SubscriberStatus = 'pending' | 'confirmed' | 'unsubscribed' | 'bounced';

export const SUBSCRIBER_STATUSES: readonly SubscriberStatus[] = [
  'pending',
  'confirmed',
  'unsubscribed',
  'bounced',
];

export interface Subscriber {
  /** Stable id: tokens in links name it, never the address. */
  id: number;
  product: string;
  /** Normalised: trimmed, lower-case. Unique per product. */
  email: string;
  name: string | null;
  /** Preferred language of the emails (`de`, `en-us`); null: the product's default. */
  locale: string | null;
  /** Components whose changes they want (from the notes' scope mapping), or every change. */
  topics: string[] | 'all';
  status: SubscriberStatus;
  /** Where the address came from: `import:<file>`, `cli`, `web`. */
  source: string;
  createdAt: number;
  updatedAt: number;
  confirmedAt: number | null;
  unsubscribedAt: number | null;
}

/** An address to add or update, as an import row, `subscribers add` or a web sign-up gives it. */
export interface SubscriberInput {
  email: string;
  name: string | null;
  locale: string | null;
  topics: string[] | 'all';
  source: string;
}

/** What an import or add did: counts, and every address left alone with why. */
export interface SubscriberImportResult {
  created: number;
  updated: number;
  unchanged: number;
  /** Unsubscribed or bounced addresses: kept as they are, never resurrected. */
  kept: { email: string; status: SubscriberStatus }[];
}
