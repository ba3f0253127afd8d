import type { VerifyFinding } from './help-center.js';

export interface EmailAddress {
  address: string;
  name: string | null;
}

/**
 * One message, fully rendered. Header values here come from Herald and are checked (no CR/LF,
 * valid addresses) before a mailer sees them.
 */
export interface OutgoingEmail {
  /** `<…@…>`: deterministic per (release, recipient), so a resend after a crash reuses it. */
  messageId: string;
  from: EmailAddress;
  to: EmailAddress;
  replyTo: EmailAddress | null;
  subject: string;
  text: string;
  html: string;
  /** RFC 8058: an https URL (and optionally a mailto:) for List-Unsubscribe, with one-click POST. */
  unsubscribe: { url: string; mailto: string | null } | null;
  /** `List-ID` value, e.g. `Acme Cloud release notes <releases.acme.example>`. */
  listId: string | null;
}

/** What the receiving server said. */
export interface MailReceipt {
  response: string;
}

/**
 * Sends email: SMTP (a pool of connections) or an outbox directory of .eml files. `send` throws a
 * `DeliveryFailure`: `retryable` for 4xx replies and refused connections, `permanent` for 5xx,
 * `ambiguous` when the connection failed after the message data was sent.
 */
export interface MailerPort {
  readonly description: string;
  /** How many messages can be in flight at once (the pool size). */
  readonly concurrency: number;
  send(email: OutgoingEmail, signal?: AbortSignal): Promise<MailReceipt>;
  verify(): Promise<VerifyFinding[]>;
  close(): Promise<void>;
}
