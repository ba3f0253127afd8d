import {
  ErrorCode,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/slack.js';
import { type SlackEmulator, type SlackEmulatorOptions, startSlackEmulator } from './slack-faults.js';

/**
 * Drives the Slack emulator through the real @slack/web-api 8.2.0 WebClient (form bodies with
 * JSON-encoded fields, Bearer token) and raw fetch for the JSON-body and GET paths, proving the
 * contracts of Slack's method references (answers, errors, limits).
 */

interface Message {
  type: string;
  subtype?: string;
  text: string;
  ts: string;
  thread_ts?: string;
  blocks?: unknown[];
  metadata?: unknown;
  reply_count?: number;
  latest_reply?: string;
  edited?: { user: string; ts: string };
}
interface Listing {
  messages: Message[];
  has_more: boolean;
  response_metadata: { next_cursor: string };
}
interface Posted {
  channel: string;
  ts: string;
  message: Message;
}

const DEFAULT_SCOPES = ['chat:write', 'channels:read', 'groups:read', 'channels:history', 'groups:history'];
const RELEASES = 'C0RELEASES';
const COMMUNITY = 'C0COMMUNITY';
const META = { event_type: 'release_published', event_payload: { release_id: 'v1.2.0', count: 3 } };

const running: SlackEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
});

async function start(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const emu = await startSlackEmulator(options);
  running.push(emu);
  return emu;
}

/** A WebClient on the emulator; `null` sends no token at all. */
function client(emu: SlackEmulator, token: string | null = emu.token): WebClient {
  return new WebClient(token ?? undefined, {
    slackApiUrl: emu.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 2000,
    logger: silentLogger,
  });
}

/** The rejection of a call that must fail. */
async function rejection(call: Promise<unknown>): Promise<Error> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: Error) => err,
  );
}

/** The Slack error code of a WebAPIPlatformError rejection. */
async function slackError(call: Promise<unknown>): Promise<string> {
  const err = await rejection(call);
  expect(err).toBeInstanceOf(WebAPIPlatformError);
  return (err as WebAPIPlatformError).data.error;
}

const post = async (slack: WebClient, args: Record<string, unknown>) =>
  (await slack.apiCall('chat.postMessage', args)) as unknown as Posted;
const list = async (slack: WebClient, method: string, args: Record<string, unknown>) =>
  (await slack.apiCall(method, args)) as unknown as Listing;
const texts = (listing: { messages: Message[] } | { text: string }[]) =>
  ('messages' in listing ? listing.messages : listing).map((m) => m.text);
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

function raw(emu: SlackEmulator, method: string, init: RequestInit = {}) {
  return fetch(`${emu.url}${method}`, { method: 'POST', ...init });
}

