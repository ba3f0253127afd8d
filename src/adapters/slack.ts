import slack from '@slack/web-api';
import type { SlackMessage } from '../core/slack-message.js';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import type { ChatMetadata, ChatPort, PostedMessage, VerifyFinding } from '../ports/index.js';
import { createPacer, type Pacer } from './pacer.js';

export interface SlackSettings {
  token: string;
  /** `https://slack.com/api/`, or SLACK_API_URL (the emulator, or any compatible server). */
  apiUrl: string;
  /** Per request; the SDK's default is none at all. */
  timeoutMs: number;
  /** Posts per channel per minute (Slack allows about one a second). */
  postsPerMinute?: number;
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const WRITES = new Set(['chat.postMessage', 'chat.update', 'chat.delete']);
/** Slack's own "something broke on our side" errors: a write may or may not have happened. */
const SERVER_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const HISTORY_PAGE = 200;

/** @slack/web-api logs through this: Herald reports failures itself, with their fixes. */
export const silentLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => 'error' as never,
  setName() {},
};

/** What a Slack error code means for the person running Herald: the message and the fix. */
function explain(
  code: string,
  channel: string | null,
  data: Record<string, unknown>,
): { message: string; fix: string } {
  const where = channel ? `channel ${channel}` : 'the workspace';
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
      return {
        message: `Slack answered ${code}`,
        fix: 'See https://api.slack.com/methods for what it means.',
      };
  }
}

interface SlackCallError {
  code?: string;
  data?: Record<string, unknown> & { error?: string };
  statusCode?: number;
  retryAfter?: number;
  original?: Error;
  message?: string;
}

/**
 * Slack through @slack/web-api, with its traps handled: the default
 * import (the CJS package's named exports are not all visible to ESM); no retries inside the
 * client (`retries: 0`, rate-limited calls rejected), because it retries 5xx and network errors
 * after Slack may already have posted — the engine retries, after looking for the post; a request
 * timeout (the SDK's default is none); posts paced per channel; `ts` kept as a string.
 */
