import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderSlackHtml, type SlackThreadView } from '../core/slack-html.js';
import type { SlackMessage } from '../core/slack-message.js';
import { deliveryFailures } from '../errors/delivery-failures.js';
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

  const save = async (message: OutboxMessage) => {
    await mkdir(channelDir(message.channel), { recursive: true });
    const file = fileOf(message.channel, message.ts);
    await writeWhole(file, `${JSON.stringify(message, null, 2)}\n`);
    await writeWhole(file.replace(/\.json$/, '.txt'), readable(message));
    await writeChannelPage(message.channel);
  };
  // Page writes of one channel run one after another, so the last one written read every message
  // saved before it (two interleaved writes could otherwise leave the older listing on disk).
  const pageWrites = new Map<string, Promise<void>>();
  const writeChannelPage = (channel: string): Promise<void> => {
    const next = (pageWrites.get(channel) ?? Promise.resolve()).then(() => writePage(channel));
    pageWrites.set(
      channel,
      next.catch(() => {}),
    );
    return next;
  };
  const writePage = async (channel: string) => {
    await mkdir(dir, { recursive: true });
    await writeChannelHtml(channelDir(channel), labels[channel] ?? channel);
  };
  const claimTs = (channel: string) => claimTsIn(channelDir(channel));
  const readAll = (channel: string) => readChannel(channelDir(channel));

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
      const ts = await claimTs(channel);
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
        throw deliveryFailures.outboxMissing(
          `the outbox has no message ${ts} in ${channel} to edit`,
          `It was removed from ${channelDir(channel)}: run \`herald retry <version> --channel slack\` after restoring it, or leave the correction out.`,
        );
      }
      await save({
        ...current,
        text: message.text,
        blocks: message.blocks,
        edited_at: new Date().toISOString(),
      });
    },

    async remove({ channel, ts }) {
      if (existsSync(fileOf(channel, ts))) await rememberRemoved(channelDir(channel), ts);
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

/** Written whole (temp + rename): a crash never leaves half a file. */
async function writeWhole(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}

/** The messages of one channel's folder, in ts order. */
async function readChannel(folder: string): Promise<OutboxMessage[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const messages: OutboxMessage[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    // A message removed since the listing is gone (ENOENT); a name claimed by a post still being
    // written is `{}` or, for an instant, empty: neither is a message yet.
    const text = await readFile(path.join(folder, name), 'utf8').catch(() => '');
    if (text.trim()) messages.push(JSON.parse(text) as OutboxMessage);
  }
  return messages.filter((m) => m.ts);
}

// Slack's ts: seconds with six digits, monotonic per channel. Each post takes max(now, highest
// ts in the channel + 1µs) and claims that file name with O_EXCL: the names in the directory are
// the counter, so two processes (or two posts in one millisecond) never share or reverse a ts.
// `.removed-ts` remembers the highest ts taken out, so a removed message's ts is never reused.
const REMOVED = '.removed-ts';

async function highestTs(folder: string): Promise<bigint> {
  let highest = 0n;
  for (const name of await readdir(folder)) {
    const match = /^(\d+)\.(\d{6})\.json$/.exec(name);
    if (match) highest = maxOf(highest, BigInt(`${match[1]}${match[2]}`));
  }
  const removed = await readFile(path.join(folder, REMOVED), 'utf8').catch(() => '');
  return /^\d+$/.test(removed.trim()) ? maxOf(highest, BigInt(removed.trim())) : highest;
}

async function claimTsIn(folder: string): Promise<string> {
  let micros = maxOf(BigInt(Date.now()) * 1000n, (await highestTs(folder)) + 1n);
  for (;;) {
    const ts = `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`;
    try {
      await writeFile(path.join(folder, `${ts}.json`), '{}', { flag: 'wx' });
      return ts;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      micros += 1n;
    }
  }
}

async function rememberRemoved(folder: string, ts: string): Promise<void> {
  const file = path.join(folder, REMOVED);
  const previous = (await readFile(file, 'utf8').catch(() => '')).trim();
  const removed = BigInt(ts.replace('.', ''));
  if (!/^\d+$/.test(previous) || BigInt(previous) < removed) await writeWhole(file, `${removed}\n`);
}

/** `<channel folder>.html`: the channel's posts and their threads, shown as Slack would. */
async function writeChannelHtml(folder: string, label: string): Promise<void> {
  const messages = await readChannel(folder);
  const threads: SlackThreadView[] = messages
    .filter((m) => !m.thread_ts)
    .map((m) => ({
      message: m,
      postedAt: Date.parse(m.posted_at),
      replies: messages.filter((r) => r.thread_ts === m.ts),
    }));
  await writeWhole(
    `${folder}.html`,
    renderSlackHtml({ title: `${label}: Slack outbox`, channels: [{ name: label, threads }] }),
  );
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

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
