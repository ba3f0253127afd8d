import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderSlackHtml } from '../../core/slack-html.js';
import type { SlackMessage } from '../../core/slack-message.js';
import { prng } from './prng.js';
import { type Args, checkContent, isRecord, SlackApiError, str } from './slack-content.js';

/**
 * A loopback stand-in for the Slack Web API methods herald uses, following Slack's published
 * method references: auth.test, conversations.info/history/replies,
 * chat.postMessage/update/delete/getPermalink. It speaks what @slack/web-api 8.2.0 sends (form bodies
 * with JSON-encoded non-scalar fields, Bearer token) and also JSON bodies and GET query strings.
 *
 * Order of checks: unknown method, auth, scope, fault (scheduled, then seeded-random), per-channel
 * rate limit of chat.postMessage, method validation, effect. API errors are HTTP 200 `{ok:false}`;
 * only the rate limit (429) and injected 500s use other statuses, as on Slack.
 */

export type SlackFaultKind = 429 | 500 | 'reset' | 'reset-after' | 'slow';
export type ChannelRestriction = 'posting' | 'read_only' | 'thread_only' | 'non_threadable';

export interface SlackEmulatorOptions {
  /** Accepted bot token, default 'xoxb-herald-emulator'. */
  token?: string;
  /** Default 'T0HERALD'. */
  teamId?: string;
  /** Default 'Acme'; also names the workspace host (https://acme.slack.example/). */
  teamName?: string;
  /** Default 'U0HERALDBOT'. */
  botUserId?: string;
  /** Granted scopes, default ['chat:write','channels:read','groups:read','channels:history','groups:history']. */
  scopes?: string[];
  /**
   * Default [{ id: 'C0RELEASES', name: 'releases' }, { id: 'C0COMMUNITY', name: 'community' }]; member
   * defaults to true. `restriction` is a workspace or channel posting rule: 'posting' (restricted_action),
   * 'read_only', 'thread_only' (no top-level posts), 'non_threadable' (no replies).
   */
  channels?: {
    id: string;
    name: string;
    member?: boolean;
    archived?: boolean;
    private?: boolean;
    restriction?: ChannelRestriction;
  }[];
  /** A user token (xoxp-…) also accepted: it posts, but not with metadata (metadata_must_be_sent_from_app). */
  userToken?: string;
  /** Event types the app declared in its manifest, with their required payload keys (invalid_metadata_schema). */
  metadataSchemas?: Record<string, string[]>;
  /** Slack documents metadata_too_large but not the limit: none unless a test sets one. */
  maxMetadataBytes?: number;
  /** chat.postMessage calls accepted per channel in any sliding second, default 1 (Slack's special tier); null = unlimited. */
  postsPerSecondPerChannel?: number | null;
  /**
   * Random faults: a fraction `rate` (0..1) of authorized, in-scope requests fail with one of `kinds`
   * (default all), drawn from a PRNG seeded with `seed` (default 1) so runs repeat. `onlyWrites`: only
   * chat.postMessage/update/delete draw faults.
   */
  faults?: { rate: number; kinds?: SlackFaultKind[]; seed?: number; onlyWrites?: boolean };
  /** Delay before every answer. */
  delayMs?: number;
  /** Default 0 (any free port). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Called with each request's log entry once it is answered (for `herald emulate slack`). */
  onRequest?: (entry: SlackRequestLog) => void;
}

export interface SlackRequestLog {
  /** The method name from the path, e.g. 'chat.postMessage'. */
  apiMethod: string;
  /** The request's Content-Type header, '' when absent. */
  contentType: string;
  /** Whether the request carried the accepted token. */
  authorized: boolean;
  /** Query and body arguments, JSON fields (blocks, attachments, metadata) decoded, token removed. */
  args: Record<string, unknown>;
  /** HTTP status answered; 0 when the connection was destroyed instead ('reset', 'reset-after'). */
  status: number;
  ok: boolean;
  error?: string;
  /** The injected fault, scheduled or random. */
  fault?: SlackFaultKind | string;
  /** Arrival time, epoch ms. */
  at: number;
}

export interface SlackMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

export interface EmulatedSlackMessage {
  ts: string;
  /** The parent's ts, for thread replies. */
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  metadata?: SlackMetadata;
  /** A thread reply also shown in the channel. */
  reply_broadcast?: boolean;
  edited?: { user: string; ts: string };
  /** Successful chat.update calls on this message. */
  updates: number;
  /** Thread replies, oldest first (always empty for a reply). */
  replies: EmulatedSlackMessage[];
}

