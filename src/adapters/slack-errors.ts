import { DeliveryFailure } from '../errors/delivery-failure.js';
import type { Pacer } from './pacer.js';

/**
 * What Slack's answers mean: which failures may be retried, which may have posted (ambiguous), and
 * for refusals, the message and the fix for the person running Herald.
 */

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Slack's own "something broke on our side" errors: a write may or may not have happened. */
const SERVER_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** One call as a failure sees it: a write may have happened, and its channel's pacer pauses on a 429. */
export interface SlackCall {
  method: string;
  channel: string | null;
  write: boolean;
  pacer: Pacer | null;
}

type Explanation = { message: string; fix: string };

/** What a Slack error code means for the person running Herald: the message and the fix. */
export function explain(code: string, channel: string | null, data: Record<string, unknown>): Explanation {
  const where = channel ? `channel ${channel}` : 'the workspace';
  return (
    explainAccess(code, where, data) ??
    explainRestriction(code, where) ??
    explainRefusedMessage(code, where, data) ?? {
      message: `Slack answered ${code}`,
      fix: 'See https://api.slack.com/methods for what it means.',
    }
  );
}

/** The app cannot reach the channel: membership, the channel itself, scopes, the token. */
function explainAccess(code: string, where: string, data: Record<string, unknown>): Explanation | null {
  switch (code) {
    case 'not_in_channel':
      // Not chat:write.public: it lets an app post without joining, but Herald must also read the
      // channel's history to find an unconfirmed post before posting again, and reading needs membership.
      return {
        message: `the Slack app is not a member of ${where}`,
        fix: 'Invite the app to the channel: type /invite @<your app> in it. (The chat:write.public scope is not enough: Herald reads the channel history to never post twice, and that needs membership.)',
      };
    case 'channel_not_found':
      return {
        message: `Slack has no ${where} that this app can see`,
        fix: 'Use the channel ID (C…, from the channel details), not its name, in herald.slack.channels; private channels must invite the app first.',
      };
    case 'is_archived':
      return {
        message: `${where} is archived`,
        fix: 'Unarchive the channel, or remove it from herald.slack.channels.',
      };
    case 'missing_scope': {
      const needed = typeof data.needed === 'string' ? data.needed : 'the scope Slack names';
      return {
        message: `the Slack token lacks the ${needed} scope`,
        fix: `Add the ${needed} scope to the Slack app (OAuth & Permissions), reinstall it, and update SLACK_BOT_TOKEN.`,
      };
    }
    case 'not_authed':
    case 'invalid_auth':
    case 'account_inactive':
    case 'token_revoked':
    case 'token_expired':
      return {
        message: `Slack refused the token (${code})`,
        fix: 'Set SLACK_BOT_TOKEN to the bot token (xoxb-…) of the installed Slack app.',
      };
    default:
      return null;
  }
}

/** A workspace or channel setting stops the app from posting there. */
function explainRestriction(code: string, where: string): Explanation | null {
  switch (code) {
    case 'restricted_action':
      return {
        message: `a workspace setting stops the Slack app from posting in ${where}`,
        fix: "Ask a workspace admin to allow the app to post there (Settings & permissions › Permissions › Messaging, or the channel's posting permissions), or use another channel.",
      };
    case 'restricted_action_read_only_channel':
      return {
        message: `${where} is read-only (only admins may post)`,
        fix: 'Ask a workspace admin to let the app post in the channel (channel settings › Posting permissions), or use another channel in herald.slack.channels.',
      };
    case 'restricted_action_thread_only_channel':
      return {
        message: `${where} accepts replies only, not new messages`,
        fix: "Allow new messages in the channel's posting permissions, or use another channel in herald.slack.channels.",
      };
    case 'restricted_action_non_threadable_channel':
    case 'restricted_action_thread_locked':
      return {
        message: `${where} does not accept thread replies (${code}), where Herald posts a long release's details`,
        fix: 'Allow threads in the channel (or unlock the thread), use another channel, or shorten the release notes for this audience so they fit in one message.',
      };
    default:
      return null;
  }
}

