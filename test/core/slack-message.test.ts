import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeMrkdwn,
  markdownToMrkdwn,
  renderSlackAnnouncement,
  SLACK_LIMITS,
  type SlackAnnouncement,
  type SlackMessage,
  slackViolations,
} from '../../src/core/slack-message.js';
import type { BreakingChange, NoteEntry, NoteSection, ReleaseNotes } from '../../src/model/index.js';
import { makeNotes, noteEntry, noteSection } from '../helpers/notes.js';

const entry = noteEntry;
const section = noteSection;

const render = (notes: ReleaseNotes, url: string | null = 'https://help.acme.test/articles/42') =>
  renderSlackAnnouncement({ notes, product: 'Acme Cloud', version: '2.0.0', url });

const messagesOf = (a: SlackAnnouncement): SlackMessage[] => [a.top, ...a.replies];

/** Every mrkdwn string a message carries: section and context texts, and the fallback. */
function mrkdwnTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of message.blocks) {
    if (block.type === 'section') texts.push(block.text.text);
    if (block.type === 'context') texts.push(...block.elements.map((e) => e.text));
  }
  return texts;
}

const sectionTexts = (message: SlackMessage): string[] =>
  message.blocks.flatMap((b) => (b.type === 'section' ? [b.text.text] : []));

const LINK = /^<(?:https?:\/\/|mailto:)[^\s<>|]+\|[^<>|\n]*>/i;

/**
 * Parses mrkdwn the way Slack reads control characters: every `<` must open a link Herald built,
 * every `>` must close one, every `&` must start an entity, and no legacy @-mention may remain.
 */
