import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mrkdwnToHtml, renderSlackHtml, type SlackThreadView } from '../../src/core/slack-html.js';
import { renderSlackAnnouncement, type SlackMessage } from '../../src/core/slack-message.js';
import { featureNotes } from '../helpers/notes.js';

// ---------------------------------------------------------------------------------------------
// Builders

const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });
const header = (text: string) => ({
  type: 'header' as const,
  text: { type: 'plain_text' as const, text, emoji: true },
});
const context = (...texts: string[]) => ({
  type: 'context' as const,
  elements: texts.map((text) => ({ type: 'mrkdwn' as const, text })),
});
const divider = { type: 'divider' as const };

const message = (...blocks: SlackMessage['blocks']): SlackMessage => ({ text: 'fallback', blocks });

const thread = (top: SlackMessage, replies: SlackMessage[] = [], postedAt: number | null = null) =>
  ({ message: top, postedAt, replies }) satisfies SlackThreadView;

const notesWith = (texts: string[]) => featureNotes(texts);

// ---------------------------------------------------------------------------------------------
// Reading the HTML back

const ALLOWED_TAG =
  /^(?:<(b|i|s|code|pre|br)>|<\/(b|i|s|code|pre|a)>|<(a) href="([^"]*)" rel="noopener noreferrer">)/;
const ENTITY = /^&(?:amp|lt|gt|quot|#39);/;

/**
 * The HTML of one mrkdwn text as a token stream: every `<` must open a tag of the allow-list in the
 * exact shape the renderer builds, every `&` must start an entity, and no `>` or `"` is bare.
 */
function tokens(html: string): { tags: string[]; hrefs: string[]; problems: string[] } {
  const tags: string[] = [];
  const hrefs: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < html.length; i++) {
    const c = html[i];
    if (c === '<') {
      const tag = ALLOWED_TAG.exec(html.slice(i));
      if (!tag) {
        problems.push(`unexpected markup at ${i}: ${JSON.stringify(html.slice(i, i + 30))}`);
        continue;
      }
      if (tag[1]) tags.push(tag[1]);
      else if (tag[2]) tags.push(`/${tag[2]}`);
      else {
        tags.push('a');
        hrefs.push(tag[4]!);
      }
      i += tag[0].length - 1;
    } else if (c === '&' && !ENTITY.test(html.slice(i, i + 6)))
      problems.push(`bare & at ${i}: ${JSON.stringify(html.slice(i, i + 10))}`);
    else if (c === '>' || c === '"') problems.push(`bare ${c} at ${i}`);
  }
  return { tags, hrefs, problems };
}

const decode = (html: string) =>
  html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The start and end tags of a whole page, checked for nesting; void elements stand alone. */
