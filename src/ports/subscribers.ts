import type {
  Subscriber,
  SubscriberImportResult,
  SubscriberInput,
  SubscriberStatus,
} from '../model/index.js';

/**
 * The subscriber list, per product, in the store. Addresses are normalised by the caller
 * (`normaliseEmail`); every write is one transaction.
 */
export interface SubscriberStorePort {
  /**
   * Adds new addresses with `status`, and updates name, locale and topics of existing pending or
   * confirmed ones (a confirmed one stays confirmed). Unsubscribed and bounced addresses are
   * left exactly as they are and reported in `kept`. Importing the same rows again changes nothing.
   */
  upsertSubscribers(
    product: string,
    inputs: SubscriberInput[],
    status: 'pending' | 'confirmed',
  ): Promise<SubscriberImportResult>;
  findSubscriber(product: string, email: string): Promise<Subscriber | null>;
  getSubscriber(id: number): Promise<Subscriber | null>;
  /**
   * Moves a subscriber to `to` if its status is one of `from` (sets confirmed_at/unsubscribed_at);
   * returns the row after the call (unchanged when the status was not in `from`), null if absent.
   */
  setSubscriberStatus(id: number, from: SubscriberStatus[], to: SubscriberStatus): Promise<Subscriber | null>;
  /** Deletes the address and everything about it (a person's request to be forgotten). */
  removeSubscriber(product: string, email: string): Promise<boolean>;
  /** One page, by id ascending after `afterId`: callers stream a list of any size in pages. */
  listSubscribers(
    product: string,
    options: { statuses?: SubscriberStatus[]; afterId?: number; limit: number },
  ): Promise<Subscriber[]>;
  countSubscribers(product: string): Promise<Record<SubscriberStatus, number>>;
}

/** People who follow a help-centre section (Zendesk Guide), to import as subscribers. */
export interface FollowerSource {
  /** Where they are read from, for output. */
  readonly description: string;
  /**
   * The section's followers a page at a time, as subscribers to import; `skipped`: followers
   * the page could not use (no email address). Throws a HeraldError when the section cannot be read.
   */
  followers(sectionId: number): AsyncIterable<{ subscribers: SubscriberInput[]; skipped: number }>;
}
