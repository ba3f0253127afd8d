import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSlackOutbox } from '../../src/adapters/slack-outbox.js';
import { renderSlackAnnouncement, type SlackMessage } from '../../src/core/slack-message.js';
import type { ChatMetadata, ChatPort } from '../../src/ports/index.js';
import { featureNotes } from '../helpers/notes.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'herald-slack-outbox-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Builders

const TS = /^\d+\.\d{6}$/;
const CHANNEL = 'C0123ABC';

const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });
const header = (text: string) => ({
  type: 'header' as const,
  text: { type: 'plain_text' as const, text, emoji: true },
});

/** A small message whose section text marks it in the HTML page. */
const message = (marker: string, text = `${marker} fallback`): SlackMessage => ({
  text,
  blocks: [header(`Header ${marker}`), section(`*${marker}* body`)],
});

const metadata = (delivery: string, eventType = 'herald_release_announced'): ChatMetadata => ({
  eventType,
  payload: { delivery, product: 'Acme Cloud', version: '2.0.0' },
});

/** A real announcement: long enough to need thread replies. */
function announcement() {
  const notes = featureNotes(
    Array.from({ length: 300 }, (_, i) => `ENTRY-${i} ${'words '.repeat(12)}`),
    { intro: 'Faster & <safer>' },
  );
  return renderSlackAnnouncement({
    notes,
    product: 'Acme Cloud',
    version: '2.0.0',
    url: 'https://help.acme.test/articles/42',
  });
}

const jsonOf = async (channel: string, ts: string) =>
  JSON.parse(await readFile(path.join(dir, channel, `${ts}.json`), 'utf8')) as Record<string, unknown>;
const txtOf = (channel: string, ts: string) => readFile(path.join(dir, channel, `${ts}.txt`), 'utf8');
const htmlOf = (channel: string) => readFile(path.join(dir, `${channel}.html`), 'utf8');