function checkNesting(html: string): { counts: Map<string, number>; problems: string[] } {
  const counts = new Map<string, number>();
  const problems: string[] = [];
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>/g)) {
    const [, close, name] = m;
    const tag = name!.toLowerCase();
    if (close) {
      const open = stack.pop();
      if (open !== tag) problems.push(`</${tag}> closes <${open}> at ${m.index}`);
    } else {
      counts.set(tag, (counts.get(tag) ?? 0) + 1);
      if (!['meta', 'br', 'hr'].includes(tag)) stack.push(tag);
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return { counts, problems };
}

// ---------------------------------------------------------------------------------------------

describe('mrkdwnToHtml', () => {
  it.each([
    ['*bold*', '<b>bold</b>'],
    ['_italic_', '<i>italic</i>'],
    ['~strike~', '<s>strike</s>'],
    ['`code`', '<code>code</code>'],
    ['a *b c* d', 'a <b>b c</b> d'],
    ['(*x*), _y_.', '(<b>x</b>), <i>y</i>.'],
    ['*one* and *two*', '<b>one</b> and <b>two</b>'],
    ['*bold _it_ x*', '<b>bold <i>it</i> x</b>'],
  ])('formats %j', (mrkdwn, html) => {
    expect(mrkdwnToHtml(mrkdwn)).toBe(html);
  });

  it.each([
    ['x*y*z', 'x*y*z'],
    ['snake_case_name', 'snake_case_name'],
    ['* not bold *', '* not bold *'],
    ['2 * 3 * 4', '2 * 3 * 4'],
    ['a ~ b', 'a ~ b'],
    ['`', '`'],
  ])('leaves %j literal', (mrkdwn, html) => {
    expect(mrkdwnToHtml(mrkdwn)).toBe(html);
  });

  it('breaks lines', () => {
    expect(mrkdwnToHtml('one\ntwo\n\nthree')).toBe('one<br>two<br><br>three');
  });

  it('keeps a code fence verbatim: escaped, unformatted, without <br>', () => {
    expect(mrkdwnToHtml('before\n```\nconst a = 1 < 2 && *b*;\n_c_\n```\nafter')).toBe(
      'before<br><pre>const a = 1 &lt; 2 &amp;&amp; *b*;\n_c_</pre><br>after',
    );
  });

  it('turns links into anchors with rel=noopener', () => {
    expect(mrkdwnToHtml('see <https://help.acme.test/a?b=1&amp;c=2|the *notes*>')).toBe(
      'see <a href="https://help.acme.test/a?b=1&amp;c=2" rel="noopener noreferrer">the *notes*</a>',
    );
    expect(mrkdwnToHtml('<http://x.test>')).toBe(
      '<a href="http://x.test" rel="noopener noreferrer">http://x.test</a>',
    );
    expect(mrkdwnToHtml('<mailto:ops@acme.test|write to us>')).toBe(
      '<a href="mailto:ops@acme.test" rel="noopener noreferrer">write to us</a>',
    );
  });

  it('formats the text around a link but not across it', () => {
    expect(mrkdwnToHtml('*new* <https://x.test|docs> _here_')).toBe(
      '<b>new</b> <a href="https://x.test" rel="noopener noreferrer">docs</a> <i>here</i>',
    );
  });

  it('keeps an entity as one entity and escapes a bare &', () => {
    expect(mrkdwnToHtml('a &amp; b')).toBe('a &amp; b');
    expect(mrkdwnToHtml('a & b')).toBe('a &amp; b');
    expect(mrkdwnToHtml('&lt;tag&gt;')).toBe('&lt;tag&gt;');
    expect(mrkdwnToHtml('&amp;amp; &nbsp; &')).toBe('&amp;amp; &amp;nbsp; &amp;');
    expect(mrkdwnToHtml('say "hi"')).toBe('say &quot;hi&quot;');
  });

  it.each([
    ['<!channel> now', '&lt;!channel&gt; now'],
    ['<@U123> <#C123>', '&lt;@U123&gt; &lt;#C123&gt;'],
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['<javascript:alert(1)|x>', '&lt;javascript:alert(1)|x&gt;'],
    ['<data:text/html,hi|x>', '&lt;data:text/html,hi|x&gt;'],
    ['<a href="https://evil.test">x</a>', '&lt;a href=&quot;https://evil.test&quot;&gt;x&lt;/a&gt;'],
    ['<https://x.test" onclick="alert(1)|x>', '&lt;https://x.test&quot; onclick=&quot;alert(1)|x&gt;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['<https://x.test|<b>label</b>>', '&lt;https://x.test|&lt;b&gt;label&lt;/b&gt;&gt;'],
  ])('renders %j as text only', (mrkdwn, html) => {
    const out = mrkdwnToHtml(mrkdwn);
    expect(out).toBe(html);
    expect(tokens(out)).toEqual({ tags: [], hrefs: [], problems: [] });
  });

  it('builds the only markup even when link labels hold markup', () => {
    const out = mrkdwnToHtml('<https://x.test|<script>> <https://y.test|"><img src=x>');
    const { tags, hrefs, problems } = tokens(out);
    expect(problems).toEqual([]);
    expect(tags.every((t) => ['a', '/a'].includes(t))).toBe(true);
    expect(hrefs.every((h) => /^https:\/\//.test(h))).toBe(true);
    expect(out).not.toMatch(/<(?:script|img)/i);
  });

  // Arbitrary strings, heavy in mrkdwn's control characters and the pieces of links and entities.
  const piece = fc.constantFrom(
    '<',
    '>',
    '&',
    '"',
    "'",
    '|',
    '*',
    '_',
    '~',
    '`',
    '```',
    '\n',
    ' ',
    'x',
    'https://',
    'http://a.test',
    'mailto:',
    'javascript:',
    'HTTPS://',
    '&amp;',
    '&lt;',
    '&gt;',
    '&#39;',
    '&quot;',
    '&nbsp;',
    '*x*',
    '_x_',
    '~x~',
    '`x`',
    '!channel',
    'script',
    'a href=',
    '=',
    '(',
    ')',
    '.',
    'é',
    '\u0000',
  );
  // Link-shaped pieces, with and without a label, good schemes and bad.
  const link = fc
    .tuple(
      fc.constantFrom('https://', 'http://', 'mailto:', 'HTTPS://', 'javascript:', 'data:', ''),
      fc.string({ unit: piece, maxLength: 8 }),
      fc.option(fc.string({ unit: piece, maxLength: 8 })),
    )
    .map(([scheme, url, label]) => `<${scheme}${url}${label === null ? '' : `|${label}`}>`);
  const mrkdwn = fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: fc.oneof(piece, piece, link), maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 80 }) },
  );

  it('only ever builds allow-listed tags with http(s)/mailto hrefs (property)', () => {
    fc.assert(
      fc.property(mrkdwn, (text) => {
        const { tags, hrefs, problems } = tokens(mrkdwnToHtml(text));
        expect(problems).toEqual([]);
        for (const tag of tags)
          expect(['a', 'b', 'i', 's', 'code', 'pre', 'br']).toContain(tag.replace('/', ''));
        expect(hrefs.length).toBe(tags.filter((t) => t === 'a').length);
        for (const href of hrefs) {
          expect(href).toMatch(/^(?:https?:\/\/|mailto:)/i);
          expect(href).not.toMatch(/["<>\s]/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the text of input without markup characters (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '.', '-', 'é', '\t'), maxLength: 60 }),
        (text) => {
          expect(mrkdwnToHtml(text)).toBe(text);
        },
      ),
    );
  });

  it('keeps an unpaired ``` as text', () => {
    expect(mrkdwnToHtml('a```b')).toBe('a```b');
  });

  it('formats nothing inside a code span and never misnests tags', () => {
    expect(mrkdwnToHtml('`x _y_ z`')).toBe('<code>x _y_ z</code>');
    const out = mrkdwnToHtml('*a `b* c`');
    expect(checkNesting(out).problems).toEqual([]);
    expect(checkNesting(mrkdwnToHtml('*a _b* c_ ~d *e~ f*')).problems).toEqual([]);
  });

  it('formats nested emphasis such as *_both_*', () => {
    expect(mrkdwnToHtml('*_both_*')).toBe('<b><i>both</i></b>');
  });

  it('never yields a quote in the decoded href', () => {
    const { hrefs } = tokens(mrkdwnToHtml('<https://x.test&quot;onmouseover=alert(1)|y>'));
    expect(hrefs).toHaveLength(1);
    expect(decode(hrefs[0]!)).not.toContain('"');
  });
});

describe('renderSlackHtml', () => {
  const at = Date.UTC(2026, 8, 3, 9, 5);

  it('shows a message with each kind of block', () => {
    const page = renderSlackHtml({
      title: 'Preview',
      channels: [
        {
          name: '#releases',
          threads: [
            thread(
              message(header('Acme 2.0'), section('*3 features*'), divider, context('a', '_b_')),
              [],
              at,
            ),
          ],
        },
      ],
    });
    expect(page).toContain('<div class="header">Acme 2.0</div>');
    expect(page).toContain('<div class="section"><b>3 features</b></div>');
    expect(page).toContain('<hr>');
    expect(page).toContain('<div class="context">a <i>b</i></div>');
    expect(page).toContain('<span class="time">09:05</span>');
    expect(page).toContain('<div class="channel">#releases</div>');
    expect(page).not.toContain('class="replies"');
  });

  it('marks an unposted message as scheduled', () => {
    const page = renderSlackHtml({
      title: 't',
      channels: [{ name: 'c', threads: [thread(message(section('x')))] }],
    });
    expect(page).toContain('<span class="time">scheduled</span>');
  });

  it('shows header blocks as plain text', () => {
    const page = renderSlackHtml({
      title: 't',
      channels: [{ name: 'c', threads: [thread(message(header('<b>x</b> *y* &amp; <https://x.test|z>')))] }],
    });
    expect(page).toContain(
      '<div class="header">&lt;b&gt;x&lt;/b&gt; *y* &amp;amp; &lt;https://x.test|z&gt;</div>',
    );
    expect(page).not.toContain('<b>x</b>');
    expect(page).not.toContain('<a href');
  });

  it('escapes the title and channel names', () => {
    const page = renderSlackHtml({
      title: '</title><script>alert(1)</script> & co',
      channels: [{ name: '#a & <b>"c"</b>', threads: [] }],
    });
    expect(page).toContain('<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>');
    expect(page).toContain('<div class="channel">#a &amp; &lt;b&gt;&quot;c&quot;&lt;/b&gt;</div>');
    expect(page).not.toContain('<script');
    expect(page.match(/<title>/g)).toHaveLength(1);
  });

  it('shows plain text exactly, whatever it holds (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.string({ maxLength: 30 }),
        (text, name) => {
          const page = renderSlackHtml({
            title: name,
            channels: [{ name, threads: [thread(message(header(text)))] }],
          });
          const shown = /<div class="header">([^<]*)<\/div>/.exec(page)?.[1];
          expect(shown).toBeDefined();
          expect(decode(shown!)).toBe(text);
          expect(decode(/<title>([^<]*)<\/title>/.exec(page)![1]!)).toBe(name);
          expect(decode(/<div class="channel">([^<]*)<\/div>/.exec(page)![1]!)).toBe(name);
        },
      ),
    );
  });

  it('shows the replies of a thread under their message, with a count', () => {
    const page = renderSlackHtml({
      title: 't',
      channels: [
        {
          name: 'c',
          threads: [
            thread(
              message(section('TOP-ONE')),
              [message(section('REPLY-A')), message(section('REPLY-B'))],
              at,
            ),
            thread(message(section('TOP-TWO')), [message(section('REPLY-C'))], at),
            thread(message(section('TOP-THREE')), [], at),
          ],
        },
      ],
    });
    const order = [
      'TOP-ONE',
      '2 replies',
      'REPLY-A',
      'REPLY-B',
      'TOP-TWO',
      '1 reply<',
      'REPLY-C',
      'TOP-THREE',
    ];
    const positions = order.map((s) => page.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(page.match(/<div class="thread">/g)).toHaveLength(2);
    expect(page.match(/<div class="replies">/g)).toHaveLength(2);
    expect(page.match(/<div class="message">/g)).toHaveLength(6);
  });

  it('is one well-formed document for several channels', () => {
    const page = renderSlackHtml({
      title: 'All channels',
      channels: [
        {
          name: '#releases',
          threads: [thread(message(header('H'), section('*a*\nb')), [message(section('`c`'))], at)],
        },
        { name: '#internal', threads: [thread(message(section('<https://x.test|x>'), divider))] },
        { name: '#empty', threads: [] },
      ],
    });
    expect(page.startsWith('<!doctype html>\n<html')).toBe(true);
    expect(page.trimEnd().endsWith('</body></html>')).toBe(true);
    const { counts, problems } = checkNesting(page);
    expect(problems).toEqual([]);
    expect(counts.get('html')).toBe(1);
    expect(counts.get('head')).toBe(1);
    expect(counts.get('body')).toBe(1);
    expect(counts.get('title')).toBe(1);
    expect(counts.get('section')).toBe(3);
    const names = [...page.matchAll(/<div class="channel">([^<]*)<\/div>/g)].map((m) => m[1]);
    expect(names).toEqual(['#releases', '#internal', '#empty']);
  });

  it('renders a real announcement with hostile entries safely', () => {
    const hostile = [
      '<script>alert(1)</script> is shown as text',
      '[click](javascript:alert(1)) stays text',
      '<img src=x onerror=alert(1)> too',
      '**bold** and [docs](https://docs.acme.test/a?b=1&c=2 "t")',
      '@channel <!here> ping & pong',
      '"quoted" `code & <tags>`',
    ];
    const texts = [...hostile, ...Array.from({ length: 300 }, (_, i) => `entry ${i} ${'words '.repeat(12)}`)];
    const { top, replies } = renderSlackAnnouncement({
      notes: notesWith(texts),
      product: 'Acme <b>Cloud</b>',
      version: '2.0.0',
      url: 'https://help.acme.test/articles/42',
    });
    expect(replies.length).toBeGreaterThan(0);
    const page = renderSlackHtml({
      title: 'Acme',
      channels: [{ name: '#releases', threads: [thread(top, replies, at)] }],
    });
    expect(checkNesting(page).problems).toEqual([]);
    const body = page.slice(page.indexOf('<body>') + '<body>'.length, page.indexOf('</body>'));
    // Only the page's own structure and the allow-listed inline tags.
    const names = new Set([...body.matchAll(/<\/?([a-z]+)/g)].map((m) => m[1]));
    for (const name of names)
      expect(['div', 'span', 'section', 'hr', 'a', 'b', 'i', 's', 'code', 'pre', 'br']).toContain(name);
    for (const m of body.matchAll(/<a ([^>]*)>/g))
      expect(m[1]).toMatch(/^href="(?:https?:\/\/|mailto:)[^"\s<>]*" rel="noopener noreferrer"$/);
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; is shown as text');
    expect(body).toContain('<div class="header">Acme &lt;b&gt;Cloud&lt;/b&gt; 2.0.0</div>');
    expect(body).toContain(
      '<a href="https://docs.acme.test/a?b=1&amp;c=2" rel="noopener noreferrer">docs</a>',
    );
    expect(body).toContain(`${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`);
    expect(body).not.toMatch(/href="(?!https?:|mailto:)/i);
  });
});