describe('Slack emulator through @slack/web-api', () => {
  it('auth.test: ok with the token, invalid_auth with another, not_authed without one', async () => {
    const emu = await start();
    const answer = await client(emu).auth.test();
    expect(answer).toMatchObject({
      ok: true,
      url: 'https://acme.slack.example/',
      team: 'Acme',
      team_id: 'T0HERALD',
      user_id: 'U0HERALDBOT',
      bot_id: 'B0HERALDBOT',
    });
    // The SDK reads the x-oauth-scopes header into response_metadata.scopes.
    expect(answer.response_metadata?.scopes).toEqual(DEFAULT_SCOPES);

    expect(await slackError(client(emu, 'xoxb-someone-else').auth.test())).toBe('invalid_auth');
    expect(await slackError(client(emu, null).auth.test())).toBe('not_authed');
    expect(emu.requests.map((r) => [r.apiMethod, r.authorized, r.status, r.ok])).toEqual([
      ['auth.test', true, 200, true],
      ['auth.test', false, 200, false],
      ['auth.test', false, 200, false],
    ]);
    expect(emu.requests[1]?.error).toBe('invalid_auth');
  });

  it('missing_scope names the scope needed and the scopes granted, and has no effect', async () => {
    const emu = await start({
      scopes: ['channels:read'],
      channels: [
        { id: RELEASES, name: 'releases' },
        { id: 'G0SECRET', name: 'secret', private: true },
      ],
    });
    const slack = client(emu);
    const err = await rejection(slack.chat.postMessage({ channel: RELEASES, text: 'hi' }));
    expect((err as WebAPIPlatformError).data).toMatchObject({
      error: 'missing_scope',
      needed: 'chat:write',
      provided: 'channels:read',
    });
    const history = await rejection(slack.conversations.history({ channel: RELEASES }));
    expect((history as WebAPIPlatformError).data).toMatchObject({ needed: 'channels:history' });
    const privateInfo = await rejection(slack.conversations.info({ channel: 'G0SECRET' }));
    expect((privateInfo as WebAPIPlatformError).data).toMatchObject({ needed: 'groups:read' });
    const publicInfo = await slack.conversations.info({ channel: RELEASES });
    expect(publicInfo.channel).toMatchObject({ id: RELEASES, name: 'releases', is_private: false });
    expect(emu.messages(RELEASES)).toEqual([]);
    expect(emu.writeCount()).toBe(0);
  });

  it('posts with blocks and metadata; history shows metadata only with include_all_metadata', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    const blocks = [{ type: 'header', text: { type: 'plain_text', text: 'v1.2.0' } }, section('*Fixes*')];
    const first = await slack.chat.postMessage({
      channel: RELEASES,
      text: 'v1.2.0 is out',
      blocks,
      metadata: META,
    });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(first).toMatchObject({
      ok: true,
      channel: RELEASES,
      message: { type: 'message', text: 'v1.2.0 is out', blocks, metadata: META, bot_id: 'B0HERALDBOT' },
    });
    const second = await post(slack, { channel: RELEASES, text: 'second' });
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));

    // The SDK sent a form body; the emulator decoded the JSON-encoded fields.
    const logged = emu.requests[0];
    expect(logged?.contentType).toBe('application/x-www-form-urlencoded');
    expect(logged?.args).toMatchObject({ channel: RELEASES, blocks, metadata: META });

    const plain = await list(slack, 'conversations.history', { channel: RELEASES });
    expect(texts(plain)).toEqual(['second', 'v1.2.0 is out']);
    expect(plain.messages.map((m) => m.metadata)).toEqual([undefined, undefined]);
    expect(plain.messages[1]?.blocks).toEqual(blocks);

    const full = await list(slack, 'conversations.history', {
      channel: RELEASES,
      include_all_metadata: true,
    });
    expect(full.messages[1]?.metadata).toEqual(META);
    expect(emu.messages(RELEASES)[0]).toMatchObject({ text: 'v1.2.0 is out', metadata: META, updates: 0 });
  });

  it('thread replies: conversations.replies lists parent then replies; only broadcasts reach history', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    const parent = await post(slack, { channel: RELEASES, text: 'parent' });
    const quiet = await post(slack, { channel: RELEASES, text: 'quiet reply', thread_ts: parent.ts });
    const loud = await post(slack, {
      channel: RELEASES,
      text: 'broadcast reply',
      thread_ts: parent.ts,
      reply_broadcast: true,
    });
    expect(quiet.message.thread_ts).toBe(parent.ts);

    const thread = await list(slack, 'conversations.replies', { channel: RELEASES, ts: parent.ts });
    expect(texts(thread)).toEqual(['parent', 'quiet reply', 'broadcast reply']);
    expect(thread.messages[0]).toMatchObject({ thread_ts: parent.ts, reply_count: 2, latest_reply: loud.ts });

    const history = await list(slack, 'conversations.history', { channel: RELEASES });
    expect(texts(history)).toEqual(['broadcast reply', 'parent']);
    expect(history.messages[0]?.subtype).toBe('thread_broadcast');

    const snapshot = emu.messages(RELEASES);
    expect(texts(snapshot)).toEqual(['parent']);
    expect(texts(snapshot[0]?.replies ?? [])).toEqual(['quiet reply', 'broadcast reply']);

    const link = await slack.chat.getPermalink({ channel: RELEASES, message_ts: quiet.ts });
    expect(link.permalink).toBe(
      `https://acme.slack.example/archives/${RELEASES}/p${quiet.ts.replace('.', '')}?thread_ts=${parent.ts}&cid=${RELEASES}`,
    );
    expect(await slackError(slack.conversations.replies({ channel: RELEASES, ts: '1.000001' }))).toBe(
      'thread_not_found',
    );
  });

  it('chat.update edits in place; chat.delete removes a parent together with its replies', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    const draft = await post(slack, { channel: RELEASES, text: 'draft', metadata: META });
    const reply = await post(slack, { channel: RELEASES, text: 'reply', thread_ts: draft.ts });

    const updated = await slack.chat.update({
      channel: RELEASES,
      ts: draft.ts,
      text: 'final',
      blocks: [section('final')],
    });
    expect(updated).toMatchObject({ ok: true, channel: RELEASES, ts: draft.ts, text: 'final' });
    const [stored] = emu.messages(RELEASES);
    expect(stored).toMatchObject({
      ts: draft.ts,
      text: 'final',
      blocks: [section('final')],
      metadata: META,
      updates: 1,
    });
    expect(Number(stored?.edited?.ts)).toBeGreaterThan(Number(reply.ts));
    const history = await list(slack, 'conversations.history', { channel: RELEASES });
    expect(history.messages[0]).toMatchObject({ text: 'final', edited: { user: 'U0HERALDBOT' } });
    expect(await slackError(slack.chat.update({ channel: RELEASES, ts: '1.000001', text: 'x' }))).toBe(
      'message_not_found',
    );

    expect(await slack.chat.delete({ channel: RELEASES, ts: draft.ts })).toMatchObject({
      ok: true,
      ts: draft.ts,
    });
    expect(emu.messages(RELEASES)).toEqual([]);
    expect(texts(await list(slack, 'conversations.history', { channel: RELEASES }))).toEqual([]);
    expect(await slackError(slack.chat.delete({ channel: RELEASES, ts: draft.ts }))).toBe(
      'message_not_found',
    );
    expect(await slackError(slack.chat.update({ channel: RELEASES, ts: reply.ts, text: 'x' }))).toBe(
      'message_not_found',
    );
    expect(emu.writeCount()).toBe(4);
  });

  it('refuses posts to unknown, unjoined and archived channels, bad threads, empty and overlong text', async () => {
    const emu = await start({
      postsPerSecondPerChannel: null,
      channels: [
        { id: RELEASES, name: 'releases' },
        { id: 'C0OUTSIDE', name: 'outside', member: false },
        { id: 'C0OLD', name: 'old', archived: true },
      ],
    });
    const slack = client(emu);
    expect(await slackError(post(slack, { channel: 'C0NOPE', text: 'x' }))).toBe('channel_not_found');
    expect(await slackError(slack.conversations.info({ channel: 'C0NOPE' }))).toBe('channel_not_found');
    expect(await slackError(post(slack, { channel: 'C0OUTSIDE', text: 'x' }))).toBe('not_in_channel');
    expect(await slackError(post(slack, { channel: 'C0OLD', text: 'x' }))).toBe('is_archived');
    expect(await slackError(post(slack, { channel: RELEASES, text: 'x', thread_ts: '1.000001' }))).toBe(
      'thread_not_found',
    );
    expect(await slackError(post(slack, { channel: RELEASES }))).toBe('no_text');
    expect(await slackError(post(slack, { channel: RELEASES, blocks: [] }))).toBe('no_text');
    expect(await slackError(post(slack, { channel: RELEASES, text: 'x'.repeat(40_001) }))).toBe(
      'msg_too_long',
    );
    expect(emu.writeCount()).toBe(0);

    const parent = await post(slack, { channel: RELEASES, text: 'x'.repeat(40_000) });
    const reply = await post(slack, { channel: RELEASES, text: 'r', thread_ts: parent.ts });
    // A thread hangs off a top-level message, not off a reply.
    expect(await slackError(post(slack, { channel: RELEASES, text: 'x', thread_ts: reply.ts }))).toBe(
      'thread_not_found',
    );
    expect(emu.writeCount()).toBe(2);
  });

  it('invalid_blocks carries Slack-style messages with JSON pointers', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    const messagesOf = async (blocks: unknown[]) => {
      const err = await rejection(post(slack, { channel: RELEASES, text: 'fallback', blocks }));
      expect((err as WebAPIPlatformError).data.error).toBe('invalid_blocks');
      return (err as WebAPIPlatformError).data.response_metadata?.messages ?? [];
    };
    const header = (text: string) => ({ type: 'header', text: { type: 'plain_text', text } });

    expect(await messagesOf([{ type: 'divider' }, section('x'.repeat(3001))])).toEqual([
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text/text]',
    ]);
    expect(await messagesOf([header('h'.repeat(151))])).toEqual([
      '[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    ]);
    expect(await messagesOf(Array.from({ length: 51 }, () => ({ type: 'divider' })))).toEqual([
      '[ERROR] no more than 50 items allowed [json-pointer:/blocks]',
    ]);
    expect((await messagesOf([{ type: 'hologram' }]))[0]).toContain('[json-pointer:/blocks/0/type]');
    expect((await messagesOf([section('')]))[0]).toContain('[json-pointer:/blocks/0/text/text]');
    expect((await messagesOf([{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }]))[0]).toContain(
      '[json-pointer:/blocks/0/text/type]',
    );
    expect(emu.messages(RELEASES)).toEqual([]);

    // Exactly at each limit is accepted.
    await post(slack, { channel: RELEASES, text: 'a', blocks: [section('x'.repeat(3000))] });
    await post(slack, { channel: RELEASES, text: 'b', blocks: [header('h'.repeat(150))] });
    await post(slack, {
      channel: RELEASES,
      text: 'c',
      blocks: Array.from({ length: 50 }, () => ({ type: 'divider' })),
    });
    expect(emu.writeCount()).toBe(3);
  });

  it('msg_blocks_too_long above 13,200 characters of block text in total', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    const blocks = (last: number) => [
      ...Array.from({ length: 4 }, () => section('x'.repeat(3000))),
      section('y'.repeat(last)),
    ];
    expect(await slackError(post(slack, { channel: RELEASES, text: 'long', blocks: blocks(1201) }))).toBe(
      'msg_blocks_too_long',
    );
    await post(slack, { channel: RELEASES, text: 'long', blocks: blocks(1200) });
    expect(emu.messages(RELEASES)).toHaveLength(1);
  });

  it('invalid_metadata_format for a malformed event_type, a missing payload or non-JSON metadata', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    for (const metadata of [
      { event_type: '', event_payload: {} },
      { event_type: 'release_published' },
      { event_type: 'x'.repeat(256), event_payload: {} },
      'not json',
    ]) {
      expect(await slackError(post(slack, { channel: RELEASES, text: 'x', metadata }))).toBe(
        'invalid_metadata_format',
      );
    }
    expect(emu.writeCount()).toBe(0);
    await post(slack, { channel: RELEASES, text: 'x', metadata: META });
    expect(emu.messages(RELEASES)[0]?.metadata).toEqual(META);
  });

  it('an event_type with punctuation posts with an invalid_metadata_schema warning and no metadata', async () => {
    // Slack's metadata guide: letters, numbers, underscores and hyphens; anything else "returns an
    // invalid_metadata_schema warning and is ignored".
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    const hyphen = { event_type: 'release-published', event_payload: { id: 1 } };
    await post(slack, { channel: RELEASES, text: 'hyphen', metadata: hyphen });
    const dotted = (await slack.apiCall('chat.postMessage', {
      channel: RELEASES,
      text: 'dotted',
      metadata: { event_type: 'release.published', event_payload: { id: 2 } },
    })) as unknown as { ok: boolean; warning?: string; response_metadata?: { warnings?: string[] } };
    expect(dotted.ok).toBe(true);
    expect(dotted.warning).toBe('invalid_metadata_schema');
    expect(dotted.response_metadata?.warnings).toEqual(['invalid_metadata_schema']);
    expect(emu.messages(RELEASES).map((m) => m.metadata)).toEqual([hyphen, undefined]);
  });

  it('invalid_metadata_schema for a payload that breaks the declared schema; metadata_too_large over the cap', async () => {
    const emu = await start({
      postsPerSecondPerChannel: null,
      metadataSchemas: { release_published: ['release_id'] },
      maxMetadataBytes: 200,
    });
    const slack = client(emu);
    const bad = { event_type: 'release_published', event_payload: { version: '1.0.0' } };
    expect(await slackError(post(slack, { channel: RELEASES, text: 'x', metadata: bad }))).toBe(
      'invalid_metadata_schema',
    );
    const big = { event_type: 'other', event_payload: { blob: 'x'.repeat(300) } };
    expect(await slackError(post(slack, { channel: RELEASES, text: 'x', metadata: big }))).toBe(
      'metadata_too_large',
    );
    expect(emu.writeCount()).toBe(0);
    await post(slack, { channel: RELEASES, text: 'x', metadata: META });
    expect(emu.writeCount()).toBe(1);
  });

  it('metadata_must_be_sent_from_app for a user token; the same post without metadata goes out', async () => {
    const emu = await start({ postsPerSecondPerChannel: null, userToken: 'xoxp-person' });
    const person = client(emu, 'xoxp-person');
    expect(await slackError(post(person, { channel: RELEASES, text: 'x', metadata: META }))).toBe(
      'metadata_must_be_sent_from_app',
    );
    const posted = await post(person, { channel: RELEASES, text: 'x' });
    expect(
      await slackError(person.chat.update({ channel: RELEASES, ts: posted.ts, text: 'y', metadata: META })),
    ).toBe('metadata_must_be_sent_from_app');
    await post(client(emu), { channel: RELEASES, text: 'bot', metadata: META });
    expect(emu.messages(RELEASES).map((m) => m.text)).toEqual(['x', 'bot']);
  });

  it('chat:write.public posts to a public channel the app is not in; history there is still not_in_channel', async () => {
    const channels = [
      { id: 'C0OUTSIDE', name: 'outside', member: false },
      { id: 'G0SECRET', name: 'secret', member: false, private: true },
    ];
    const withPublic = await start({
      postsPerSecondPerChannel: null,
      channels,
      scopes: [...DEFAULT_SCOPES, 'chat:write.public'],
    });
    const slack = client(withPublic);
    await post(slack, { channel: 'C0OUTSIDE', text: 'hello' });
    expect(withPublic.messages('C0OUTSIDE')).toHaveLength(1);
    expect(await slackError(list(slack, 'conversations.history', { channel: 'C0OUTSIDE' }))).toBe(
      'not_in_channel',
    );
    // Private channels always need the app invited.
    expect(await slackError(post(slack, { channel: 'G0SECRET', text: 'x' }))).toBe('not_in_channel');

    const without = await start({ postsPerSecondPerChannel: null, channels });
    expect(await slackError(post(client(without), { channel: 'C0OUTSIDE', text: 'x' }))).toBe(
      'not_in_channel',
    );
  });

  it('restricted_action* for channels with posting rules', async () => {
    const emu = await start({
      postsPerSecondPerChannel: null,
      channels: [
        { id: 'C0LOCKED', name: 'locked', restriction: 'posting' },
        { id: 'C0READ', name: 'read', restriction: 'read_only' },
        { id: 'C0THREADS', name: 'threads', restriction: 'thread_only' },
        { id: 'C0FLAT', name: 'flat', restriction: 'non_threadable' },
      ],
    });
    const slack = client(emu);
    expect(await slackError(post(slack, { channel: 'C0LOCKED', text: 'x' }))).toBe('restricted_action');
    expect(await slackError(post(slack, { channel: 'C0READ', text: 'x' }))).toBe(
      'restricted_action_read_only_channel',
    );
    expect(await slackError(post(slack, { channel: 'C0THREADS', text: 'x' }))).toBe(
      'restricted_action_thread_only_channel',
    );
    const top = await post(slack, { channel: 'C0FLAT', text: 'top' });
    expect(await slackError(post(slack, { channel: 'C0FLAT', text: 'r', thread_ts: top.ts }))).toBe(
      'restricted_action_non_threadable_channel',
    );
    expect(emu.writeCount()).toBe(1);
  });

  it('context block text objects take up to 3,000 characters, like every text object', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    const context = (n: number) => [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'c'.repeat(n) }] }];
    await post(slack, { channel: RELEASES, text: 'ok', blocks: context(3000) });
    const err = await rejection(post(slack, { channel: RELEASES, text: 'long', blocks: context(3001) }));
    expect((err as WebAPIPlatformError).data.response_metadata?.messages).toEqual([
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/elements/0/text]',
    ]);
  });

  it('rate-limits chat.postMessage per channel: 429 Retry-After 1, no effect, other channels unaffected', async () => {
    const emu = await start();
    const slack = client(emu);
    await post(slack, { channel: RELEASES, text: 'one' });
    const err = await rejection(post(slack, { channel: RELEASES, text: 'two' }));
    expect(err).toBeInstanceOf(WebAPIRateLimitedError);
    expect((err as WebAPIRateLimitedError).retryAfter).toBe(1);
    await post(slack, { channel: COMMUNITY, text: 'elsewhere' });
    await list(slack, 'conversations.history', { channel: RELEASES });

    const refused = await raw(emu, 'chat.postMessage', {
      headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: RELEASES, text: 'three' }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect(texts(emu.messages(RELEASES))).toEqual(['one']);
    expect(emu.writeCount()).toBe(2);

    // The window slides: a second later the channel takes a post again.
    await new Promise((resolve) => setTimeout(resolve, 1050));
    await post(slack, { channel: RELEASES, text: 'four' });
    expect(texts(emu.messages(RELEASES))).toEqual(['one', 'four']);
  });

  it('pages history by cursor (250 messages, limit 100: 3 pages) and honours oldest/latest', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    const stamps: string[] = [];
    for (let i = 0; i < 250; i++) stamps.push((await post(slack, { channel: RELEASES, text: `m${i}` })).ts);

    const pages: Listing[] = [];
    for await (const page of slack.paginate('conversations.history', { channel: RELEASES, limit: 100 })) {
      pages.push(page as unknown as Listing);
    }
    expect(pages.map((p) => p.messages.length)).toEqual([100, 100, 50]);
    expect(pages.map((p) => p.has_more)).toEqual([true, true, false]);
    expect(pages[2]?.response_metadata.next_cursor).toBe('');
    expect(pages.flatMap((p) => texts(p))).toEqual(Array.from({ length: 250 }, (_, i) => `m${249 - i}`));

    const firstPage = await list(slack, 'conversations.history', { channel: RELEASES });
    expect(firstPage.messages).toHaveLength(100); // the default limit
    expect(firstPage.has_more).toBe(true);
    expect(
      await slackError(list(slack, 'conversations.history', { channel: RELEASES, cursor: 'bm9wZQ==' })),
    ).toBe('invalid_cursor');

    const window = { channel: RELEASES, oldest: stamps[10], latest: stamps[20] };
    expect(texts(await list(slack, 'conversations.history', window))).toEqual(
      Array.from({ length: 9 }, (_, i) => `m${19 - i}`),
    );
    expect(await list(slack, 'conversations.history', { ...window, inclusive: true })).toMatchObject({
      messages: { length: 11 },
    });
  });

  it('caps limit at 999', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    for (let batch = 0; batch < 40; batch++) {
      await Promise.all(Array.from({ length: 25 }, () => post(slack, { channel: RELEASES, text: 'm' })));
    }
    const page = await list(slack, 'conversations.history', { channel: RELEASES, limit: 5000 });
    expect(page.messages).toHaveLength(999);
    expect(page.has_more).toBe(true);
  });

  it('pages conversations.replies oldest first, parent included', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    const parent = await post(slack, { channel: RELEASES, text: 'parent' });
    for (let i = 0; i < 5; i++) await post(slack, { channel: RELEASES, text: `r${i}`, thread_ts: parent.ts });
    const pages: string[][] = [];
    for await (const page of slack.paginate('conversations.replies', {
      channel: RELEASES,
      ts: parent.ts,
      limit: 2,
    })) {
      pages.push(texts(page as unknown as Listing));
    }
    expect(pages).toEqual([
      ['parent', 'r0'],
      ['r1', 'r2'],
      ['r3', 'r4'],
    ]);
  });

  it("failNext 'reset-after' applies the post but loses the answer; 'reset', 500 and 429 have no effect", async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    emu.failNext(1, 'reset-after', 'chat.postMessage');
    await slack.auth.test(); // another method does not consume it
    const lost = await rejection(post(slack, { channel: RELEASES, text: 'lost ack' }));
    expect(lost).toBeInstanceOf(WebAPIRequestError);
    expect((lost as WebAPIRequestError).code).toBe(ErrorCode.RequestError);
    expect(texts(emu.messages(RELEASES))).toEqual(['lost ack']);
    expect(emu.writeCount()).toBe(1);
    expect(emu.requests.at(-1)).toMatchObject({
      apiMethod: 'chat.postMessage',
      status: 0,
      fault: 'reset-after',
    });

    emu.failNext(1, 'reset');
    expect(await rejection(post(slack, { channel: RELEASES, text: 'reset' }))).toBeInstanceOf(
      WebAPIRequestError,
    );
    emu.failNext(1, 500);
    const http = await rejection(post(slack, { channel: RELEASES, text: 'five hundred' }));
    expect(http).toBeInstanceOf(WebAPIHTTPError);
    expect((http as WebAPIHTTPError).statusCode).toBe(500);
    emu.failNext(1, 429);
    expect(await rejection(post(slack, { channel: RELEASES, text: 'limited' }))).toBeInstanceOf(
      WebAPIRateLimitedError,
    );
    expect(texts(emu.messages(RELEASES))).toEqual(['lost ack']);
    expect(emu.writeCount()).toBe(1);
  });

  it("failNext with an error code answers {ok:false} with no effect; unauthenticated calls don't consume it", async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const slack = client(emu);
    emu.failNext(1, 'channel_not_found');
    expect(await slackError(client(emu, null).auth.test())).toBe('not_authed');
    expect(await slackError(post(slack, { channel: RELEASES, text: 'x' }))).toBe('channel_not_found');
    expect(emu.requests.at(-1)).toMatchObject({ status: 200, ok: false, fault: 'channel_not_found' });
    await post(slack, { channel: RELEASES, text: 'y' });

    emu.failNext(2, 'internal_error', 'chat.update');
    const target = await post(slack, { channel: RELEASES, text: 'z' });
    for (let i = 0; i < 2; i++) {
      expect(await slackError(slack.chat.update({ channel: RELEASES, ts: target.ts, text: 'z2' }))).toBe(
        'internal_error',
      );
    }
    await slack.chat.update({ channel: RELEASES, ts: target.ts, text: 'z2' });
    expect(emu.messages(RELEASES).map((m) => [m.text, m.updates])).toEqual([
      ['y', 0],
      ['z2', 1],
    ]);
  });

  it("failNext 'slow' answers normally after about 1.5 s", async () => {
    const emu = await start();
    emu.failNext(1, 'slow');
    const began = Date.now();
    await client(emu).auth.test();
    expect(Date.now() - began).toBeGreaterThanOrEqual(1400);
  });

  it('accepts JSON bodies, form token fields and GET query strings; token never in a JSON body', async () => {
    const emu = await start({ postsPerSecondPerChannel: null });
    const bearer = { authorization: `Bearer ${emu.token}` };
    const blocks = [section('*json*')];
    const posted = await raw(emu, 'chat.postMessage', {
      headers: { ...bearer, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: RELEASES, text: 'json', blocks, metadata: META }),
    });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('x-oauth-scopes')).toBe(DEFAULT_SCOPES.join(','));
    expect(await posted.json()).toMatchObject({
      ok: true,
      message: { text: 'json', blocks, metadata: META },
    });

    const read = await raw(emu, 'conversations.history', {
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: RELEASES, include_all_metadata: true }),
    });
    expect(await read.json()).toMatchObject({ ok: true, messages: [{ text: 'json', metadata: META }] });

    const got = await fetch(`${emu.url}conversations.history?channel=${RELEASES}&include_all_metadata=1`, {
      headers: bearer,
    });
    expect(await got.json()).toMatchObject({ ok: true, messages: [{ metadata: META }] });

    const form = await raw(emu, 'auth.test', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${emu.token}`,
    });
    expect(await form.json()).toMatchObject({ ok: true });

    const tokenInJson = await raw(emu, 'auth.test', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: emu.token }),
    });
    expect(await tokenInJson.json()).toEqual({ ok: false, error: 'not_authed' });
    expect(emu.requests.at(-1)?.args).toEqual({});

    const broken = await raw(emu, 'auth.test', {
      headers: { ...bearer, 'content-type': 'application/json' },
      body: '{"channel":',
    });
    expect(await broken.json()).toEqual({ ok: false, error: 'invalid_json' });
    const unknown = await raw(emu, 'chat.teleport', { headers: bearer });
    expect(await unknown.json()).toMatchObject({ ok: false, error: 'unknown_method' });
  });

  it('seeded random faults repeat run to run; onlyWrites spares reads', async () => {
    const outcomes = async (seed: number) => {
      const emu = await start({
        postsPerSecondPerChannel: null,
        faults: { rate: 0.5, kinds: [429, 500], seed },
      });
      const slack = client(emu);
      const seen: string[] = [];
      for (let i = 0; i < 24; i++) {
        seen.push(
          await slack.auth.test().then(
            () => 'ok',
            (err: Error & { code: string }) => err.code,
          ),
        );
      }
      // The log records which requests drew a fault: exactly the failed ones.
      expect(emu.requests.map((r) => r.fault === undefined)).toEqual(seen.map((s) => s === 'ok'));
      return seen;
    };
    const first = await outcomes(7);
    expect(await outcomes(7)).toEqual(first);
    expect(await outcomes(8)).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', ErrorCode.RateLimitedError, ErrorCode.HTTPError]));

    const emu = await start({
      postsPerSecondPerChannel: null,
      faults: { rate: 1, kinds: [500], onlyWrites: true },
    });
    const slack = client(emu);
    await slack.auth.test();
    await list(slack, 'conversations.history', { channel: RELEASES });
    expect(await rejection(post(slack, { channel: RELEASES, text: 'x' }))).toBeInstanceOf(WebAPIHTTPError);
    emu.setFaults(null);
    await post(slack, { channel: RELEASES, text: 'x' });
    expect(emu.writeCount()).toBe(1);
  });
});