function unsafeMrkdwn(text: string): string[] {
  const problems: string[] = [];
  let outsideLinks = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<') {
      const link = LINK.exec(text.slice(i, i + SLACK_LIMITS.sectionText + 2));
      if (!link) {
        problems.push(`raw < at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
        continue;
      }
      outsideLinks += ` ${link[0].slice(link[0].indexOf('|') + 1, -1)} `;
      i += link[0].length - 1;
    } else if (c === '>') problems.push(`raw > at ${i}`);
    else if (c === '&' && !/^&(?:amp|lt|gt);/.test(text.slice(i, i + 5)))
      problems.push(`raw & at ${i}: ${JSON.stringify(text.slice(i, i + 8))}`);
    else outsideLinks += c;
  }
  const mention = /@(?:channel|here|everyone)\b/i.exec(outsideLinks);
  if (mention) problems.push(`legacy mention ${mention[0]}`);
  return problems;
}

function problemsOf(announcement: SlackAnnouncement): string[] {
  return messagesOf(announcement).flatMap((m, i) => [
    ...slackViolations(m).map((v) => `message ${i}: ${v}`),
    ...mrkdwnTexts(m).flatMap((t) => unsafeMrkdwn(t).map((p) => `message ${i}: ${p}`)),
  ]);
}

/** How many bullet lines of all messages start with each `⟪id⟫` marker. */
function markerCounts(announcement: SlackAnnouncement): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of messagesOf(announcement).flatMap(sectionTexts))
    for (const line of text.split('\n')) {
      const marker = /^• (⟪\d+⟫)(?: |$)/.exec(line)?.[1];
      if (marker) counts.set(marker, (counts.get(marker) ?? 0) + 1);
    }
  return counts;
}

describe('markdownToMrkdwn', () => {
  it('converts bold, italic, strikethrough and code', () => {
    expect(markdownToMrkdwn('**bold** and __bold__')).toBe('*bold* and *bold*');
    expect(markdownToMrkdwn('*italic* and _italic_')).toBe('_italic_ and _italic_');
    expect(markdownToMrkdwn('~~gone~~')).toBe('~gone~');
    expect(markdownToMrkdwn('run `a < b && c`')).toBe('run `a &lt; b &amp;&amp; c`');
    expect(markdownToMrkdwn('**_both_**')).toBe('*_both_*');
  });

  it('leaves unpaired markers and snake_case alone', () => {
    expect(markdownToMrkdwn('snake_case_name')).toBe('snake_case_name');
    expect(markdownToMrkdwn('2 * 3 = 6')).toBe('2 * 3 = 6');
    expect(markdownToMrkdwn('a ` b')).toBe('a ` b');
    expect(markdownToMrkdwn('\\*not italic\\*')).toBe('*not italic*');
  });

  it('turns links into <url|text> and keeps their URLs intact', () => {
    expect(markdownToMrkdwn('See [the docs](https://acme.test/a?b=1&c=2).')).toBe(
      'See <https://acme.test/a?b=1&amp;c=2|the docs>.',
    );
    expect(markdownToMrkdwn('[mail us](mailto:help@acme.test)')).toBe('<mailto:help@acme.test|mail us>');
    expect(markdownToMrkdwn('<https://acme.test/x>')).toBe('<https://acme.test/x|https://acme.test/x>');
    expect(markdownToMrkdwn('[spaced](<https://acme.test/a b> "Title")')).toBe(
      '<https://acme.test/a%20b|spaced>',
    );
  });

  it('removes | and escapes > in link labels', () => {
    expect(markdownToMrkdwn('[a | b > c](https://acme.test)')).toBe('<https://acme.test|a ¦ b &gt; c>');
    expect(markdownToMrkdwn('[x](https://acme.test/p|q>r)')).toBe('<https://acme.test/p%7Cq%3Er|x>');
  });

  it('renders links to anything but http(s) and mailto as their text', () => {
    expect(markdownToMrkdwn('[click me](javascript:alert(1))')).toBe('click me');
    expect(markdownToMrkdwn('[x](data:text/html,hi)')).toBe('x');
    expect(markdownToMrkdwn('[relative](/docs/page)')).toBe('relative');
    expect(markdownToMrkdwn('<javascript:alert(1)>')).toBe('&lt;javascript:alert(1)&gt;');
  });

  it('converts lists and headings and keeps fenced code', () => {
    expect(markdownToMrkdwn('- one\n* two\n+ three\n  - nested\n1. first\n2) second')).toBe(
      '• one\n• two\n• three\n  • nested\n1. first\n2. second',
    );
    expect(markdownToMrkdwn('## Upgrade notes ##')).toBe('*Upgrade notes*');
    expect(markdownToMrkdwn('```ts\nif (a < b) **x**\n```')).toBe('```\nif (a &lt; b) **x**\n```');
  });

  it('escapes only &, < and >', () => {
    expect(markdownToMrkdwn('R&D <b>bold</b> "quoted" \'x\' #1')).toBe(
      'R&amp;D &lt;b&gt;bold&lt;/b&gt; "quoted" \'x\' #1',
    );
    expect(markdownToMrkdwn('&amp; stays literal')).toBe('&amp;amp; stays literal');
  });

  it('neutralises mentions', () => {
    const out = markdownToMrkdwn('<!channel> <!here|here> <@U123> <#C123|x> <!subteam^S1> @here @Channel');
    expect(out).toBe(
      '&lt;!channel&gt; &lt;!here|here&gt; &lt;@U123&gt; &lt;#C123|x&gt; &lt;!subteam^S1&gt; @\u200Dhere @\u200DChannel',
    );
    expect(markdownToMrkdwn('[@everyone](https://acme.test/@here)')).toBe(
      '<https://acme.test/@here|@\u200Deveryone>',
    );
    expect(markdownToMrkdwn('`@here`')).toBe('`@\u200Dhere`');
  });
});

describe('escapeMrkdwn', () => {
  it('escapes control characters and legacy mentions, nothing else', () => {
    expect(escapeMrkdwn('a & b <!channel> @everyone *x* _y_')).toBe(
      'a &amp; b &lt;!channel&gt; @\u200Deveryone *x* _y_',
    );
    expect(escapeMrkdwn('mail me@here.test')).toBe('mail me@here.test'.replace('@', '@\u200D'));
  });
});

describe('renderSlackAnnouncement', () => {
  const features = section('feat', 'Features', [
    entry(1, 'Export invoices as **CSV**', {
      pullRequest: { text: '#12', url: 'https://github.com/acme/app/pull/12' },
    }),
    entry(2, 'Dark mode'),
    entry(3, 'Faster search'),
  ]);
  const fixes = section('fix', 'Bug fixes', [entry(4, 'Return 404 for unknown projects')]);
  const breaking: BreakingChange[] = [{ text: 'CSV columns were **renamed**', entry: entry(1, 'x') }];

  it('puts header, summary, link and the full list in one message when it fits', () => {
    const a = render(makeNotes({ sections: [features, fixes], breaking, intro: 'All about *billing*.' }));
    expect(a.replies).toEqual([]);
    expect(problemsOf(a)).toEqual([]);
    const [header, summary, link, divider, first, ...rest] = a.top.blocks;
    expect(header).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Acme Cloud 2.0.0', emoji: true },
    });
    expect(summary).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'All about _billing_.\n\n*⚠️ 1 breaking change*, 3 features, 1 bug fix',
      },
    });
    expect(link).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '<https://help.acme.test/articles/42|Read the release notes>' },
    });
    expect(divider).toEqual({ type: 'divider' });
    // Breaking changes come before every section.
    expect(first).toMatchObject({ text: { text: '*⚠️ Breaking changes*\n• CSV columns were *renamed*' } });
    expect(rest.map((b) => (b.type === 'section' ? b.text.text : b.type))).toEqual([
      '*Features*\n• Export invoices as *CSV* (<https://github.com/acme/app/pull/12|#12>)\n• Dark mode\n• Faster search',
      '*Bug fixes*\n• Return 404 for unknown projects',
    ]);
    expect(a.top.text).toBe('Acme Cloud 2.0.0: ⚠️ 1 breaking change, 3 features, 1 bug fix');
  });

  it('groups entries by component when the section has components, each entry once', () => {
    const [a, b, c] = features.entries as [NoteEntry, NoteEntry, NoteEntry];
    const grouped: NoteSection = {
      ...features,
      components: [
        { component: 'Billing', entries: [a] },
        { component: 'Web app', entries: [b, a] },
      ],
    };
    const texts = sectionTexts(render(makeNotes({ sections: [grouped] })).top);
    expect(texts.slice(-3)).toEqual([
      '*Features — Billing*\n• Export invoices as *CSV* (<https://github.com/acme/app/pull/12|#12>)',
      '*Features — Web app*\n• Dark mode',
      `*Features*\n• ${c.text}`,
    ]);
  });

  it('leaves out the link when there is no URL or it is not http(s)', () => {
    for (const url of [null, 'javascript:alert(1)', 'ftp://acme.test/x']) {
      const a = render(makeNotes({ sections: [fixes] }), url);
      expect(a.top.blocks.some((b) => b.type === 'section' && b.text.text.includes('Read the'))).toBe(false);
      expect(problemsOf(a)).toEqual([]);
    }
  });

  it('says so when there are no changes', () => {
    const a = render(makeNotes());
    expect(sectionTexts(a.top)).toEqual(['No changes in this release.', expect.any(String)]);
    expect(problemsOf(a)).toEqual([]);
  });

  it('truncates the header to 150 characters with …', () => {
    const a = renderSlackAnnouncement({
      notes: makeNotes(),
      product: `Acme ${'😀'.repeat(100)}`,
      version: '1.0.0',
      url: null,
    });
    const header = a.top.blocks[0]!;
    if (header.type !== 'header') throw new Error('expected a header');
    expect(header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(header.text.text.endsWith('😀…')).toBe(true);
    expect(problemsOf(a)).toEqual([]);
  });

  it('never lets mentions in untrusted text through to blocks or fallback text', () => {
    const hostile = ['<!channel> now', 'ping <@U123> and <#C123|x>', '@here look', '<!subteam^S1|devs>'];
    const a = render(
      makeNotes({
        sections: [
          section(
            'feat',
            '<!everyone> Features',
            hostile.map((t, i) => entry(i + 1, t)),
          ),
        ],
        breaking: [{ text: '@channel <!here>', entry: entry(9, 'x') }],
        intro: 'Hey <!channel>, @everyone',
      }),
    );
    for (const text of messagesOf(a).flatMap(mrkdwnTexts)) {
      expect(text).not.toMatch(/<[!@#]/);
      expect(text).not.toMatch(/@(channel|here|everyone)/i);
    }
    expect(problemsOf(a)).toEqual([]);
  });

  it('truncates an entry longer than a section at a safe point', () => {
    const links = Array.from({ length: 300 }, (_, i) => `[link ${i}](https://acme.test/p/${i}?a=1&b=2)`);
    for (const text of [links.join(' & '), '&'.repeat(2000), `${'x'.repeat(2990)}<${'y'.repeat(20)}`]) {
      const a = render(makeNotes({ sections: [section('feat', 'Features', [entry(1, text)])] }));
      expect(problemsOf(a)).toEqual([]);
      const line = messagesOf(a)
        .flatMap(sectionTexts)
        .find((t) => t.startsWith('*Features'))!;
      expect(line.endsWith('…')).toBe(true);
      expect(line.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
  });

  it('moves the list into thread replies when it does not fit, keeping breaking changes on top', () => {
    const many = Array.from({ length: 400 }, (_, i) => entry(i + 1, `⟪${i}⟫ Change ${'words '.repeat(8)}`));
    const a = render(makeNotes({ sections: [section('feat', 'Features', many)], breaking }));
    expect(problemsOf(a)).toEqual([]);
    expect(a.replies.length).toBeGreaterThan(1);
    const top = a.top.blocks;
    expect(top.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Full list in the thread' }],
    });
    expect(sectionTexts(a.top).some((t) => t.startsWith('*⚠️ Breaking changes*'))).toBe(true);
    const counts = markerCounts(a);
    expect(counts.size).toBe(400);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(sectionTexts(a.replies[1]!)[0]).toMatch(
      /^\*Features \(continued\)\*\n• ⟪\d+⟫ Change( words){8}\n/,
    );
    expect(a.replies.map((r) => r.text)).toContain(
      `Acme Cloud 2.0.0: full list, part 2 of ${a.replies.length}`,
    );
  });
  it('sends breaking changes to the thread too when they do not fit on top', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      text: `Migration ${i}: ${'rename the setting '.repeat(50)}`,
      entry: entry(i + 1, 'x'),
    }));
    const a = render(makeNotes({ sections: [fixes], breaking: many }));
    expect(problemsOf(a)).toEqual([]);
    expect(a.top.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(sectionTexts(a.replies[0]!)[0]).toMatch(/^\*⚠️ Breaking changes\*\n• Migration 0:/);
    const lastReply = a.replies.at(-1)!;
    expect(sectionTexts(lastReply).at(-1)).toBe('*Bug fixes*\n• Return 404 for unknown projects');
  });

  it('stays fast and valid on pathological Markdown', () => {
    const n = 12000;
    const nasty = [
      '*a _'.repeat(n / 4),
      '[a]('.repeat(n / 4),
      `${'[a](b'.repeat(n / 5)})`,
      `${'[a](<b'.repeat(n / 6)})`,
      Array.from({ length: 150 }, (_, i) => `${'`'.repeat(i + 1)}x`).join(''),
      `# ${' '.repeat(n)}x`,
      '<http://a'.repeat(n / 9),
      '['.repeat(n),
    ];
    const entries = Array.from({ length: 200 }, (_, i) => entry(i + 1, nasty[i % nasty.length]!));
    const started = performance.now();
    const a = render(makeNotes({ sections: [section('feat', 'Features', entries)], intro: nasty[1]! }));
    // Linear work takes well under a second here; one backtracking regex made this take over 5 s.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(problemsOf(a)).toEqual([]);
  });
});

