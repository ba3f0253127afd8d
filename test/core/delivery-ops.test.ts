import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EmailOp,
  emailKeys,
  type HelpCenterOp,
  helpCenterKeys,
  isAnnouncementPost,
  isNotesArticle,
  type KeyCodec,
  type SlackOp,
  slackKeys,
} from '../../src/core/delivery-ops/index.js';

/**
 * Keys as the planners write them today (help-center-plan.ts, slack-plan.ts, the email channel),
 * and as earlier versions wrote them (corrections without a revision suffix). Stores hold these
 * for ever: each must read as its operation and format back to the very same string.
 */
const helpCenterFixture: [string, HelpCenterOp][] = [
  ['section:release-notes', { kind: 'section', section: 'release-notes' }],
  ['section:guide', { kind: 'section', section: 'guide' }],
  ['section:a:b', { kind: 'section', section: 'a:b' }],
  ['article:notes', { kind: 'notesArticle' }],
  ['content:notes:3f2a9c0b1d4e@r2', { kind: 'notesContent', hash: '3f2a9c0b1d4e', revision: 2 }],
  ['content:notes:3f2a9c0b1d4e', { kind: 'notesContent', hash: '3f2a9c0b1d4e', revision: null }],
  ['article:doc:getting-started', { kind: 'docArticle', page: 'getting-started', draft: false }],
  ['draft:doc:guide/install', { kind: 'docArticle', page: 'guide/install', draft: true }],
  [
    'content:doc:guide/install:de:0a1b2c3d4e5f@r1',
    { kind: 'docContent', page: 'guide/install', locale: 'de', hash: '0a1b2c3d4e5f', revision: 1 },
  ],
  [
    'content:doc:ns:page:en-us:0a1b2c3d4e5f@r12',
    { kind: 'docContent', page: 'ns:page', locale: 'en-us', hash: '0a1b2c3d4e5f', revision: 12 },
  ],
  [
    'content:doc:faq:pt-br:ffffffffffff',
    { kind: 'docContent', page: 'faq', locale: 'pt-br', hash: 'ffffffffffff', revision: null },
  ],
  ['archive:doc:old-page@r3', { kind: 'archiveDoc', page: 'old-page', revision: 3 }],
  ['archive:doc:old-page', { kind: 'archiveDoc', page: 'old-page', revision: null }],
];

const slackFixture: [string, SlackOp][] = [
  ['post:message', { verb: 'post', reply: null, revision: null }],
  ['post:reply:1', { verb: 'post', reply: 1, revision: null }],
  ['post:reply:12', { verb: 'post', reply: 12, revision: null }],
  ['update:message@r3', { verb: 'update', reply: null, revision: 3 }],
  ['update:reply:2@r10', { verb: 'update', reply: 2, revision: 10 }],
  ['delete:reply:7@r1', { verb: 'delete', reply: 7, revision: 1 }],
  ['post:reply:4@r5', { verb: 'post', reply: 4, revision: 5 }],
];

const emailFixture: [string, EmailOp][] = [
  ['to:1', { subscriber: 1 }],
  ['to:100000', { subscriber: 100000 }],
];

function checkFixture<Op>(codec: KeyCodec<Op>, fixture: [string, Op][]) {
  for (const [key, op] of fixture) {
    expect(codec.parse(key), key).toEqual(op);
    expect(codec.format(op)).toBe(key);
  }
}

