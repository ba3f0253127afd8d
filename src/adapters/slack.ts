import slack from '@slack/web-api';
import type { SlackMessage } from '../core/slack-message.js';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import type { ChatMetadata, ChatPort, PostedMessage, VerifyFinding } from '../ports/index.js';
import { createPacer, type Pacer } from './pacer.js';
import { explain, type SlackCallError, slackFailure } from './slack-errors.js';

type WebClient = InstanceType<typeof slack.WebClient>;

export interface SlackSettings {
  token: string;
  /** `https://slack.com/api/`, or SLACK_API_URL (the emulator, or any compatible server). */
  apiUrl: string;
  /** Per request; the SDK's default is none at all. */
  timeoutMs: number;
  /** Posts per channel per minute (Slack allows about one a second). */
  postsPerMinute?: number;
}

const WRITES = new Set(['chat.postMessage', 'chat.update', 'chat.delete']);
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
  const call = createCaller(client, settings, apiUrl);
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

  const readFailure: ReadFailure = (error, method, channel) =>
    slackFailure(
      error as SlackCallError,
      { method, channel, write: false, pacer: null },
      { timeoutMs: settings.timeoutMs, apiUrl },
    );
  let tokenCheck: Promise<VerifyFinding[]> | null = null;

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

    find: (query) => findPost(call, permalink, query),

    async verify(channels) {
      // The token is checked once per workspace, however many channels ask.
      const first = tokenCheck === null;
      tokenCheck ??= checkToken(client, readFailure);
      const token = await tokenCheck;
      const findings: VerifyFinding[] = first ? [...token] : [];
      if (!token[0]!.ok) return findings;
      for (const channel of channels) {
        findings.push(await checkChannel(client, channel, readFailure));
      }
      return findings;
    },
  };
}

/** One API call; a platform error in `expected` resolves as null instead of failing. */
type Call = <T>(
  method: string,
  channel: string | null,
  args: Record<string, unknown>,
  expected?: string[],
) => Promise<T | null>;

/** What a failed read (nothing posted, no pacer) means. */
type ReadFailure = (error: unknown, method: string, channel: string | null) => DeliveryFailure;

/** Calls through the client, with posts paced per channel. */
function createCaller(client: WebClient, settings: SlackSettings, apiUrl: string): Call {
  const pacers = new Map<string, Pacer>();
  const pacerOf = (channel: string) => {
    let pacer = pacers.get(channel);
    if (!pacer) {
      pacer = createPacer(settings.postsPerMinute ?? 60);
      pacers.set(channel, pacer);
    }
    return pacer;
  };

  return async <T>(
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
      throw slackFailure(e, { method, channel, write, pacer }, { timeoutMs: settings.timeoutMs, apiUrl });
    } finally {
      // Slack counts posts per channel per second as they arrive: space them from the answer.
      pacer?.finished();
    }
  };
}

function payloadOf(message: SlackMessage, metadata: ChatMetadata) {
  return {
    text: message.text,
    blocks: message.blocks,
    metadata: { event_type: metadata.eventType, event_payload: metadata.payload },
    unfurl_links: false,
    unfurl_media: false,
  };
}

/** The token, and the scopes announce needs: chat:write to post, history to find a post again. */
async function checkToken(client: WebClient, readFailure: ReadFailure): Promise<VerifyFinding[]> {
  let auth: Record<string, unknown>;
  try {
    auth = (await client.apiCall('auth.test', {})) as unknown as Record<string, unknown>;
  } catch (error) {
    const failure = readFailure(error, 'auth.test', null);
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
}

/** The channel exists, is not archived, and the app is a member (it reads the history). */
async function checkChannel(
  client: WebClient,
  channel: string,
  readFailure: ReadFailure,
): Promise<VerifyFinding> {
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
    return {
      ok: problem === null,
      check: `Slack channel ${channel}`,
      detail: problem ? problem.message : `#${c.name ?? channel}, the app is a member`,
      ...(problem ? { fix: problem.fix } : {}),
    };
  } catch (error) {
    const failure = readFailure(error, 'conversations.info', channel);
    return {
      ok: false,
      check: `Slack channel ${channel}`,
      detail: failure.message,
      ...(failure.fix ? { fix: failure.fix } : {}),
    };
  }
}

/** A post (or reply) carrying this delivery's metadata, paging through the channel or thread. */
async function findPost(
  call: Call,
  permalink: (channel: string, ts: string) => Promise<string | null>,
  { channel, threadTs, since, metadata }: Parameters<ChatPort['find']>[0],
): Promise<PostedMessage | null> {
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
}
