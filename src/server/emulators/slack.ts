import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderSlackHtml } from '../../core/slack-html.js';
import type { SlackMessage } from '../../model/index.js';
import { type Args, isRecord, SlackApiError, type SlackMetadata, str } from './slack-content.js';
import {
  type ChannelRestriction,
  createSlackMethods,
  type StoredChannel,
  type StoredMessage,
  WRITE_METHODS,
} from './slack-methods.js';

export type { SlackMetadata } from './slack-content.js';
export type { ChannelRestriction } from './slack-methods.js';

/**
 * A loopback stand-in for the Slack Web API methods herald uses, following Slack's published
 * method references: auth.test, conversations.info/history/replies,
 * chat.postMessage/update/delete/getPermalink. It speaks what @slack/web-api 8.2.0 sends (form bodies
 * with JSON-encoded non-scalar fields, Bearer token) and also JSON bodies and GET query strings.
 *
 * Order of checks: unknown method, auth, scope, interceptor (see `SlackInterceptor`), per-channel
 * rate limit of chat.postMessage, method validation, effect. API errors are HTTP 200 `{ok:false}`;
 * only the rate limit (429) and what an interceptor answers use other statuses, as on Slack.
 */

/** An answer the emulator sends as it is: a JSON body, or an HTML page (a proxy's error page). */
export interface SlackReply {
  status: number;
  body?: Args;
  html?: string;
  headers?: Record<string, string>;
}

/**
 * What an interceptor does to one authorized, in-scope request, before the rate limit and the
 * method: answer instead of the method, drop the connection before the method runs or after its
 * effect (the answer is lost), or wait before going on. `label` is logged as the request's `fault`.
 * Herald's tests inject Slack's faults through it; `herald emulate slack` sets none.
 */
export type SlackInterception = { label: string | number } & (
  | { answer: SlackReply }
  | { drop: 'before' | 'after' }
  | { delayMs: number }
);
export type SlackInterceptor = (apiMethod: string) => SlackInterception | undefined;

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
  /** Sees each authorized, in-scope request first (see `SlackInterception`); default none. */
  intercept?: SlackInterceptor;
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
  /** The label of what an interceptor did to the request. */
  fault?: string | number;
  /** Arrival time, epoch ms. */
  at: number;
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
  /** Replaces the interceptor (null: none). */
  setInterceptor(intercept: SlackInterceptor | null): void;
  /** Successful chat.postMessage + chat.update + chat.delete, including those whose answer a 'reset-after' lost. */
  writeCount(): number;
  close(): Promise<void>;
}

type Reply = SlackReply;

const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];
const RATE_WINDOW_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
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
  /** Acceptance times of recent chat.postMessage calls, per channel argument. */
  const recentPosts = new Map<string, number[]>();
  let intercept = options.intercept ?? null;
  let writes = 0;

  const { handlers, neededScope } = createSlackMethods({
    channels,
    scopes,
    teamId,
    teamName,
    workspaceUrl,
    botUserId,
    botId,
    metadataSchemas: options.metadataSchemas,
    maxMetadataBytes: options.maxMetadataBytes,
  });

  // ---------- rate limit ----------

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

    const interception = intercept?.(apiMethod);
    if (interception) {
      entry.fault = interception.label;
      if ('answer' in interception) return interception.answer;
      if ('delayMs' in interception) await sleep(interception.delayMs);
      else if (interception.drop === 'before') return null;
      else lose.after = true;
    }

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
    setInterceptor: (next) => {
      intercept = next;
    },
    writeCount: () => writes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
