import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderSlackHtml } from '../../core/slack-html.js';
import type { SlackMessage } from '../../core/slack-message.js';
import { prng } from './prng.js';

/**
 * A loopback stand-in for the Slack Web API methods herald uses, following
 * `/work/shared/reference/integrations.md` section 3: auth.test, conversations.info/history/replies,
 * chat.postMessage/update/delete/getPermalink. It speaks what @slack/web-api 8.2.0 sends (form bodies
 * with JSON-encoded non-scalar fields, Bearer token) and also JSON bodies and GET query strings.
 *
 * Order of checks: unknown method, auth, scope, fault (scheduled, then seeded-random), per-channel
 * rate limit of chat.postMessage, method validation, effect. API errors are HTTP 200 `{ok:false}`;
 * only the rate limit (429) and injected 500s use other statuses, as on Slack.
 */

export type SlackFaultKind = 429 | 500 | 'reset' | 'reset-after' | 'slow';

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
  /** Default [{ id: 'C0RELEASES', name: 'releases' }, { id: 'C0COMMUNITY', name: 'community' }]; member defaults to true. */
  channels?: { id: string; name: string; member?: boolean; archived?: boolean; private?: boolean }[];
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

type Args = Record<string, unknown>;
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

/** A Slack `{ok:false}` answer raised from inside a method handler, before it has any effect. */
class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Args = {},
  ) {
    super(code);
  }
}

const WRITE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.delete']);
const ALL_KINDS: SlackFaultKind[] = [429, 500, 'reset', 'reset-after', 'slow'];
const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];
const TEXT_TYPES = ['plain_text', 'mrkdwn'];
const SLOW_MS = 1500;
const RATE_WINDOW_MS = 1000;
const MAX_TEXT = 40_000;
const MAX_BLOCKS = 50;
const MAX_BLOCK_TEXT_TOTAL = 13_200;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 999;
const EVENT_TYPE = /^[A-Za-z0-9_]+$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** A non-empty string argument; form fields are strings, JSON bodies may carry numbers. */
const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
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

/** Problems in a Block Kit array, each as Slack words it: `[ERROR] … [json-pointer:/blocks/…]`. */
function blockProblems(blocks: unknown[]): string[] {
  const problems: string[] = [];
  const fail = (pointer: string, message: string) => {
    problems.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  };
  const textObject = (value: unknown, pointer: string, max: number, types: string[]) => {
    if (!isRecord(value)) return fail(pointer, 'must be a text object');
    if (typeof value.type !== 'string' || !types.includes(value.type)) {
      fail(`${pointer}/type`, `must be one of: ${types.join(', ')}`);
    }
    if (typeof value.text !== 'string' || value.text.length === 0) {
      fail(`${pointer}/text`, 'must be more than 0 characters');
    } else if (value.text.length > max) fail(`${pointer}/text`, `must be less than ${max + 1} characters`);
  };
  const list = (value: unknown, pointer: string, max: number, each: (item: unknown, at: string) => void) => {
    if (!Array.isArray(value) || value.length === 0) return fail(pointer, 'must be a non-empty array');
    if (value.length > max) return fail(pointer, `no more than ${max} items allowed`);
    for (const [i, item] of value.entries()) each(item, `${pointer}/${i}`);
  };
  const block = (value: unknown, at: string) => {
    if (!isRecord(value)) return fail(at, 'must be an object');
    const id = value.block_id;
    if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 255)) {
      fail(`${at}/block_id`, 'must be a string of 1 to 255 characters');
    }
    switch (value.type) {
      case 'header':
        return textObject(value.text, `${at}/text`, 150, ['plain_text']);
      case 'section':
        if (value.text === undefined && value.fields === undefined) {
          return fail(at, 'must provide either text or fields');
        }
        if (value.text !== undefined) textObject(value.text, `${at}/text`, 3000, TEXT_TYPES);
        if (value.fields !== undefined) {
          list(value.fields, `${at}/fields`, 10, (field, p) => textObject(field, p, 2000, TEXT_TYPES));
        }
        return;
      case 'context':
        return list(value.elements, `${at}/elements`, 10, (element, p) => {
          if (isRecord(element) && element.type === 'image') {
            if (typeof element.image_url !== 'string' || typeof element.alt_text !== 'string') {
              fail(p, 'image elements need image_url and alt_text');
            }
          } else textObject(element, p, 2000, TEXT_TYPES);
        });
      case 'markdown':
        if (typeof value.text !== 'string' || value.text.length === 0) {
          return fail(`${at}/text`, 'must be more than 0 characters');
        }
        if (value.text.length > 12_000) fail(`${at}/text`, 'must be less than 12001 characters');
        return;
      case 'rich_text':
        if (!Array.isArray(value.elements)) fail(`${at}/elements`, 'must be an array');
        return;
      case 'divider':
        return;
      default:
        fail(`${at}/type`, `unsupported block type: ${String(value.type)}`);
    }
  };

  if (blocks.length > MAX_BLOCKS) fail('/blocks', `no more than ${MAX_BLOCKS} items allowed`);
  for (const [i, value] of blocks.entries()) block(value, `/blocks/${i}`);
  return problems;
}

