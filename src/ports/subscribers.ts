import type {
  Subscriber,
  SubscriberImportResult,
  SubscriberInput,
  SubscriberStatus,
} from '../model/index.js';

/** A confirmation email to send: to whom, the nonce its link is bound to, earlier failed attempts. */
export interface ConfirmationJob {
  subscriber: Subscriber;
  nonce: string | null;
  attempts: number;
}

/** A sign-up counted against a mailbox's daily cap, or refused until the store's next day. */
export type SignupQuota = { accepted: true } | { accepted: false; retryAfterMs: number };

/**
 * What a confirmation email leaves in the queue: sent; abandoned (failed for good); failed, to
 * try again after `retryInMs`; released (not tried: a sender stopping hands it back, due now).
 */
export type ConfirmationOutcome = 'sent' | 'abandoned' | 'released' | { retryInMs: number };

/**
 * Web sign-ups (double opt-in) and the queue of confirmation emails, in the store so that every
 * `herald serve` process shares the daily caps, and a restart loses nothing it had accepted.
 */
export interface SignupStorePort {
  /**
   * Counts one sign-up for `mailbox` (the folded address, `mailboxKey`) on the store's current
   * day; refused, counting nothing, once `perDay` were counted that day.
   */
  countSignup(product: string, mailbox: string, perDay: number): Promise<SignupQuota>;
  /**
   * An anonymous sign-up. A new address becomes pending with `input`'s preferences; a pending,
   * unsubscribed or bounced one keeps its status (nobody is moved back without a confirmation)
   * and keeps `input`'s preferences for when it confirms; both get `nonce` unless they hold a
   * nonce of this sign-up already, and a confirmation email is queued unless one is. A confirmed
   * address is left as it is. Returns nothing: the caller answers every sign-up the same way.
   */
  recordSignup(product: string, input: SubscriberInput, nonce: string): Promise<void>;
  /** The sign-up state of a subscriber, for checking a confirmation link; null if absent. */
  signupOf(id: number): Promise<ConfirmationJob | null>;
  /**
   * Confirms the sign-up `nonce` names (null: a pending address from before nonces): pending,
   * unsubscribed or bounced → confirmed, with the preferences it asked for. Returns the row after
   * the call (unchanged when the nonce is not the current one), null if absent.
   */
  confirmSignup(id: number, nonce: string | null): Promise<Subscriber | null>;
  /**
   * Takes up to `limit` due confirmation emails of `product` for `leaseMs`: another process
   * takes them only after that (a sender that died), so each is sent by one process at a time.
   */
  claimConfirmations(product: string, limit: number, leaseMs: number): Promise<ConfirmationJob[]>;
  settleConfirmation(id: number, outcome: ConfirmationOutcome): Promise<void>;
  /**
   * Makes confirmation emails waiting out a retry due now (a sender starting: its mail settings
   * may have been fixed). Returns how many.
   */
  resumeConfirmations(product: string): Promise<number>;
}

/**
 * The subscriber list, per product, in the store. Addresses are normalised by the caller
 * (`normaliseEmail`); every write is one transaction.
 */
export interface SubscriberStorePort extends SignupStorePort {
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
   * Leaving (unsubscribed, bounced) also forgets the sign-up: its confirmation links stop working.
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
