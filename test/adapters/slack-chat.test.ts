import { afterEach, describe, expect, it } from 'vitest';
import { createSlackChat } from '../../src/adapters/slack.js';
import type { SlackMessage } from '../../src/core/slack-message.js';
import { DeliveryFailure } from '../../src/errors/delivery-failure.js';
import type { ChatPort } from '../../src/ports/index.js';
import {
  type SlackEmulator,
  type SlackEmulatorOptions,
  startSlackEmulator,
} from '../emulators/slack-faults.js';

/** The Slack adapter against the emulator: what each documented refusal tells the person running Herald. */

const running: SlackEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
});

const SCOPES = ['chat:write', 'channels:read', 'groups:read', 'channels:history', 'groups:history'];
const message: SlackMessage = {
  text: 'Acme 2.0.0 is out',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Acme 2.0.0 is out' } }],
};
const metadata = { eventType: 'herald_release_announced', payload: { delivery: 'd1', version: '2.0.0' } };

async function chatOn(
  options: SlackEmulatorOptions,
  token?: string,
): Promise<{ chat: ChatPort; emu: SlackEmulator }> {
  const emu = await startSlackEmulator({ postsPerSecondPerChannel: null, ...options });
  running.push(emu);
  return { chat: createSlackChat({ token: token ?? emu.token, apiUrl: emu.url, timeoutMs: 5000 }), emu };
}

async function failureOf(call: Promise<unknown>): Promise<DeliveryFailure> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryFailure);
  return error as DeliveryFailure;
}

const post = (chat: ChatPort, channel = 'C0RELEASES', threadTs: string | null = null) =>
  chat.post({ channel, message, threadTs, metadata });

describe('Slack refusals explain themselves', () => {
  it('not_in_channel asks for /invite and never suggests chat:write.public (history needs membership)', async () => {
    const { chat } = await chatOn({
      channels: [{ id: 'C0OUTSIDE', name: 'outside', member: false }],
      scopes: [...SCOPES, 'chat:write.public'],
    });
    const findings = await chat.verify(['C0OUTSIDE']);
    const channel = findings.find((f) => f.check === 'Slack channel C0OUTSIDE')!;
    expect(channel.ok).toBe(false);
    expect(channel.fix).toContain('/invite');
    expect(channel.fix).not.toMatch(/give the app the chat:write\.public/);
    expect(channel.fix).toMatch(/chat:write\.public scope is not enough/);

    // Posting works with chat:write.public, finding the post again does not: why membership is required.
    await post(chat, 'C0OUTSIDE');
    const lookup = await failureOf(chat.find({ channel: 'C0OUTSIDE', threadTs: null, since: 0, metadata }));
    expect(lookup.kind).toBe('permanent');
    expect(lookup.fix).toContain('/invite');
  });

  it('doctor names missing channels:read, and a user token', async () => {
    const { chat } = await chatOn({ scopes: ['chat:write', 'channels:history'] });
    const scopes = (await chat.verify(['C0RELEASES'])).find((f) => f.check === 'Slack scopes')!;
    expect(scopes.ok).toBe(false);
    expect(scopes.detail).toBe('missing channels:read');
    expect(scopes.fix).toContain('groups:read');

    const person = await chatOn({ userToken: 'xoxp-person' }, 'xoxp-person');
    const type = (await person.chat.verify(['C0RELEASES'])).find((f) => f.check === 'Slack token type')!;
    expect(type.ok).toBe(false);
    expect(type.fix).toContain('xoxb-');
  });

  it('metadata_must_be_sent_from_app: use the bot token', async () => {
    const { chat } = await chatOn({ userToken: 'xoxp-person' }, 'xoxp-person');
    const failure = await failureOf(post(chat));
    expect(failure.kind).toBe('permanent');
    expect(failure.message).toContain('only an app (bot) token');
    expect(failure.fix).toContain('bot token (xoxb-…)');
  });

  it('invalid_metadata_schema points at the manifest; metadata_too_large is a Herald bug', async () => {
    const schema = await chatOn({ metadataSchemas: { herald_release_announced: ['release_id'] } });
    const refused = await failureOf(post(schema.chat));
    expect(refused.message).toContain('schema the app');
    expect(refused.fix).toContain('manifest');

    const small = await chatOn({ maxMetadataBytes: 20 });
    const large = await failureOf(post(small.chat));
    expect(large.message).toContain('too large');
    expect(large.fix).toContain('bug in Herald');
  });

  it('message_limit_exceeded is retried later, nothing was posted', async () => {
    const { chat, emu } = await chatOn({});
    emu.failNext(1, 'message_limit_exceeded', 'chat.postMessage');
    const failure = await failureOf(post(chat));
    expect(failure.kind).toBe('retryable');
    expect(failure.retryAfterMs).toBe(60_000);
    expect(failure.message).toContain('too many messages');
    expect(emu.writeCount()).toBe(0);
  });

  it('restricted_action* say which posting rule stops the app', async () => {
    const { chat } = await chatOn({
      channels: [
        { id: 'C0LOCKED', name: 'locked', restriction: 'posting' },
        { id: 'C0READ', name: 'read', restriction: 'read_only' },
        { id: 'C0THREADS', name: 'threads', restriction: 'thread_only' },
        { id: 'C0FLAT', name: 'flat', restriction: 'non_threadable' },
      ],
    });
    expect((await failureOf(post(chat, 'C0LOCKED'))).message).toContain('a workspace setting stops');
    expect((await failureOf(post(chat, 'C0READ'))).message).toContain('is read-only');
    expect((await failureOf(post(chat, 'C0THREADS'))).message).toContain('accepts replies only');
    const top = await post(chat, 'C0FLAT');
    const reply = await failureOf(post(chat, 'C0FLAT', top.ts));
    expect(reply.message).toContain('does not accept thread replies');
    expect(reply.fix).toContain('Allow threads');
  });
});
