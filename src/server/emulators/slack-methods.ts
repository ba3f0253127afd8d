import { type Args, checkContent, SlackApiError, type SlackMetadata, str } from './slack-content.js';

// The Slack emulator's workspace and its Web API methods: each validates everything, then applies
// its effect. The HTTP side (auth, scopes, rate limit, answers) is in slack.ts.

/** Who is calling: a user token posts as a person, not as the app. */
export type ChannelRestriction = 'posting' | 'read_only' | 'thread_only' | 'non_threadable';

export interface Caller {
  user: boolean;
}

export interface StoredMessage {
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

export interface StoredChannel {
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

export const WRITE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.delete']);
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 999;

/** Boolean arguments arrive as true, 'true', 1 or '1'. */
export const flag = (value: unknown) => value === true || value === 'true' || value === 1 || value === '1';

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

/** What the methods work on: the channels and who the app is. */
export interface SlackWorkspace {
  channels: Map<string, StoredChannel>;
  scopes: string[];
  teamId: string;
  teamName: string;
  workspaceUrl: string;
  botUserId: string;
  botId: string;
  metadataSchemas?: Record<string, string[]>;
  maxMetadataBytes?: number;
}

export type SlackMethod = (args: Args, caller: Caller) => Args;

/** The methods by name, and the scope each call needs. */
export function createSlackMethods(workspace: SlackWorkspace): {
  handlers: Record<string, SlackMethod>;
  neededScope: (apiMethod: string, args: Args) => string | null;
} {
  const { channels, scopes, teamId, teamName, workspaceUrl, botUserId, botId } = workspace;
  const options = {
    metadataSchemas: workspace.metadataSchemas,
    maxMetadataBytes: workspace.maxMetadataBytes,
  };
  let lastTsMicros = 0;

  /** Workspace-wide strictly increasing, so every ts is unique and orders messages. */
  const nextTs = () => {
    lastTsMicros = Math.max(Date.now() * 1000, lastTsMicros + 1);
    return formatTs(lastTsMicros);
  };

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

  const handlers: Record<string, SlackMethod> = {
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

  return { handlers, neededScope };
}