describe('delivery operations: the keys already in stores', () => {
  it('help-centre keys parse to their operations and format back exactly', () =>
    checkFixture(helpCenterKeys, helpCenterFixture));
  it('Slack keys parse to their operations and format back exactly', () =>
    checkFixture(slackKeys, slackFixture));
  it('email keys parse to their operations and format back exactly', () =>
    checkFixture(emailKeys, emailFixture));

  it('each channel reads only its own keys', () => {
    const all = [...helpCenterFixture, ...slackFixture, ...emailFixture].map(([key]) => key);
    const owners = (key: string) =>
      [helpCenterKeys, slackKeys, emailKeys].filter((codec) => codec.parse(key) !== null).length;
    for (const key of all) expect(owners(key), key).toBe(1);
  });

  it.each([
    '',
    'article',
    'article:doc:',
    'draft:doc:',
    'section',
    'content:doc:page:en',
    'content:doc::en:abc',
    'content:notes:',
    'content:notes:a:b',
    'archive:doc:',
    'archive:doc:@r2',
    'notes:1.2.0',
  ])('help centre refuses %j', (key) => expect(helpCenterKeys.parse(key)).toBeNull());

  it.each(['to:', 'to:x', 'to:-1', 'to:1.5', 'to:01', 'to:1@r2', 'to:1 ', 'from:1', 'post:message'])(
    'email refuses %j',
    (key) => expect(emailKeys.parse(key)).toBeNull(),
  );

  it('the CLI predicates name the notes article and the announcement post', () => {
    expect(isNotesArticle({ key: 'article:notes' })).toBe(true);
    expect(isNotesArticle({ key: 'content:notes:abc@r2' })).toBe(false);
    expect(isNotesArticle({ key: 'article:doc:notes' })).toBe(false);
    expect(isAnnouncementPost({ key: 'post:message' })).toBe(true);
    expect(isAnnouncementPost({ key: 'post:reply:1' })).toBe(false);
    expect(isAnnouncementPost({ key: 'update:message@r2' })).toBe(false);
  });
});

const revision = fc.option(fc.nat({ max: 10_000 }), { nil: null });
/** Page ids are paths: any text but empty (a trailing `@r<n>` would read as a revision where one may follow). */
const page = fc.string({ minLength: 1 }).filter((p) => !/@r\d+$/.test(p));
const token = fc.stringMatching(/^[a-z0-9-]{1,12}$/);

const helpCenterOp: fc.Arbitrary<HelpCenterOp> = fc.oneof(
  fc.record({ kind: fc.constant('section' as const), section: fc.string() }),
  fc.constant({ kind: 'notesArticle' as const }),
  fc.record({ kind: fc.constant('notesContent' as const), hash: token, revision }),
  fc.record({
    kind: fc.constant('docArticle' as const),
    page: fc.string({ minLength: 1 }),
    draft: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('docContent' as const), page, locale: token, hash: token, revision }),
  fc.record({ kind: fc.constant('archiveDoc' as const), page, revision }),
);
const slackOp: fc.Arbitrary<SlackOp> = fc.record({
  verb: fc.constantFrom('post' as const, 'update' as const, 'delete' as const),
  reply: fc.option(fc.nat(), { nil: null }),
  revision,
});

describe('delivery operations (properties)', () => {
  it('parse(format(op)) = op for every help-centre operation', () =>
    fc.assert(
      fc.property(helpCenterOp, (op) => {
        expect(helpCenterKeys.parse(helpCenterKeys.format(op))).toEqual(op);
      }),
    ));
  it('parse(format(op)) = op for every Slack operation', () =>
    fc.assert(
      fc.property(slackOp, (op) => {
        expect(slackKeys.parse(slackKeys.format(op))).toEqual(op);
      }),
    ));
  it('parse(format(op)) = op for every email operation', () =>
    fc.assert(
      fc.property(fc.nat(), (subscriber) => {
        expect(emailKeys.parse(emailKeys.format({ subscriber }))).toEqual({ subscriber });
      }),
    ));
  it('a key that parses formats back to itself (one string per operation)', () =>
    fc.assert(
      fc.property(fc.string(), (key) => {
        for (const codec of [helpCenterKeys, slackKeys, emailKeys] as KeyCodec<unknown>[]) {
          const op = codec.parse(key);
          if (op !== null) expect(codec.format(op)).toBe(key);
        }
      }),
    ));
});