export function createSlackChat(settings: SlackSettings): ChatPort {
  const apiUrl = settings.apiUrl.endsWith('/') ? settings.apiUrl : `${settings.apiUrl}/`;
  const client = new slack.WebClient(settings.token, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: settings.timeoutMs,
    logger: silentLogger,
  });
  const pacers = new Map<string, Pacer>();
  const pacerOf = (channel: string) => {
    let pacer = pacers.get(channel);
    if (!pacer) {
      pacer = createPacer(settings.postsPerMinute ?? 60);
      pacers.set(channel, pacer);
    }
    return pacer;
  };

  /** One API call; a platform error in `expected` resolves as null instead of failing. */
  const call = async <T>(
    method: string,
    channel: string | null,
    args: Record<string, unknown>,
    expected: string[] = [],
  ): Promise<T | null> => {
    const write = WRITES.has(method);
    const pacer = channel && write ? pacerOf(channel) : null;
    // The delivery's lease runs while this waits: a long wait is handed back to the engine (nothing
    // was sent), so another run can never find the lease expired and post the same message.
    const wait = pacer?.delay() ?? 0;
    if (wait > settings.timeoutMs)
      throw new DeliveryFailure({
        kind: 'retryable',
        message: `posts to ${channel} wait ${Math.ceil(wait / 1000)} s for Slack's rate limit`,
        retryAfterMs: wait,
      });
    await pacer?.wait();
    try {
      return (await client.apiCall(method, args)) as T;
    } catch (error) {
      const e = error as SlackCallError;
      if (e.code === 'slack_webapi_platform_error' && expected.includes(e.data?.error ?? '')) return null;
      throw failureOf(e, method, channel, write, pacer);
    } finally {
      // Slack counts posts per channel per second as they arrive: space them from the answer.
      pacer?.finished();
    }
  };

  const failureOf = (
    error: SlackCallError,
    method: string,
    channel: string | null,
    write: boolean,
    pacer: Pacer | null,
  ): DeliveryFailure => {
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
            ? `Slack did not answer ${method} within ${settings.timeoutMs} ms`
            : `could not reach Slack at ${apiUrl} (${code ?? original?.message ?? 'network error'})`,
          ...(refused ? { fix: 'Check SLACK_API_URL and the network.' } : {}),
        });
      }
    }
  };

  const payloadOf = (message: SlackMessage, metadata: ChatMetadata) => ({
    text: message.text,
    blocks: message.blocks,
    metadata: { event_type: metadata.eventType, event_payload: metadata.payload },
    unfurl_links: false,
    unfurl_media: false,
  });

  const permalink = async (channel: string, ts: string): Promise<string | null> => {
    try {
      const result = await call<{ permalink?: string }>('chat.getPermalink', channel, {
        channel,
        message_ts: ts,
      });
      return result?.permalink ?? null;
    } catch {
      // Only a convenience for `herald status`: the post itself went out.
      return null;
    }
  };

  let tokenCheck: Promise<VerifyFinding[]> | null = null;
  /** The token, and the scopes announce needs: chat:write to post, history to find a post again. */
  const checkToken = async (): Promise<VerifyFinding[]> => {
    let auth: Record<string, unknown>;
    try {
      auth = (await client.apiCall('auth.test', {})) as unknown as Record<string, unknown>;
    } catch (error) {
      const failure = failureOf(error as SlackCallError, 'auth.test', null, false, null);
      return [
        {
          ok: false,
          check: 'Slack token',
          detail: failure.message,
          ...(failure.fix ? { fix: failure.fix } : {}),
        },
      ];
    }
    const findings: VerifyFinding[] = [
      {
        ok: true,
        check: 'Slack token',
        detail: `bot ${String(auth.user ?? auth.user_id ?? '?')} in ${String(auth.team ?? auth.team_id ?? '?')}`,
      },
    ];
    // auth.test names a bot_id only for bot tokens; a user token cannot attach message metadata.
    if (auth.bot_id === undefined) {
      const { message, fix } = explain('metadata_must_be_sent_from_app', null, {});
      findings.push({ ok: false, check: 'Slack token type', detail: message, fix });
    }
    const scopes = (auth.response_metadata as { scopes?: unknown } | undefined)?.scopes;
    if (Array.isArray(scopes)) {
      // conversations.info (this check, and the membership it reports) needs channels:read
      // (groups:read for private channels); finding a post again needs history.
      const missing = [
        scopes.includes('chat:write') ? null : 'chat:write',
        scopes.includes('channels:history') || scopes.includes('groups:history') ? null : 'channels:history',
        scopes.includes('channels:read') || scopes.includes('groups:read') ? null : 'channels:read',
      ].filter((s): s is string => s !== null);
      findings.push({
        ok: missing.length === 0,
        check: 'Slack scopes',
        detail:
          missing.length === 0
            ? 'chat:write to post, read to check the channels, history to check an unconfirmed post before posting again'
            : `missing ${missing.join(', ')}`,
        ...(missing.length > 0
          ? {
              fix: `Add ${missing.join(' and ')} (groups:history and groups:read for private channels) to the Slack app, reinstall it, and update SLACK_BOT_TOKEN.`,
            }
          : {}),
      });
    }
    return findings;
  };

  return {
    description: `Slack (${apiUrl})`,
    site: `slack:${new URL(apiUrl).host}`,

    async post({ channel, message, threadTs, metadata }): Promise<PostedMessage> {
      const result = (await call<{ ts: string; channel: string }>('chat.postMessage', channel, {
        channel,
        ...payloadOf(message, metadata),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      }))!;
      return {
        channel: result.channel ?? channel,
        ts: String(result.ts),
        permalink: await permalink(channel, String(result.ts)),
      };
    },

    async update({ channel, ts, message }) {
      // The post keeps its own metadata (it names the post's ledger row); chat.update takes no unfurl flags.
      await call('chat.update', channel, { channel, ts, text: message.text, blocks: message.blocks });
    },

    async remove({ channel, ts }) {
      // Already gone is what a delete wants.
      await call('chat.delete', channel, { channel, ts }, ['message_not_found']);
    },

    async find({ channel, threadTs, since, metadata }) {
      const method = threadTs ? 'conversations.replies' : 'conversations.history';
      let cursor: string | undefined;
      do {
        const page = (await call<{
          messages?: {
            ts: string;
            metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
          }[];
          response_metadata?: { next_cursor?: string };
        }>(method, channel, {
          channel,
          ...(threadTs ? { ts: threadTs } : {}),
          oldest: (Math.max(0, since) / 1000).toFixed(6),
          include_all_metadata: true,
          limit: HISTORY_PAGE,
          ...(cursor ? { cursor } : {}),
        }))!;
        for (const m of page.messages ?? [])
          if (
            m.metadata?.event_type === metadata.eventType &&
            m.metadata.event_payload?.delivery === metadata.payload.delivery
          )
            return { channel, ts: String(m.ts), permalink: await permalink(channel, String(m.ts)) };
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
      return null;
    },

    async verify(channels) {
      // The token is checked once per workspace, however many channels ask.
      const first = tokenCheck === null;
      tokenCheck ??= checkToken();
      const token = await tokenCheck;
      const findings: VerifyFinding[] = first ? [...token] : [];
      if (!token[0]!.ok) return findings;
      for (const channel of channels) {
        try {
          const info = (await client.apiCall('conversations.info', { channel })) as {
            channel?: { name?: string; is_archived?: boolean; is_member?: boolean };
          };
          const c = info.channel ?? {};
          const problem = c.is_archived
            ? explain('is_archived', channel, {})
            : c.is_member === false
              ? explain('not_in_channel', channel, {})
              : null;
          findings.push({
            ok: problem === null,
            check: `Slack channel ${channel}`,
            detail: problem ? problem.message : `#${c.name ?? channel}, the app is a member`,
            ...(problem ? { fix: problem.fix } : {}),
          });
        } catch (error) {
          const failure = failureOf(error as SlackCallError, 'conversations.info', channel, false, null);
          findings.push({
            ok: false,
            check: `Slack channel ${channel}`,
            detail: failure.message,
            ...(failure.fix ? { fix: failure.fix } : {}),
          });
        }
      }
      return findings;
    },
  };
}
