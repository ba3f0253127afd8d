import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderSlackHtml, type SlackThreadView } from '../core/slack-html.js';
import type { SlackMessage } from '../core/slack-message.js';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import type { ChatMetadata, ChatPort, PostedMessage } from '../ports/index.js';

/** One posted message as the outbox keeps it: the exact chat.postMessage payload, plus its ts. */
interface OutboxMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: SlackMessage['blocks'];
  metadata: { event_type: string; event_payload: Record<string, string | number> };
  posted_at: string;
  edited_at?: string;
}

/**
 * The embedded default when no SLACK_BOT_TOKEN is set: every message Herald would post is written
 * to `<dir>/<channel>/<ts>.json` (the exact payload) with a readable `.txt` beside it, and
 * `<dir>/<channel>.html` shows the channel as Slack would. Files are written whole (temp + rename),
 * so a crash never leaves half a message, and `find` reads them back like conversations.history.
 */
export function createSlackOutbox(dir: string, labels: Record<string, string> = {}): ChatPort {
  const channelDir = (channel: string) => path.join(dir, channel.replace(/[^A-Za-z0-9_-]/g, '_'));
  const fileOf = (channel: string, ts: string) => path.join(channelDir(channel), `${ts}.json`);

  const writeWhole = async (file: string, content: string) => {
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, content);
    await rename(temp, file);
  };
  const readAll = async (channel: string): Promise<OutboxMessage[]> => {
    let names: string[];
    try {
      names = await readdir(channelDir(channel));
    } catch {
      return [];
    }
    const messages: OutboxMessage[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort())
      messages.push(
        JSON.parse(await readFile(path.join(channelDir(channel), name), 'utf8')) as OutboxMessage,
      );
    // A name claimed by a post still being written is `{}`: not a message yet.
    return messages.filter((m) => m.ts);
  };
  const save = async (message: OutboxMessage) => {
    await mkdir(channelDir(message.channel), { recursive: true });
    const file = fileOf(message.channel, message.ts);
    await writeWhole(file, `${JSON.stringify(message, null, 2)}\n`);
    await writeWhole(file.replace(/\.json$/, '.txt'), readable(message));
    await writeChannelPage(message.channel);
  };
  const writeChannelPage = async (channel: string) => {
    await mkdir(dir, { recursive: true });
    const messages = await readAll(channel);
    const threads: SlackThreadView[] = messages
      .filter((m) => !m.thread_ts)
      .map((m) => ({
        message: m,
        postedAt: Date.parse(m.posted_at),
        replies: messages.filter((r) => r.thread_ts === m.ts),
      }));
    const label = labels[channel] ?? channel;
    await writeWhole(
      `${channelDir(channel)}.html`,
      renderSlackHtml({ title: `${label}: Slack outbox`, channels: [{ name: label, threads }] }),
    );
  };
  // Slack's ts: seconds with six digits; unique per outbox even across processes (the file is the claim).
  const newTs = () => {
    const now = Date.now();
    return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + (randomBytes(2).readUInt16BE() % 1000)).padStart(6, '0')}`;
  };
  const payloadOf = (message: SlackMessage, metadata: ChatMetadata) => ({
    text: message.text,
    blocks: message.blocks,
    metadata: { event_type: metadata.eventType, event_payload: metadata.payload },
  });

  return {
    description: `Slack outbox in ${dir}`,
    site: `outbox:${path.resolve(dir)}`,

    async post({ channel, message, threadTs, metadata }): Promise<PostedMessage> {
      await mkdir(channelDir(channel), { recursive: true });
      let ts = newTs();
      // Claim the name: a second process minting the same ts picks another.
      for (;;) {
        try {
          await writeFile(fileOf(channel, ts), '{}', { flag: 'wx' });
          break;
        } catch {
          ts = newTs();
        }
      }
      await save({
        channel,
        ts,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...payloadOf(message, metadata),
        posted_at: new Date().toISOString(),
      });
      return { channel, ts, permalink: null };
    },

    async update({ channel, ts, message }) {
      let current: OutboxMessage;
      try {
        current = JSON.parse(await readFile(fileOf(channel, ts), 'utf8')) as OutboxMessage;
      } catch {
        throw new DeliveryFailure({
          kind: 'permanent',
          message: `the outbox has no message ${ts} in ${channel} to edit`,
          fix: `It was removed from ${channelDir(channel)}: run \`herald retry <version> --channel slack\` after restoring it, or leave the correction out.`,
        });
      }
      await save({
        ...current,
        text: message.text,
        blocks: message.blocks,
        edited_at: new Date().toISOString(),
      });
    },

    async remove({ channel, ts }) {
      await rm(fileOf(channel, ts), { force: true });
      await rm(fileOf(channel, ts).replace(/\.json$/, '.txt'), { force: true });
      await writeChannelPage(channel);
    },

    async find({ channel, threadTs, since, metadata }) {
      for (const m of await readAll(channel)) {
        if ((m.thread_ts ?? null) !== threadTs || Date.parse(m.posted_at) < since) continue;
        if (
          m.metadata?.event_type === metadata.eventType &&
          m.metadata.event_payload?.delivery === metadata.payload.delivery
        )
          return { channel, ts: m.ts, permalink: null };
      }
      return null;
    },

    async verify(channels) {
      await mkdir(dir, { recursive: true });
      return channels.map((channel) => ({
        ok: true,
        check: `Slack channel ${channel}`,
        detail: `no SLACK_BOT_TOKEN: messages are written to ${channelDir(channel)}`,
      }));
    },
  };
}

/** A message as plain text, for reading in a terminal. */
function readable(message: OutboxMessage): string {
  const lines = [
    `channel: ${message.channel}${message.thread_ts ? ` (thread ${message.thread_ts})` : ''}`,
    `ts: ${message.ts}${message.edited_at ? ` (edited ${message.edited_at})` : ''}`,
    `notification: ${message.text}`,
    '',
  ];
  for (const block of message.blocks) {
    if (block.type === 'header') lines.push(block.text.text.toUpperCase(), '');
    else if (block.type === 'section') lines.push(block.text.text, '');
    else if (block.type === 'context') lines.push(block.elements.map((e) => e.text).join(' '), '');
    else lines.push('────────', '');
  }
  return `${lines.join('\n').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')}\n`;
}
