import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Corrections,
  DELETED,
  parseSlackKey,
  planSlack,
  type SlackPlanInput,
  slackParts,
} from '../../src/core/slack-plan.js';
import { CHANNEL_PHASE, type PlannedDelivery, type TargetObject } from '../../src/model/index.js';

const TARGET = 'slack:C0123';
const WHERE = '#releases';

const object = (key: string, contentHash: string): TargetObject => ({
  key,
  externalId: `ts-${key}`,
  url: null,
  contentHash,
});

/** Posted parts: `{ message: 'h0', 'reply:1': 'h1', 'reply:2': DELETED }`. */
const posted = (parts: Record<string, string>): Map<string, TargetObject> =>
  new Map(Object.entries(parts).map(([key, hash]) => [key, object(key, hash)]));

const plan = (input: Partial<SlackPlanInput> & Pick<SlackPlanInput, 'hashes'>) =>
  planSlack({
    target: TARGET,
    where: WHERE,
    objects: new Map(),
    revision: 3,
    corrections: 'update',
    ...input,
  });

const keys = (deliveries: PlannedDelivery[]) => deliveries.map((d) => [d.key, d.phase]);

/** Everything posted, as the hashes say. */
const allPosted = (hashes: string[]) =>
  posted(Object.fromEntries(hashes.map((h, n) => [n === 0 ? slackParts.message : slackParts.reply(n), h])));

describe('planSlack', () => {
  it('plans the top message and each thread reply, in phases 40, 41, …, on the first announcement', () => {
    expect(plan({ hashes: ['h0', 'h1', 'h2', 'h3'] })).toEqual([
      { target: TARGET, key: 'post:message', phase: 40, summary: 'post the announcement in #releases' },
      {
        target: TARGET,
        key: 'post:reply:1',
        phase: 41,
        summary: 'post part 1 of 3 in the thread in #releases',
      },
      {
        target: TARGET,
        key: 'post:reply:2',
        phase: 42,
        summary: 'post part 2 of 3 in the thread in #releases',
      },
      {
        target: TARGET,
        key: 'post:reply:3',
        phase: 43,
        summary: 'post part 3 of 3 in the thread in #releases',
      },
    ]);
    expect(CHANNEL_PHASE).toBe(40);
  });

  it('plans only the top message when there is no thread', () => {
    expect(keys(plan({ hashes: ['h0'] }))).toEqual([['post:message', 40]]);
  });

  it('plans nothing when everything is posted with the same hashes, in both modes', () => {
    const hashes = ['h0', 'h1', 'h2'];
    for (const corrections of ['update', 'ignore'] as const)
      expect(plan({ hashes, objects: allPosted(hashes), corrections })).toEqual([]);
  });

  it('edits only the top message when only it changed, with the revision in the key', () => {
    const deliveries = plan({ hashes: ['new', 'h1', 'h2'], objects: allPosted(['old', 'h1', 'h2']) });
    expect(deliveries).toEqual([
      { target: TARGET, key: 'update:message@r3', phase: 40, summary: 'edit the announcement in #releases' },
    ]);
  });

  it('edits only reply 2 when only it changed, in phase 42', () => {
    const deliveries = plan({
      hashes: ['h0', 'h1', 'new', 'h3'],
      objects: allPosted(['h0', 'h1', 'old', 'h3']),
      revision: 7,
    });
    expect(deliveries).toEqual([
      {
        target: TARGET,
        key: 'update:reply:2@r7',
        phase: 42,
        summary: 'edit part 2 of 3 in the thread in #releases',
      },
    ]);
  });

  it('keys a correction by its revision, so A → B → A edits again', () => {
    const a = allPosted(['A']);
    const b = allPosted(['B']);
    expect(keys(plan({ hashes: ['B'], objects: a, revision: 2 }))).toEqual([['update:message@r2', 40]]);
    expect(keys(plan({ hashes: ['A'], objects: b, revision: 3 }))).toEqual([['update:message@r3', 40]]);
  });

  it('deletes the surplus live replies when the thread got shorter, not the ones already deleted', () => {
    const deliveries = plan({
      hashes: ['h0', 'h1'],
      objects: posted({
        message: 'h0',
        'reply:1': 'h1',
        'reply:2': 'h2',
        'reply:3': DELETED,
        'reply:4': 'h4',
      }),
    });
    expect(deliveries).toEqual([
      {
        target: TARGET,
        key: 'delete:reply:2@r3',
        phase: 42,
        summary: 'delete part 2 of the thread in #releases (the corrected list is shorter)',
      },
      {
        target: TARGET,
        key: 'delete:reply:4@r3',
        phase: 44,
        summary: 'delete part 4 of the thread in #releases (the corrected list is shorter)',
      },
    ]);
  });

  it('deletes every reply when the thread went away, and edits the top', () => {
    const deliveries = plan({ hashes: ['short'], objects: allPosted(['long', 'h1', 'h2']) });
    expect(keys(deliveries)).toEqual([
      ['update:message@r3', 40],
      ['delete:reply:1@r3', 41],
      ['delete:reply:2@r3', 42],
    ]);
  });

  it('posts a deleted reply again, keyed by the revision, when the thread got longer again', () => {
    const deliveries = plan({
      hashes: ['h0', 'h1', 'h2', 'h3', 'h4'],
      objects: posted({ message: 'h0', 'reply:1': 'h1', 'reply:2': DELETED, 'reply:3': DELETED }),
      revision: 5,
    });
    expect(deliveries).toEqual([
      {
        target: TARGET,
        key: 'post:reply:2@r5',
        phase: 42,
        summary: 'post part 2 of 4 in the thread in #releases',
      },
      {
        target: TARGET,
        key: 'post:reply:3@r5',
        phase: 43,
        summary: 'post part 3 of 4 in the thread in #releases',
      },
      // Never posted before: the plain key.
      {
        target: TARGET,
        key: 'post:reply:4',
        phase: 44,
        summary: 'post part 4 of 4 in the thread in #releases',
      },
    ]);
  });

  it('plans the missing replies after a crash once the top was posted, in both modes', () => {
    for (const corrections of ['update', 'ignore'] as const) {
      const deliveries = plan({
        hashes: ['h0', 'h1', 'h2', 'h3'],
        objects: posted({ message: 'h0', 'reply:1': 'h1' }),
        corrections,
      });
      expect(keys(deliveries)).toEqual([
        ['post:reply:2', 42],
        ['post:reply:3', 43],
      ]);
    }
  });

  it('with corrections ignored, plans no edit and no delete', () => {
    const deliveries = plan({
      hashes: ['new0', 'new1'],
      objects: allPosted(['old0', 'old1', 'old2', 'old3']),
      corrections: 'ignore',
    });
    expect(deliveries).toEqual([]);
  });

  it('with corrections ignored, finishes the thread of the same announcement after a crash', () => {
    const deliveries = plan({
      hashes: ['h0', 'h1', 'h2'],
      objects: posted({ message: 'h0', 'reply:1': 'h1' }),
      corrections: 'ignore',
    });
    expect(keys(deliveries)).toEqual([['post:reply:2', 42]]);
  });

  it('with corrections ignored, leaves a corrected announcement and its thread as posted', () => {
    const deliveries = plan({
      hashes: ['new0', 'new1', 'h2'],
      objects: posted({ message: 'old0', 'reply:1': 'old1' }),
      corrections: 'ignore',
    });
    expect(deliveries).toEqual([]);
  });

  it('orders the plan by phase, then key', () => {
    const deliveries = plan({
      hashes: ['n0', 'n1', 'n2'],
      objects: posted({
        message: 'o0',
        'reply:1': 'o1',
        'reply:2': 'o2',
        'reply:12': 'o12',
        'reply:3': 'o3',
      }),
    });
    expect(keys(deliveries)).toEqual([
      ['update:message@r3', 40],
      ['update:reply:1@r3', 41],
      ['update:reply:2@r3', 42],
      ['delete:reply:3@r3', 43],
      ['delete:reply:12@r3', 52],
    ]);
  });

  it('ignores objects that are not message or reply parts', () => {
    const deliveries = plan({
      hashes: ['h0'],
      objects: posted({ message: 'h0', 'reply:x': 'h', replies: 'h', 'reply:2:1': 'h' }),
    });
    expect(deliveries).toEqual([]);
  });

  it('is pure: the same input gives the same plan and the input is not changed', () => {
    const objects = allPosted(['o0', 'o1', 'o2']);
    const before = JSON.stringify([...objects]);
    const input = { hashes: ['n0', 'n1'], objects };
    expect(plan(input)).toEqual(plan(input));
    expect(JSON.stringify([...objects])).toBe(before);
  });
});