export interface SlackEmulator {
  /** API base with trailing slash, e.g. http://127.0.0.1:PORT/api/ (WebClient `slackApiUrl`, SLACK_API_URL). */
  url: string;
  token: string;
  requests: SlackRequestLog[];
  /** Top-level messages of a channel in posting order, each with its thread replies. */
  messages(channel: string): EmulatedSlackMessage[];
  /**
   * Fails the next `count` authorized, in-scope requests (only those of `apiMethod` when given), before
   * random faults. A string that is not a fault kind answers HTTP 200 `{ok:false,error:<string>}`.
   */
  failNext(count: number, fault: SlackFaultKind | string, apiMethod?: string): void;
  setFaults(faults: SlackEmulatorOptions['faults'] | null): void;
  /** Successful chat.postMessage + chat.update + chat.delete, including those whose answer a 'reset-after' lost. */
  writeCount(): number;
  close(): Promise<void>;
}

/** Who is calling: a user token posts as a person, not as the app. */
interface Caller {
  user: boolean;
}
type RandomFaults = NonNullable<SlackEmulatorOptions['faults']>;

interface StoredMessage {
  ts: string;
  parent?: StoredMessage;
  broadcast: boolean;
  text: string;
  blocks?: unknown[];
  metadata?: SlackMetadata;
  edited?: { user: string; ts: string };
  updates: number;
  replies: StoredMessage[];
}

interface StoredChannel {
  id: string;
  name: string;
  member: boolean;
  archived: boolean;
  private: boolean;
  restriction?: ChannelRestriction;
  /** What conversations.history lists: top-level messages and broadcast replies, oldest first. */
  timeline: StoredMessage[];
  /** Every live message of the channel, replies included. */
  byTs: Map<string, StoredMessage>;
}

interface Reply {
  status: number;
  body?: Args;
  /** A non-JSON body (injected 500s). */
  html?: string;
  headers?: Record<string, string>;
}

const WRITE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.delete']);
const ALL_KINDS: SlackFaultKind[] = [429, 500, 'reset', 'reset-after', 'slow'];
const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];
const SLOW_MS = 1500;
const RATE_WINDOW_MS = 1000;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 999;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Boolean arguments arrive as true, 'true', 1 or '1'. */
const flag = (value: unknown) => value === true || value === 'true' || value === 1 || value === '1';

/** A Slack ts ("seconds.micros") as integer microseconds, so comparisons are exact. */
function tsMicros(ts: string): number | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(ts);
  if (!match) return null;
  return Number(match[1]) * 1e6 + Number((match[2] ?? '').padEnd(6, '0').slice(0, 6));
}