/** Slack refused the message itself: its metadata, its blocks, or the post it edits. */
function explainRefusedMessage(
  code: string,
  where: string,
  data: Record<string, unknown>,
): Explanation | null {
  switch (code) {
    case 'metadata_must_be_sent_from_app':
      return {
        message: 'Slack refused the message metadata: only an app (bot) token may attach it',
        fix: "SLACK_BOT_TOKEN holds a user token (xoxp-…): set it to the bot token (xoxb-…) from the app's OAuth & Permissions page. Herald needs the metadata to find a post again.",
      };
    case 'invalid_metadata_schema':
      return {
        message:
          "Slack refused the message metadata: it does not match the schema the app's manifest declares for its event type",
        fix: `Remove the herald event types (herald_*) from the "metadata" events of the Slack app's manifest, or declare their payload as Herald sends it. Slack said: ${code}.`,
      };
    case 'metadata_too_large':
      return {
        message: 'Slack refused the message metadata as too large',
        fix: 'Herald sends a few short fields; this is a bug in Herald: please report it with `herald preview <version> --channel slack`.',
      };
    case 'invalid_blocks':
    case 'msg_blocks_too_long':
    case 'msg_too_long':
    case 'invalid_metadata_format':
    case 'no_text': {
      const detail = Array.isArray((data.response_metadata as { messages?: unknown })?.messages)
        ? ` (${(data.response_metadata as { messages: string[] }).messages.slice(0, 3).join('; ')})`
        : '';
      return {
        message: `Slack rejected the message: ${code}${detail}`,
        fix: 'This is a bug in Herald (every message is checked against Slack limits): please report it with the text above and `herald preview <version> --channel slack`.',
      };
    }
    case 'message_not_found':
    case 'cant_update_message':
    case 'edit_window_closed':
      return {
        message: `the posted message in ${where} can no longer be edited (${code})`,
        fix: 'It was deleted, or is too old to edit: post the correction by hand. Set herald.slack.corrections to "ignore" so later corrections do not try to edit it.',
      };
    case 'thread_not_found':
      return {
        message: `the announcement in ${where} was deleted, so its thread cannot be continued`,
        fix: 'Deleted messages cannot be restored: post the remaining parts by hand.',
      };
    default:
      return null;
  }
}

export interface SlackCallError {
  code?: string;
  data?: Record<string, unknown> & { error?: string };
  statusCode?: number;
  retryAfter?: number;
  original?: Error;
  message?: string;
}

export function slackFailure(
  error: SlackCallError,
  { method, channel, write, pacer }: SlackCall,
  { timeoutMs, apiUrl }: { timeoutMs: number; apiUrl: string },
): DeliveryFailure {
  switch (error.code) {
    case 'slack_webapi_rate_limited_error': {
      const ms = Math.max(1, error.retryAfter ?? 1) * 1000;
      pacer?.pause(ms);
      return new DeliveryFailure({
        kind: 'retryable',
        message: `Slack is rate limiting ${method}`,
        retryAfterMs: ms,
        status: 429,
      });
    }
    case 'slack_webapi_platform_error': {
      const code = error.data?.error ?? 'unknown_error';
      if (code === 'ratelimited' || code === 'rate_limited')
        return new DeliveryFailure({
          kind: 'retryable',
          message: `Slack is rate limiting ${method}`,
          retryAfterMs: 1000,
        });
      if (code === 'message_limit_exceeded')
        // "Members on this team are sending too many messages": workspace-wide, nothing was posted.
        return new DeliveryFailure({
          kind: 'retryable',
          message: `Slack refused ${method}: members of the workspace are sending too many messages (message_limit_exceeded)`,
          retryAfterMs: 60_000,
          fix: 'Nothing was posted; `herald announce` tries again later. If it persists, ask a workspace admin about the message limit.',
        });
      if (SERVER_ERRORS.has(code))
        return new DeliveryFailure({
          kind: write ? 'ambiguous' : 'retryable',
          message: `Slack failed ${method} on its side (${code})`,
        });
      const { message, fix } = explain(code, channel, error.data ?? {});
      return new DeliveryFailure({ kind: 'permanent', message, fix });
    }
    case 'slack_webapi_http_error': {
      const status = error.statusCode ?? 0;
      if (status >= 500)
        return new DeliveryFailure({
          kind: write ? 'ambiguous' : 'retryable',
          message: `Slack answered HTTP ${status} to ${method}`,
          status,
        });
      return new DeliveryFailure({
        kind: 'permanent',
        message: `Slack answered HTTP ${status} to ${method}`,
        status,
        fix: 'Check SLACK_API_URL points at the Slack Web API (https://slack.com/api/).',
      });
    }
    default: {
      const original = (error.original ?? error) as {
        name?: string;
        message?: string;
        code?: string;
        cause?: { code?: string };
      };
      const code = original?.cause?.code ?? original?.code;
      // A 429 without a usable Retry-After: the SDK gives up with a request error. Not processed.
      const limited = /Retry header did not contain a valid timeout/.test(original?.message ?? '');
      const refused = limited || (code !== undefined && CONNECT_ERRORS.has(code));
      const timedOut = original?.name === 'TimeoutError' || original?.name === 'AbortError';
      return new DeliveryFailure({
        // Refused before sending: nothing happened. Anything else may have reached Slack.
        kind: refused || !write ? 'retryable' : 'ambiguous',
        message: timedOut
          ? `Slack did not answer ${method} within ${timeoutMs} ms`
          : `could not reach Slack at ${apiUrl} (${code ?? original?.message ?? 'network error'})`,
        ...(refused ? { fix: 'Check SLACK_API_URL and the network.' } : {}),
      });
    }
  }
}