describe('parseSlackKey', () => {
  it.each([
    ['post:message', { verb: 'post', reply: null }],
    ['post:reply:1', { verb: 'post', reply: 1 }],
    ['post:reply:12@r4', { verb: 'post', reply: 12 }],
    ['update:message@r3', { verb: 'update', reply: null }],
    ['update:reply:2@r10', { verb: 'update', reply: 2 }],
    ['delete:reply:7@r1', { verb: 'delete', reply: 7 }],
  ])('reads %s', (key, expected) => {
    expect(parseSlackKey(key)).toEqual(expected);
  });

  it.each([
    '',
    'post',
    'post:',
    'message',
    'post:reply',
    'post:reply:',
    'post:reply:x',
    'post:reply:-1',
    'post:reply:1.5',
    'post:reply:1:2',
    'post:messages',
    'post:message@r',
    'post:message@rx',
    'post:message@r1@r2',
    'post:message@1',
    ' post:message',
    'post:message ',
    'POST:message',
    'edit:message',
    'remove:reply:1',
    'article:notes',
    'post:message\n',
  ])('rejects %j', (key) => {
    expect(parseSlackKey(key)).toBeNull();
  });
});

describe('planSlack (properties)', () => {
  const hash = fc.constantFrom('a', 'b', 'c');
  const input = fc.record({
    hashes: fc.array(hash, { minLength: 1, maxLength: 8 }),
    // Posted parts: the top message and replies 1…10, each absent, live (some hash) or deleted.
    top: fc.option(hash, { nil: undefined }),
    replies: fc.array(fc.option(fc.oneof(hash, fc.constant(DELETED)), { nil: undefined }), {
      maxLength: 10,
    }),
    revision: fc.integer({ min: 1, max: 50 }),
    corrections: fc.constantFrom<Corrections>('update', 'ignore'),
  });
  const objectsOf = (top: string | undefined, replies: (string | undefined)[]) => {
    const parts: Record<string, string> = {};
    if (top !== undefined) parts.message = top;
    replies.forEach((h, i) => {
      if (h !== undefined) parts[slackParts.reply(i + 1)] = h;
    });
    return posted(parts);
  };

  /** The posted parts after every planned delivery succeeded, as the Slack channel records them. */
  function apply(
    objects: Map<string, TargetObject>,
    hashes: string[],
    deliveries: PlannedDelivery[],
  ): Map<string, TargetObject> {
    const after = new Map(objects);
    for (const d of deliveries) {
      const parsed = parseSlackKey(d.key)!;
      const part = parsed.reply === null ? slackParts.message : slackParts.reply(parsed.reply);
      const hash = parsed.verb === 'delete' ? DELETED : hashes[parsed.reply ?? 0]!;
      after.set(part, object(part, hash));
    }
    return after;
  }

  it('plans unique keys that parseSlackKey reads back consistently with their phase', () => {
    fc.assert(
      fc.property(input, ({ hashes, top, replies, revision, corrections }) => {
        const deliveries = plan({ hashes, objects: objectsOf(top, replies), revision, corrections });
        expect(new Set(deliveries.map((d) => d.key)).size).toBe(deliveries.length);
        for (const d of deliveries) {
          expect(d.target).toBe(TARGET);
          expect(d.summary).toContain(WHERE);
          const parsed = parseSlackKey(d.key);
          expect(parsed).not.toBeNull();
          expect(d.key.startsWith(`${parsed!.verb}:`)).toBe(true);
          expect(d.phase).toBe(CHANNEL_PHASE + (parsed!.reply ?? 0));
          // Edits and deletes always carry the revision; so does a post over a deleted reply.
          const revised = d.key.endsWith(`@r${revision}`);
          if (parsed!.verb !== 'post') expect(revised).toBe(true);
          else expect(d.key).toMatch(/^post:(?:message|reply:\d+)(?:@r\d+)?$/);
          if (corrections === 'ignore') expect(parsed!.verb).toBe('post');
        }
        const order = deliveries.map((d) => d.phase);
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }),
      { numRuns: 500 },
    );
  });

  it('reaches the planned state in one go: applying the plan leaves nothing to plan', () => {
    fc.assert(
      fc.property(input, ({ hashes, top, replies, revision, corrections }) => {
        const objects = objectsOf(top, replies);
        const deliveries = plan({ hashes, objects, revision, corrections });
        const after = apply(objects, hashes, deliveries);
        expect(plan({ hashes, objects: after, revision: revision + 1, corrections })).toEqual([]);
        // Ignored corrections leave a changed announcement exactly as it was posted.
        const posted = objects.get(slackParts.message);
        if (corrections === 'ignore' && posted && posted.contentHash !== hashes[0]) {
          expect(deliveries).toEqual([]);
          return;
        }
        // Every part of the announcement is live afterwards.
        for (let n = 0; n < hashes.length; n++) {
          const part = n === 0 ? slackParts.message : slackParts.reply(n);
          const hash = after.get(part)?.contentHash;
          expect(hash).toBeDefined();
          expect(hash).not.toBe(DELETED);
          if (corrections === 'update') expect(hash).toBe(hashes[n]);
        }
        // With corrections applied, no reply beyond the thread stays live.
        if (corrections === 'update')
          for (const [part, o] of after) {
            const n = /^reply:(\d+)$/.exec(part)?.[1];
            if (n !== undefined && Number(n) >= hashes.length) expect(o.contentHash).toBe(DELETED);
          }
      }),
      { numRuns: 500 },
    );
  });

  it('only posts what is missing or deleted, and deletes only live surplus replies', () => {
    fc.assert(
      fc.property(input, ({ hashes, top, replies, revision, corrections }) => {
        const objects = objectsOf(top, replies);
        for (const d of plan({ hashes, objects, revision, corrections })) {
          const { verb, reply } = parseSlackKey(d.key)!;
          const existing = objects.get(reply === null ? slackParts.message : slackParts.reply(reply));
          if (verb === 'post') {
            expect(reply ?? 0).toBeLessThan(hashes.length);
            expect(existing === undefined || existing.contentHash === DELETED).toBe(true);
            expect(d.key.includes('@r')).toBe(existing !== undefined);
          } else if (verb === 'update') {
            expect(existing).toBeDefined();
            expect(existing!.contentHash).not.toBe(DELETED);
            expect(existing!.contentHash).not.toBe(hashes[reply ?? 0]);
          } else {
            expect(reply).not.toBeNull();
            expect(reply!).toBeGreaterThanOrEqual(hashes.length);
            expect(existing).toBeDefined();
            expect(existing!.contentHash).not.toBe(DELETED);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