const formatTs = (micros: number) => `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;

/** Slack's cursors are base64 of `next_ts:<digits>`; clients must treat them as opaque. */
const encodeCursor = (ts: string) => Buffer.from(`next_ts:${tsMicros(ts)}`).toString('base64');

function decodeCursor(cursor: string): number {
  const match = /^next_ts:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match) throw new SlackApiError('invalid_cursor');
  return Number(match[1]);
}

export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const token = options.token ?? 'xoxb-herald-emulator';
  const teamId = options.teamId ?? 'T0HERALD';
  const teamName = options.teamName ?? 'Acme';
  const botUserId = options.botUserId ?? 'U0HERALDBOT';
  const botId = `B${botUserId.slice(1)}`;
  const scopes = options.scopes ?? [
    'chat:write',
    'channels:read',
    'groups:read',
    'channels:history',
    'groups:history',
  ];
  const workspaceUrl = `https://${teamName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.slack.example/`;
  // Not `??`: null is meaningful (unlimited).
  const postsPerSecond =
    options.postsPerSecondPerChannel === undefined ? 1 : options.postsPerSecondPerChannel;
  const channels = new Map<string, StoredChannel>(
    (
      options.channels ?? [
        { id: 'C0RELEASES', name: 'releases' },
        { id: 'C0COMMUNITY', name: 'community' },
      ]
    ).map((seed) => [
      seed.id,
      {
        id: seed.id,
        name: seed.name,
        member: seed.member ?? true,
        archived: seed.archived ?? false,
        private: seed.private ?? false,
        restriction: seed.restriction,
        timeline: [],
        byTs: new Map(),
      },
    ]),
  );
  const requests: SlackRequestLog[] = [];
  const scheduled: { fault: SlackFaultKind | string; apiMethod?: string }[] = [];
  /** Acceptance times of recent chat.postMessage calls, per channel argument. */
  const recentPosts = new Map<string, number[]>();
  let random: { faults: RandomFaults; next: () => number } | null = null;
  let lastTsMicros = 0;
  let writes = 0;

  const setFaults = (faults: RandomFaults | null | undefined) => {
    random = faults ? { faults, next: prng(faults.seed ?? 1) } : null;
  };
  setFaults(options.faults);

  /** Workspace-wide strictly increasing, so every ts is unique and orders messages. */
  const nextTs = () => {
    lastTsMicros = Math.max(Date.now() * 1000, lastTsMicros + 1);
    return formatTs(lastTsMicros);
  };

  // ---------- method handlers: validate everything, then apply the effect ----------

  const channelOf = (args: Args): StoredChannel => {
    const channel = channels.get(str(args.channel) ?? '');
    if (!channel) throw new SlackApiError('channel_not_found');
    return channel;
  };

  /** Bot tokens read only conversations they are in. */
  const readableChannel = (args: Args): StoredChannel => {
    const channel = channelOf(args);
    if (!channel.member) throw new SlackApiError('not_in_channel');
    return channel;
  };

  const messageOf = (channel: StoredChannel, ts: unknown): StoredMessage => {
    const message = channel.byTs.get(str(ts) ?? '');
    if (!message) throw new SlackApiError('message_not_found');
    return message;
  };

  const messageJson = (message: StoredMessage, withMetadata: boolean): Args => {
    const latest = message.replies.at(-1);
    return {
      type: 'message',
      ...(message.broadcast ? { subtype: 'thread_broadcast' } : {}),
      user: botUserId,
      bot_id: botId,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      ts: message.ts,
      ...(message.parent ? { thread_ts: message.parent.ts, parent_user_id: botUserId } : {}),
      ...(latest
        ? { thread_ts: message.ts, reply_count: message.replies.length, latest_reply: latest.ts }
        : {}),
      ...(message.edited ? { edited: message.edited } : {}),
      ...(withMetadata && message.metadata ? { metadata: message.metadata } : {}),
    };
  };

  /** oldest/latest bounds of history and replies: exclusive unless `inclusive`. */
  const timeFilter = (args: Args) => {
    const bound = (value: unknown, fallback: number, error: string) => {
      const raw = str(value);
      if (raw === undefined) return fallback;
      const micros = tsMicros(raw);
      if (micros === null) throw new SlackApiError(error);
      return micros;
    };
    const oldest = bound(args.oldest, 0, 'invalid_ts_oldest');
    const latest = bound(args.latest, Number.POSITIVE_INFINITY, 'invalid_ts_latest');
    const inclusive = flag(args.inclusive);
    return (message: StoredMessage) => {
      const at = tsMicros(message.ts) ?? 0;
      return inclusive ? at >= oldest && at <= latest : at > oldest && at < latest;
    };
  };

  /** One page of `items` (already in answer order); the cursor names the first message of the next page. */
  const page = (items: StoredMessage[], args: Args, descending: boolean): Args => {
    const requested = Number(str(args.limit));
    const limit =
      Number.isInteger(requested) && requested > 0 ? Math.min(requested, MAX_LIMIT) : DEFAULT_LIMIT;
    const cursor = str(args.cursor);
    let start = 0;
    if (cursor !== undefined) {
      const from = decodeCursor(cursor);
      // A message deleted since the cursor was issued is skipped, not an error.
      start = items.findIndex((m) => {
        const at = tsMicros(m.ts) ?? 0;
        return descending ? at <= from : at >= from;
      });
      if (start < 0) start = items.length;
    }
    const next = items[start + limit];
    return {
      messages: items.slice(start, start + limit).map((m) => messageJson(m, flag(args.include_all_metadata))),
      has_more: next !== undefined,
      response_metadata: { next_cursor: next ? encodeCursor(next.ts) : '' },
    };
  };

  /** Content checks, plus the metadata rules of the app and of the token type. */
  const checkMessage = (args: Args, caller: Caller) => {
    const content = checkContent(args, {
      schemas: options.metadataSchemas,
      maxBytes: options.maxMetadataBytes,
    });
    // "Message metadata can only be posted or updated using an app-level token."
    if (caller.user && args.metadata !== undefined) throw new SlackApiError('metadata_must_be_sent_from_app');
    return content;
  };

  /** The chat.postMessage errors of channels with posting rules. */
  const checkRestriction = (channel: StoredChannel, reply: boolean) => {
    const restriction = channel.restriction;
    if (restriction === 'posting') throw new SlackApiError('restricted_action');
    if (restriction === 'read_only') throw new SlackApiError('restricted_action_read_only_channel');
    if (restriction === 'thread_only' && !reply)
      throw new SlackApiError('restricted_action_thread_only_channel');
    if (restriction === 'non_threadable' && reply)
      throw new SlackApiError('restricted_action_non_threadable_channel');
  };

  /** Slack answers ok with a warning it also lists in response_metadata. */
  const warningOf = (warning: string | undefined): Args =>
    warning ? { warning, response_metadata: { warnings: [warning] } } : {};

  const removeMessage = (channel: StoredChannel, message: StoredMessage) => {
    // Replies go with their parent: nothing addresses them once it is gone.
    const gone = new Set([message, ...message.replies]);
    for (const m of gone) channel.byTs.delete(m.ts);
    channel.timeline = channel.timeline.filter((m) => !gone.has(m));
    if (message.parent) message.parent.replies = message.parent.replies.filter((m) => m !== message);
  };

  const handlers: Record<string, (args: Args, caller: Caller) => Args> = {
    // A user token answers for its person: no bot_id.
    'auth.test': (_args, caller) => ({
      url: workspaceUrl,
      team: teamName,
      user: caller.user ? 'person' : 'herald',
      team_id: teamId,
      user_id: caller.user ? 'U0PERSON' : botUserId,
      ...(caller.user ? {} : { bot_id: botId }),
      is_enterprise_install: false,
    }),

    'conversations.info': (args) => {
      const channel = channelOf(args);
      return {
        channel: {
          id: channel.id,
          name: channel.name,
          is_channel: true,
          is_private: channel.private,
          is_archived: channel.archived,
          is_member: channel.member,
        },
      };
    },

    'chat.postMessage': (args, caller) => {
      const channel = channelOf(args);
      if (channel.archived) throw new SlackApiError('is_archived');
      // chat:write.public lets an app post to public channels it has not joined; reading their
      // history (conversations.history/replies) still needs membership.
      if (!channel.member && (channel.private || !scopes.includes('chat:write.public')))
        throw new SlackApiError('not_in_channel');
      const threadTs = str(args.thread_ts);
      checkRestriction(channel, threadTs !== undefined);
      const content = checkMessage(args, caller);
      const parent = threadTs === undefined ? undefined : channel.byTs.get(threadTs);
      if (threadTs !== undefined && (!parent || parent.parent)) throw new SlackApiError('thread_not_found');

      const message: StoredMessage = {
        ts: nextTs(),
        parent,
        broadcast: parent !== undefined && flag(args.reply_broadcast),
        text: content.text ?? '',
        blocks: content.blocks?.length ? content.blocks : undefined,
        metadata: content.metadata,
        updates: 0,
        replies: [],
      };
      channel.byTs.set(message.ts, message);
      parent?.replies.push(message);
      if (!parent || message.broadcast) channel.timeline.push(message);
      return {
        channel: channel.id,
        ts: message.ts,
        message: messageJson(message, true),
        ...warningOf(content.warning),
      };
    },

    'chat.update': (args, caller) => {
      const channel = channelOf(args);
      const message = messageOf(channel, args.ts);
      const content = checkMessage(args, caller);
      // Fields not sent are kept; an empty blocks array removes the blocks.
      if (content.text !== undefined) message.text = content.text;
      if (content.blocks) message.blocks = content.blocks.length ? content.blocks : undefined;
      if (content.metadata) message.metadata = content.metadata;
      message.edited = { user: botUserId, ts: nextTs() };
      message.updates++;
      return { channel: channel.id, ts: message.ts, text: message.text, message: messageJson(message, true) };
    },

    'chat.delete': (args) => {
      const channel = channelOf(args);
      const message = messageOf(channel, args.ts);
      removeMessage(channel, message);
      return { channel: channel.id, ts: message.ts };
    },

    'chat.getPermalink': (args) => {
      const channel = channelOf(args);
      const message = messageOf(channel, args.message_ts);
      const path = `${workspaceUrl}archives/${channel.id}/p${message.ts.replace('.', '')}`;
      const thread = message.parent ? `?thread_ts=${message.parent.ts}&cid=${channel.id}` : '';
      return { channel: channel.id, permalink: path + thread };
    },

    'conversations.history': (args) => {
      const channel = readableChannel(args);
      const inWindow = timeFilter(args);
      const newestFirst = channel.timeline.filter(inWindow).reverse();
      return page(newestFirst, args, true);
    },

    'conversations.replies': (args) => {
      const channel = readableChannel(args);
      const found = channel.byTs.get(str(args.ts) ?? '');
      if (!found) throw new SlackApiError('thread_not_found');
      const parent = found.parent ?? found;
      const inWindow = timeFilter(args);
      return page([parent, ...parent.replies].filter(inWindow), args, false);
    },
  };

  /** The scope a method needs; conversation reads depend on whether the channel is private. */
  const neededScope = (apiMethod: string, args: Args): string | null => {
    if (WRITE_METHODS.has(apiMethod)) return 'chat:write';
    const isPrivate = channels.get(str(args.channel) ?? '')?.private === true;
    if (apiMethod === 'conversations.info') return isPrivate ? 'groups:read' : 'channels:read';
    if (apiMethod === 'conversations.history' || apiMethod === 'conversations.replies') {
      return isPrivate ? 'groups:history' : 'channels:history';
    }
    return null;
  };

  // ---------- faults and rate limit ----------

  const drawFault = (apiMethod: string): SlackFaultKind | string | undefined => {
    const index = scheduled.findIndex((s) => s.apiMethod === undefined || s.apiMethod === apiMethod);
    if (index >= 0) return scheduled.splice(index, 1)[0]?.fault;
    if (!random || (random.faults.onlyWrites && !WRITE_METHODS.has(apiMethod))) return undefined;
    if (random.next() >= random.faults.rate) return undefined;
    const kinds = random.faults.kinds?.length ? random.faults.kinds : ALL_KINDS;
    return kinds[Math.floor(random.next() * kinds.length)];
  };

  /** Takes a slot in the channel's sliding one-second window; false when it is full. */
  const takePostSlot = (channel: string): boolean => {
    if (postsPerSecond === null) return true;
    const now = Date.now();
    const recent = (recentPosts.get(channel) ?? []).filter((at) => at > now - RATE_WINDOW_MS);
    const admitted = recent.length < postsPerSecond;
    if (admitted) recent.push(now);
    recentPosts.set(channel, recent);
    return admitted;
  };

  // ---------- HTTP plumbing ----------

  const apiError = (error: string, extra: Args = {}): Reply => ({
    status: 200,
    body: { ok: false, error, ...extra },
  });
  const rateLimited = (): Reply => ({
    status: 429,
    headers: { 'retry-after': '1' },
    body: { ok: false, error: 'ratelimited' },
  });

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  /** Query and body arguments plus the token; a body Slack would refuse yields `error`. */
  const parseRequest = (req: IncomingMessage, url: URL, body: Buffer) => {
    const args: Args = Object.fromEntries(url.searchParams);
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    let error: string | undefined;
    let json = false;
    if (body.length > 0) {
      if (type === 'application/x-www-form-urlencoded') {
        Object.assign(args, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
      } else if (type === 'application/json') {
        json = true;
        try {
          const parsed: unknown = JSON.parse(body.toString('utf8'));
          if (isRecord(parsed)) Object.assign(args, parsed);
          else error = 'json_not_object';
        } catch {
          error = 'invalid_json';
        }
      } else error = 'invalid_post_type';
    }
    // The SDK JSON-encodes non-scalar arguments into form fields. Bad JSON is kept as the raw
    // string so the method reports it (invalid_blocks_format, invalid_metadata_format).
    for (const field of JSON_FIELDS) {
      const value = args[field];
      if (typeof value !== 'string') continue;
      try {
        args[field] = JSON.parse(value);
      } catch {}
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    // Slack reads a token argument from forms and query strings, never from a JSON body.
    const tokenArg = json ? str(url.searchParams.get('token')) : str(args.token);
    delete args.token;
    return { args, token: bearer ?? tokenArg, error };
  };

  /** The answer to one request, or null when the socket is to be destroyed unanswered. */
  const answer = async (
    apiMethod: string,
    parsed: ReturnType<typeof parseRequest>,
    entry: SlackRequestLog,
    lose: { after: boolean },
  ): Promise<Reply | null> => {
    if (parsed.error) return apiError(parsed.error);
    const handler = handlers[apiMethod];
    if (!handler) return apiError('unknown_method', { req_method: apiMethod });
    if (parsed.token === undefined) return apiError('not_authed');
    if (!entry.authorized) return apiError('invalid_auth');
    const needed = neededScope(apiMethod, parsed.args);
    if (needed && !scopes.includes(needed)) {
      return apiError('missing_scope', { needed, provided: scopes.join(',') });
    }

    const fault = drawFault(apiMethod);
    if (fault !== undefined) entry.fault = fault;
    if (fault === 'slow') await sleep(SLOW_MS);
    else if (fault === 'reset') return null;
    else if (fault === 'reset-after') lose.after = true;
    else if (fault === 429) return rateLimited();
    else if (fault === 500)
      return { status: 500, html: '<html><body><h1>500 Internal Server Error</h1></body></html>' };
    else if (fault !== undefined) return apiError(String(fault));

    if (apiMethod === 'chat.postMessage' && !takePostSlot(str(parsed.args.channel) ?? ''))
      return rateLimited();

    try {
      const result = handler(parsed.args, { user: parsed.token === options.userToken });
      if (WRITE_METHODS.has(apiMethod)) writes++;
      return { status: 200, body: { ok: true, ...result } };
    } catch (err) {
      if (err instanceof SlackApiError) return apiError(err.code, err.extra);
      throw err;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    // For a rehearsal: every channel as Slack would show it (not part of the API, never logged).
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(channelsPage());
      return;
    }
    const body = await readBody(req);
    const apiMethod = /^\/api\/([^/]+)$/.exec(url.pathname)?.[1] ?? url.pathname;
    const parsed = parseRequest(req, url, body);
    const entry: SlackRequestLog = {
      apiMethod,
      contentType: req.headers['content-type'] ?? '',
      authorized:
        parsed.token === token || (options.userToken !== undefined && parsed.token === options.userToken),
      args: parsed.args,
      status: 0,
      ok: false,
      at,
    };
    requests.push(entry);
    if (options.delayMs) await sleep(options.delayMs);

    const lose = { after: false };
    const reply = await answer(apiMethod, parsed, entry, lose);
    if (!reply || lose.after) {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { 'x-oauth-scopes': scopes.join(','), ...reply.headers };
    headers['content-type'] = reply.html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
    entry.status = reply.status;
    entry.ok = reply.body?.ok === true;
    if (typeof reply.body?.error === 'string') entry.error = reply.body.error;
    res.writeHead(reply.status, headers);
    res.end(reply.html ?? JSON.stringify(reply.body));
    options.onRequest?.(entry);
  };

  const channelsPage = () =>
    renderSlackHtml({
      title: 'Slack emulator',
      channels: [...channels.values()].map((c) => ({
        name: `#${c.name} (${c.id})`,
        threads: c.timeline
          .filter((m) => !m.parent)
          .map((m) => ({
            message: { text: m.text, blocks: (m.blocks ?? []) as SlackMessage['blocks'] },
            postedAt: Math.round(Number(m.ts) * 1000),
            replies: m.replies.map((r) => ({
              text: r.text,
              blocks: (r.blocks ?? []) as SlackMessage['blocks'],
            })),
          })),
      })),
    });

  const snapshot = (message: StoredMessage): EmulatedSlackMessage => ({
    ts: message.ts,
    thread_ts: message.parent?.ts,
    text: message.text,
    blocks: message.blocks && structuredClone(message.blocks),
    metadata: message.metadata && structuredClone(message.metadata),
    reply_broadcast: message.broadcast || undefined,
    edited: message.edited && { ...message.edited },
    updates: message.updates,
    replies: message.replies.map(snapshot),
  });

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/api/`,
    token,
    requests,
    messages: (channel) => (channels.get(channel)?.timeline ?? []).filter((m) => !m.parent).map(snapshot),
    failNext(count, fault, apiMethod) {
      for (let i = 0; i < count; i++) scheduled.push({ fault, apiMethod });
    },
    setFaults: (faults) => setFaults(faults),
    writeCount: () => writes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