describe('slackViolations', () => {
  const ok: SlackMessage = {
    text: 'hi',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }],
  };
  const sectionOf = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });

  it('accepts a valid message and reports each limit', () => {
    expect(slackViolations(ok)).toEqual([]);
    expect(slackViolations({ ...ok, text: '' })).toEqual(['text: empty fallback']);
    expect(slackViolations({ ...ok, text: 'x'.repeat(4001) })).toEqual(['text: 4001 chars > 4000']);
    expect(
      slackViolations({
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151), emoji: true } }],
      }),
    ).toEqual(['blocks[0] header: 151 chars > 150']);
    expect(slackViolations({ text: 'x', blocks: [sectionOf('s'.repeat(3001))] })).toEqual([
      'blocks[0] section: 3001 chars > 3000',
    ]);
    expect(slackViolations({ text: 'x', blocks: [sectionOf('')] })).toEqual([
      'blocks[0] section: empty text',
    ]);
    expect(slackViolations({ text: 'x', blocks: Array(51).fill({ type: 'divider' }) })).toEqual([
      'blocks: 51 blocks > 50',
    ]);
    expect(slackViolations({ text: 'x', blocks: Array(5).fill(sectionOf('s'.repeat(2500))) })).toEqual([
      'message: 12500 chars of block text > 12000',
    ]);
    expect(slackViolations({ text: 'x', blocks: [{ type: 'context', elements: [] }] })).toEqual([
      'blocks[0] context: 0 elements, expected 1 to 10',
    ]);
  });
});

