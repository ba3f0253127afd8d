import type { SlackMessage } from '../model/index.js';
import type { VerifyFinding } from './help-center.js';

/**
 * Stamped on every message Herald posts. Slack has no idempotency key, so after an ambiguous
 * attempt this is how the message is found again (`find`).
 */
export interface ChatMetadata {
  eventType: string;
  payload: Record<string, string | number>;
}

export interface PostedMessage {
  channel: string;
  /** Slack's message id (a string such as "1503435956.000247"): threads, updates and links use it. */
  ts: string;
  permalink: string | null;
}

/**
 * A chat workspace Herald posts announcements to: the Slack Web API, or an outbox directory.
 * Calls throw `DeliveryFailure` (kind and fix) when the workspace refuses or does not answer.
 */
export interface ChatPort {
  /** Where messages go, for output. */
  readonly description: string;
  /** Where the messages Herald posted are remembered (with channel ids, unique per workspace): the API host, or the outbox. */
  readonly site: string;
  post(input: {
    channel: string;
    message: SlackMessage;
    /** Reply in this message's thread. */
    threadTs: string | null;
    metadata: ChatMetadata;
  }): Promise<PostedMessage>;
  /** Replaces the text and blocks of a posted message; it keeps the metadata it was posted with. */
  update(input: { channel: string; ts: string; message: SlackMessage }): Promise<void>;
  remove(input: { channel: string; ts: string }): Promise<void>;
  /**
   * The message stamped with `metadata` (same event type and `payload.delivery`), posted in the
   * channel (or in the thread of `threadTs`) at or after `since` (epoch ms); null when there is none.
   */
  find(input: {
    channel: string;
    threadTs: string | null;
    since: number;
    metadata: ChatMetadata;
  }): Promise<PostedMessage | null>;
  /** Read-only checks: the token, and that each channel exists and can be posted to. */
  verify(channels: string[]): Promise<VerifyFinding[]>;
  close?(): Promise<void>;
}