/** Every file under `root`, relative. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

const post = (outbox: ChatPort, marker: string, delivery: string, threadTs: string | null = null) =>
  outbox.post({ channel: CHANNEL, message: message(marker), threadTs, metadata: metadata(delivery) });

// ---------------------------------------------------------------------------------------------

describe('createSlackOutbox', () => {
  it('describes itself by its directory', () => {
    const outbox = createSlackOutbox(dir);
    expect(outbox.description).toBe(`Slack outbox in ${dir}`);
    expect(outbox.site).toBe(`outbox:${path.resolve(dir)}`);
  });

  describe('post', () => {
    it('writes the exact payload as <dir>/<channel>/<ts>.json', async () => {
      const outbox = createSlackOutbox(dir);
      const { top } = announcement();
      const before = Date.now();
      const posted = await outbox.post({
        channel: CHANNEL,
        message: top,
        threadTs: null,
        metadata: metadata('d-top'),
      });
      const after = Date.now();
      expect(posted).toEqual({ channel: CHANNEL, ts: expect.stringMatching(TS), permalink: null });
      const json = await jsonOf(CHANNEL, posted.ts);
      expect(json).toEqual({
        channel: CHANNEL,
        ts: posted.ts,
        text: top.text,
        blocks: top.blocks,
        metadata: {
          event_type: 'herald_release_announced',
          event_payload: { delivery: 'd-top', product: 'Acme Cloud', version: '2.0.0' },
        },
        posted_at: expect.any(String),
      });
      expect('thread_ts' in json).toBe(false);
      expect('edited_at' in json).toBe(false);
      const postedAt = Date.parse(json.posted_at as string);
      expect(postedAt).toBeGreaterThanOrEqual(before);
      expect(postedAt).toBeLessThanOrEqual(after);
      expect(await filesUnder(dir)).toEqual(
        [
          path.join(CHANNEL, `${posted.ts}.json`),
          path.join(CHANNEL, `${posted.ts}.txt`),
          `${CHANNEL}.html`,
        ].sort(),
      );
    });

    it('writes a readable .txt beside it, with entities decoded', async () => {
      const outbox = createSlackOutbox(dir);
      const posted = await outbox.post({
        channel: CHANNEL,
        message: {
          text: 'Acme 2.0: 1 feature &amp; more',
          blocks: [
            header('Acme 2.0'),
            section('a &lt;b&gt; &amp; c'),
            { type: 'divider' },
            {
              type: 'context',
              elements: [
                { type: 'mrkdwn', text: 'one' },
                { type: 'mrkdwn', text: 'two' },
              ],
            },
          ],
        },
        threadTs: null,
        metadata: metadata('d'),
      });
      expect(await txtOf(CHANNEL, posted.ts)).toBe(
        [
          `channel: ${CHANNEL}`,
          `ts: ${posted.ts}`,
          'notification: Acme 2.0: 1 feature & more',
          '',
          'ACME 2.0',
          '',
          'a <b> & c',
          '',
          '────────',
          '',
          'one two',
          '',
          '',
        ].join('\n'),
      );
    });

    it('shows the channel in <dir>/<channel>.html, under its label', async () => {
      const outbox = createSlackOutbox(dir, { [CHANNEL]: '#releases' });
      await post(outbox, 'FIRST', 'd1');
      const html = await htmlOf(CHANNEL);
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).toContain('<title>#releases: Slack outbox</title>');
      expect(html).toContain('<div class="channel">#releases</div>');
      expect(html).toContain('<div class="header">Header FIRST</div>');
      expect(html).toContain('<div class="section"><b>FIRST</b> body</div>');
    });

    it('names the page by the channel id when the channel has no label', async () => {
      const outbox = createSlackOutbox(dir, { OTHER: '#other' });
      await post(outbox, 'X', 'd1');
      expect(await htmlOf(CHANNEL)).toContain(`<title>${CHANNEL}: Slack outbox</title>`);
    });

    it('keeps every channel inside the outbox directory', async () => {
      const outbox = createSlackOutbox(dir);
      const posted = await outbox.post({
        channel: '../../escape',
        message: message('X'),
        threadTs: null,
        metadata: metadata('d1'),
      });
      expect(await filesUnder(dir)).toEqual(
        [
          path.join('______escape', `${posted.ts}.json`),
          path.join('______escape', `${posted.ts}.txt`),
          '______escape.html',
        ].sort(),
      );
      expect(existsSync(path.join(dir, '..', 'escape'))).toBe(false);
    });

    it('mints a unique Slack-style ts for each of 200 concurrent posts', async () => {
      const outbox = createSlackOutbox(dir);
      const posted = await Promise.all(
        Array.from({ length: 200 }, (_, i) => post(outbox, `MSG-${i}-END`, `d${i}`)),
      );
      const stamps = posted.map((p) => p.ts);
      for (const ts of stamps) expect(ts).toMatch(TS);
      expect(new Set(stamps).size).toBe(200);
      const files = await readdir(path.join(dir, CHANNEL));
      expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(200);
      expect(files.filter((f) => f.endsWith('.txt'))).toHaveLength(200);
      expect(files.filter((f) => !/\.(?:json|txt)$/.test(f))).toEqual([]);
      // Each file holds the message its post returned.
      for (const [i, p] of posted.entries()) {
        const json = await jsonOf(CHANNEL, p.ts);
        expect(json.ts).toBe(p.ts);
        expect(json.text).toBe(`MSG-${i}-END fallback`);
      }
      const shown = (await htmlOf(CHANNEL)).match(/<b>MSG-\d+-END<\/b>/g) ?? [];
      expect(new Set(shown).size).toBe(200);
    });
  });

  describe('ts order', () => {
    afterEach(() => {
      vi.useRealTimers();
    });
    const micros = (ts: string) => BigInt(ts.replace('.', ''));
    const expectIncreasing = (stamps: string[]) => {
      for (let i = 1; i < stamps.length; i++)
        expect(micros(stamps[i]!), `${stamps[i - 1]} then ${stamps[i]}`).toBeGreaterThan(
          micros(stamps[i - 1]!),
        );
    };

    it('grows with every post, even when posts share a millisecond or the clock steps back', async () => {
      // Slack's ts is monotonic per channel; threads and the page are ordered by it. A frozen
      // clock is the same millisecond for every post.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2026-03-01T10:00:00.000Z'));
      const outbox = createSlackOutbox(dir);
      const stamps: string[] = [];
      for (let i = 0; i < 30; i++) stamps.push((await post(outbox, `SAME-${i}`, `s${i}`)).ts);
      vi.setSystemTime(new Date('2026-03-01T09:59:59.000Z'));
      for (let i = 0; i < 5; i++) stamps.push((await post(outbox, `BACK-${i}`, `b${i}`)).ts);
      expectIncreasing(stamps);
      expect(stamps[0]).toBe('1772359200.000000');
      const html = await htmlOf(CHANNEL);
      const at = stamps.map((_, i) => html.indexOf(i < 30 ? `<b>SAME-${i}</b>` : `<b>BACK-${i - 30}</b>`));
      expect(at.every((position, i) => position > (at[i - 1] ?? -1))).toBe(true);
    });

    it('grows across outboxes sharing the directory (the counter lives in the files)', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2026-03-01T10:00:00.000Z'));
      const outboxes = [createSlackOutbox(dir), createSlackOutbox(dir)];
      const stamps: string[] = [];
      for (let i = 0; i < 20; i++) stamps.push((await post(outboxes[i % 2]!, `X-${i}`, `x${i}`)).ts);
      expectIncreasing(stamps);
      // A message taken out does not hand its ts to the next post.
      const last = stamps.at(-1)!;
      await outboxes[0]!.remove({ channel: CHANNEL, ts: last });
      const next = (await post(outboxes[0]!, 'AFTER', 'after')).ts;
      expect(micros(next)).toBeGreaterThan(micros(last));
    });

    it('stays unique and each post sees a later ts than every post that finished before it', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2026-03-01T10:00:00.000Z'));
      const outbox = createSlackOutbox(dir);
      const first = await Promise.all(Array.from({ length: 20 }, (_, i) => post(outbox, `A-${i}`, `a${i}`)));
      const second = await Promise.all(Array.from({ length: 20 }, (_, i) => post(outbox, `B-${i}`, `b${i}`)));
      const all = [...first, ...second].map((p) => p.ts);
      expect(new Set(all).size).toBe(40);
      const latestFirst = first.map((p) => micros(p.ts)).reduce((a, b) => (a > b ? a : b));
      for (const p of second) expect(micros(p.ts)).toBeGreaterThan(latestFirst);
    });
  });

  describe('threads', () => {
    it('stamps replies with thread_ts and shows them under their parent', async () => {
      const outbox = createSlackOutbox(dir, { [CHANNEL]: '#releases' });
      const { top, replies } = announcement();
      expect(replies.length).toBeGreaterThanOrEqual(2);
      const parent = await outbox.post({
        channel: CHANNEL,
        message: top,
        threadTs: null,
        metadata: metadata('t'),
      });
      const posted = [];
      for (const [i, reply] of replies.entries())
        posted.push(
          await outbox.post({
            channel: CHANNEL,
            message: reply,
            threadTs: parent.ts,
            metadata: metadata(`r${i}`),
          }),
        );
      const other = await post(outbox, 'LATER', 'later');
      for (const [i, p] of posted.entries()) {
        const json = await jsonOf(CHANNEL, p.ts);
        expect(json.thread_ts).toBe(parent.ts);
        expect(json.text).toBe(replies[i]!.text);
        expect(json.blocks).toEqual(replies[i]!.blocks);
      }
      expect((await jsonOf(CHANNEL, other.ts)).thread_ts).toBeUndefined();
      expect(await txtOf(CHANNEL, posted[0]!.ts)).toContain(`channel: ${CHANNEL} (thread ${parent.ts})`);

      const html = await htmlOf(CHANNEL);
      const count = `<div class="replies">${replies.length} replies</div>`;
      const at = {
        top: html.indexOf('Faster &amp; &lt;safer&gt;'),
        count: html.indexOf(count),
        thread: html.indexOf('<div class="thread">'),
        first: html.indexOf('ENTRY-0 '),
        last: html.indexOf('ENTRY-299 '),
        later: html.indexOf('<b>LATER</b>'),
      };
      for (const position of Object.values(at)) expect(position).toBeGreaterThan(-1);
      expect(at.top).toBeLessThan(at.count);
      expect(at.count).toBeLessThan(at.thread);
      expect(at.thread).toBeLessThan(at.first);
      expect(at.first).toBeLessThan(at.last);
      expect(at.last).toBeLessThan(at.later);
      expect(html.match(/<div class="thread">/g)).toHaveLength(1);
      expect(html.match(/<div class="message">/g)).toHaveLength(2 + replies.length);
    });

    it('keeps each thread with its own parent', async () => {
      const outbox = createSlackOutbox(dir);
      const a = await post(outbox, 'TOP-A', 'a');
      const b = await post(outbox, 'TOP-B', 'b');
      await post(outbox, 'REPLY-B', 'rb', b.ts);
      await post(outbox, 'REPLY-A', 'ra', a.ts);
      const html = await htmlOf(CHANNEL);
      const order = ['TOP-A', '1 reply<', 'REPLY-A', 'TOP-B', '1 reply<', 'REPLY-B'];
      let from = 0;
      for (const marker of order) {
        const at = html.indexOf(marker, from);
        expect(at, marker).toBeGreaterThan(-1);
        from = at + 1;
      }
    });
  });

  describe('update', () => {
    it('rewrites the payload in place and sets edited_at', async () => {
      const outbox = createSlackOutbox(dir);
      const parent = await post(outbox, 'TOP', 'top');
      const reply = await post(outbox, 'OLD', 'reply', parent.ts);
      const before = await jsonOf(CHANNEL, reply.ts);
      const edited = message('NEW', 'new fallback');
      await outbox.update({
        channel: CHANNEL,
        ts: reply.ts,
        message: edited,
      });
      const after = await jsonOf(CHANNEL, reply.ts);
      expect(after).toEqual({
        channel: CHANNEL,
        ts: reply.ts,
        thread_ts: parent.ts,
        text: 'new fallback',
        blocks: edited.blocks,
        metadata: {
          event_type: 'herald_release_announced',
          event_payload: { delivery: 'reply', product: 'Acme Cloud', version: '2.0.0' },
        },
        posted_at: before.posted_at,
        edited_at: expect.any(String),
      });
      expect(Date.parse(after.edited_at as string)).toBeGreaterThanOrEqual(
        Date.parse(before.posted_at as string),
      );
      const txt = await txtOf(CHANNEL, reply.ts);
      expect(txt).toContain(`ts: ${reply.ts} (edited ${after.edited_at})`);
      expect(txt).toContain('notification: new fallback');
      const html = await htmlOf(CHANNEL);
      expect(html).toContain('<b>NEW</b>');
      expect(html).not.toContain('<b>OLD</b>');
      expect((await readdir(path.join(dir, CHANNEL))).sort()).toEqual(
        [`${parent.ts}.json`, `${parent.ts}.txt`, `${reply.ts}.json`, `${reply.ts}.txt`].sort(),
      );
    });

    it('refuses to edit a message that is not there, and creates nothing', async () => {
      const outbox = createSlackOutbox(dir);
      await post(outbox, 'A', 'a');
      await expect(
        outbox.update({
          channel: CHANNEL,
          ts: '1700000000.000001',
          message: message('B'),
        }),
      ).rejects.toThrow();
      expect(existsSync(path.join(dir, CHANNEL, '1700000000.000001.json'))).toBe(false);
    });
  });

  describe('remove', () => {
    it('deletes both files and takes the message off the page, and is idempotent', async () => {
      const outbox = createSlackOutbox(dir);
      const parent = await post(outbox, 'TOP', 'top');
      const one = await post(outbox, 'REPLY-ONE', 'r1', parent.ts);
      const two = await post(outbox, 'REPLY-TWO', 'r2', parent.ts);
      await outbox.remove({ channel: CHANNEL, ts: two.ts });
      expect((await readdir(path.join(dir, CHANNEL))).sort()).toEqual(
        // `.removed-ts` keeps the removed ts from being minted again.
        [`${parent.ts}.json`, `${parent.ts}.txt`, `${one.ts}.json`, `${one.ts}.txt`, '.removed-ts'].sort(),
      );
      let html = await htmlOf(CHANNEL);
      expect(html).toContain('<b>REPLY-ONE</b>');
      expect(html).not.toContain('REPLY-TWO');
      expect(html).toContain('<div class="replies">1 reply</div>');

      await expect(outbox.remove({ channel: CHANNEL, ts: two.ts })).resolves.toBeUndefined();
      await outbox.remove({ channel: CHANNEL, ts: one.ts });
      html = await htmlOf(CHANNEL);
      expect(html).not.toContain('REPLY-ONE');
      expect(html).not.toContain('class="replies"');
      expect(
        await outbox.find({ channel: CHANNEL, threadTs: parent.ts, since: 0, metadata: metadata('r1') }),
      ).toBeNull();
    });

    it('resolves for a message that never existed', async () => {
      const outbox = createSlackOutbox(dir);
      await post(outbox, 'A', 'a');
      await expect(outbox.remove({ channel: CHANNEL, ts: '1.000000' })).resolves.toBeUndefined();
      await expect(outbox.remove({ channel: 'CNEW', ts: '1.000000' })).resolves.toBeUndefined();
    });

    it('resolves when the outbox directory was cleared', async () => {
      const outbox = createSlackOutbox(dir);
      const posted = await post(outbox, 'A', 'a');
      await rm(dir, { recursive: true, force: true });
      await expect(outbox.remove({ channel: CHANNEL, ts: posted.ts })).resolves.toBeUndefined();
    });
  });

  describe('find', () => {
    it('finds a message by its metadata, top level and thread apart', async () => {
      const outbox = createSlackOutbox(dir);
      const top = await post(outbox, 'TOP', 'd-top');
      const reply = await post(outbox, 'REPLY', 'd-reply', top.ts);
      const find = (delivery: string, threadTs: string | null, eventType?: string, channel = CHANNEL) =>
        outbox.find({ channel, threadTs, since: 0, metadata: metadata(delivery, eventType) });

      expect(await find('d-top', null)).toEqual({ channel: CHANNEL, ts: top.ts, permalink: null });
      expect(await find('d-reply', top.ts)).toEqual({ channel: CHANNEL, ts: reply.ts, permalink: null });
      // The reply is not a top-level message, and the top message is not in its own thread.
      expect(await find('d-reply', null)).toBeNull();
      expect(await find('d-top', top.ts)).toBeNull();
      expect(await find('d-reply', '1.000000')).toBeNull();
      expect(await find('d-other', null)).toBeNull();
      expect(await find('d-top', null, 'another_event')).toBeNull();
      expect(await find('d-top', null, undefined, 'COTHER')).toBeNull();
    });

    it('finds an edited message by the metadata it was posted with', async () => {
      const outbox = createSlackOutbox(dir);
      const top = await post(outbox, 'TOP', 'd1');
      await outbox.update({
        channel: CHANNEL,
        ts: top.ts,
        message: message('TOP2'),
      });
      const find = (delivery: string) =>
        outbox.find({ channel: CHANNEL, threadTs: null, since: 0, metadata: metadata(delivery) });
      expect(await find('d1')).toEqual({ channel: CHANNEL, ts: top.ts, permalink: null });
      expect(await find('d2')).toBeNull();
    });

    it('returns null in an empty outbox', async () => {
      const outbox = createSlackOutbox(path.join(dir, 'nothing-yet'));
      expect(
        await outbox.find({ channel: CHANNEL, threadTs: null, since: 0, metadata: metadata('d') }),
      ).toBeNull();
    });

    it('only finds messages posted at or after `since`', async () => {
      const outbox = createSlackOutbox(dir);
      await post(outbox, 'TOP', 'd1');
      const later = Date.now() + 60 * 60_000;
      expect(
        await outbox.find({ channel: CHANNEL, threadTs: null, since: later, metadata: metadata('d1') }),
      ).toBeNull();
    });
  });

  it('leaves no temporary or half-written files behind', async () => {
    const outbox = createSlackOutbox(dir);
    const tops = await Promise.all(Array.from({ length: 20 }, (_, i) => post(outbox, `T${i}`, `t${i}`)));
    const replies = await Promise.all(tops.map((t, i) => post(outbox, `R${i}`, `r${i}`, t.ts)));
    await Promise.all([
      ...tops.slice(0, 10).map((t, i) =>
        outbox.update({
          channel: CHANNEL,
          ts: t.ts,
          message: message(`U${i}`),
        }),
      ),
      ...replies.slice(10).map((r) => outbox.remove({ channel: CHANNEL, ts: r.ts })),
    ]);
    const files = await filesUnder(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(30);
    expect(files.filter((f) => f.endsWith('.txt'))).toHaveLength(30);
    expect(files.filter((f) => f.endsWith('.html'))).toEqual([`${CHANNEL}.html`]);
    // No claimed name stays an empty `{}`.
    for (const f of files.filter((n) => n.endsWith('.json'))) {
      const json = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as { ts?: string };
      expect(json.ts).toBe(path.basename(f, '.json'));
    }
  });

  it('verifies with ok findings, creating the directory', async () => {
    const outboxDir = path.join(dir, 'nested', 'outbox');
    const outbox = createSlackOutbox(outboxDir);
    expect(existsSync(outboxDir)).toBe(false);
    expect(await outbox.verify([CHANNEL, '#releases'])).toEqual([
      {
        ok: true,
        check: `Slack channel ${CHANNEL}`,
        detail: `no SLACK_BOT_TOKEN: messages are written to ${path.join(outboxDir, CHANNEL)}`,
      },
      {
        ok: true,
        check: 'Slack channel #releases',
        detail: `no SLACK_BOT_TOKEN: messages are written to ${path.join(outboxDir, '_releases')}`,
      },
    ]);
    expect(existsSync(outboxDir)).toBe(true);
    expect(await readdir(outboxDir)).toEqual([]);
  });
});