describe('properties', () => {
  const hostile = fc.constantFrom(
    '<!channel>',
    '<!here>',
    '<!everyone>',
    '<@U012ABCDEF>',
    '<#C123|general>',
    '<!subteam^S123|devs>',
    '@here',
    '@channel',
    '@everyone',
    '&',
    '&amp;',
    '&lt;',
    '|',
    '<',
    '>',
    '\n',
    '*',
    '**',
    '_',
    '__',
    '~~',
    '`',
    '```',
    '[',
    ']',
    '(',
    ')',
    '\\',
    ' ',
    '- ',
    '1. ',
    '# ',
    '> ',
    '😀',
    '\u200D',
    '[docs](https://acme.test/a?b=1&c=2)',
    '[a|b>c](https://acme.test)',
    '[js](javascript:alert(1))',
    '[m](mailto:a@b.test)',
    '<https://acme.test/@here>',
    'https://acme.test/p?q=<x>&r=|',
  );
  const mixed = fc
    .array(fc.oneof(hostile, fc.string({ maxLength: 8 })), { maxLength: 30 })
    .map((parts) => parts.join(''));
  const long = fc
    .tuple(mixed, fc.integer({ min: 50, max: 400 }))
    .map(([text, times]) => text.repeat(times).slice(0, 6000));
  const text = fc.oneof(
    { weight: 3, arbitrary: mixed },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 120 }) },
    { weight: 1, arbitrary: long },
  );

  const notes = fc
    .record({
      sections: fc.array(
        fc.record({
          title: fc.oneof(fc.constantFrom('Features', 'Bug fixes', 'API changes'), mixed),
          texts: fc.array(text, { maxLength: 30 }),
          components: fc.boolean(),
        }),
        { maxLength: 5 },
      ),
      breaking: fc.array(text, { maxLength: 4 }),
      intro: fc.option(text),
    })
    .map(({ sections, breaking, intro }) => {
      let id = 0;
      const built = sections.map((s, k): NoteSection => {
        const entries = s.texts.map((t) => {
          id++;
          return entry(id, `⟪${id}⟫ ${t}`, {
            pullRequest:
              id % 3 === 0 ? { text: `#${id}|<!here>`, url: `https://acme.test/pull/${id}&x` } : null,
          });
        });
        const components = s.components
          ? [
              { component: 'Billing <!here>', entries: entries.filter((_, i) => i % 3 === 0) },
              { component: 'Web', entries: entries.filter((_, i) => i % 3 === 1) },
            ]
          : [];
        return { ...section(`t${k}`, s.title, entries), components };
      });
      return {
        ids: id,
        notes: makeNotes({
          sections: built,
          breaking: breaking.map((t, i) => ({ text: t, entry: entry(100000 + i, t) })),
          intro,
        }),
      };
    });

  it('renders every generated release within limits, escaped, with each entry once', () => {
    fc.assert(
      fc.property(
        notes,
        fc.option(fc.constantFrom('https://help.acme.test/a?b=1&c=2', 'javascript:x')),
        (n, url) => {
          const a = render(n.notes, url);
          expect(problemsOf(a)).toEqual([]);
          const counts = markerCounts(a);
          expect(counts.size).toBe(n.ids);
          for (let id = 1; id <= n.ids; id++) expect(counts.get(`⟪${id}⟫`)).toBe(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('splits a release the same way before and after the help-centre link is known', () => {
    const longUrl = `https://help.acme.test/hc/en-us/articles/${'9'.repeat(600)}-release-notes`;
    fc.assert(
      fc.property(notes, fc.constantFrom('https://help.acme.test/a', longUrl), (n, url) => {
        const planned = render(n.notes, null);
        const posted = render(n.notes, url);
        expect(posted.replies).toEqual(planned.replies);
        expect(posted.top.blocks.length).toBe(planned.top.blocks.length + 1);
        // A channel template may quote the link in the intro: the split still does not move.
        const quoting = render({ ...n.notes, intro: `Details: ${url} ${n.notes.intro ?? ''}` }, url);
        expect(quoting.replies).toEqual(planned.replies);
      }),
      { numRuns: 200 },
    );
  });

  it('converts arbitrary strings to mrkdwn with only Herald-built links', () => {
    fc.assert(
      fc.property(fc.oneof(mixed, fc.string({ unit: 'binary' })), (markdown) => {
        expect(unsafeMrkdwn(markdownToMrkdwn(markdown))).toEqual([]);
        expect(unsafeMrkdwn(escapeMrkdwn(markdown))).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('renders a 5,000-entry release with every message valid and every entry exactly once', () => {
    const types = ['Features', 'Bug fixes', 'Performance improvements'];
    const sections = types.map((title, s) =>
      section(
        `t${s}`,
        title,
        Array.from({ length: 5000 / 5 + (s === 0 ? 2000 : 0) }, (_, i) => {
          const id = s * 10000 + i;
          return entry(id, `⟪${id}⟫ Change **${i}** in [module ${i}](https://acme.test/m/${i}?a&b) & more`);
        }),
      ),
    );
    expect(sections.reduce((n, s) => n + s.entries.length, 0)).toBe(5000);
    const a = render(makeNotes({ sections, breaking: [{ text: 'Drop Node 18', entry: entry(1, 'x') }] }));
    expect(problemsOf(a)).toEqual([]);
    expect(a.replies.length).toBeGreaterThan(10);
    const counts = markerCounts(a);
    expect(counts.size).toBe(5000);
    for (const s of sections) for (const e of s.entries) expect(counts.get(e.text.split(' ')[0]!)).toBe(1);
  });
});