/** Characters of every `text` string inside the blocks: what msg_blocks_too_long counts. */
function blockTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + blockTextLength(item), 0);
  if (!isRecord(value)) return 0;
  let sum = 0;
  for (const [key, item] of Object.entries(value)) {
    sum += key === 'text' && typeof item === 'string' ? item.length : blockTextLength(item);
  }
  return sum;
}

function checkMetadata(value: unknown): SlackMetadata {
  if (
    !isRecord(value) ||
    typeof value.event_type !== 'string' ||
    value.event_type.length > 255 ||
    !EVENT_TYPE.test(value.event_type) ||
    !isRecord(value.event_payload)
  ) {
    throw new SlackApiError('invalid_metadata_format');
  }
  return { event_type: value.event_type, event_payload: value.event_payload };
}

/** The message content of chat.postMessage/chat.update, validated; absent fields stay undefined. */
function checkContent(args: Args): { text?: string; blocks?: unknown[]; metadata?: SlackMetadata } {
  const text = str(args.text);
  const blocks = args.blocks;
  if (blocks !== undefined && !Array.isArray(blocks)) throw new SlackApiError('invalid_blocks_format');
  if (text === undefined && !blocks?.length) throw new SlackApiError('no_text');
  if (text !== undefined && text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
  if (blocks) {
    const problems = blockProblems(blocks);
    if (problems.length) {
      throw new SlackApiError('invalid_blocks', { response_metadata: { messages: problems } });
    }
    if (blockTextLength(blocks) > MAX_BLOCK_TEXT_TOTAL) throw new SlackApiError('msg_blocks_too_long');
  }
  const metadata = args.metadata === undefined ? undefined : checkMetadata(args.metadata);
  return { text, blocks, metadata };
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

  const removeMessage = (channel: StoredChannel, message: StoredMessage) => {
    // Replies go with their parent: nothing addresses them once it is gone.
    const gone = new Set([message, ...message.replies]);
    for (const m of gone) channel.byTs.delete(m.ts);
    channel.timeline = channel.timeline.filter((m) => !gone.has(m));
    if (message.parent) message.parent.replies = message.parent.replies.filter((m) => m !== message);
  };

  const handlers: Record<string, (args: Args) => Args> = {
    'auth.test': () => ({
      url: workspaceUrl,
      team: teamName,
      user: 'herald',
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
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

    'chat.postMessage': (args) => {
      const channel = channelOf(args);
      if (channel.archived) throw new SlackApiError('is_archived');
      if (!channel.member) throw new SlackApiError('not_in_channel');
      const content = checkContent(args);
      const threadTs = str(args.thread_ts);
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
      return { channel: channel.id, ts: message.ts, message: messageJson(message, true) };
    },

    'chat.update': (args) => {
      const channel = channelOf(args);
      const message = messageOf(channel, args.ts);
      const content = checkContent(args);
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
      const result = handler(parsed.args);
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
      authorized: parsed.token === token,
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
