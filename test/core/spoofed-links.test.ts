import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailView } from '../../src/core/email-message.js';
import { mrkdwnToHtml } from '../../src/core/slack-html.js';
import { markdownToMrkdwn, renderSlackAnnouncement } from '../../src/core/slack-message.js';
import type { ReleaseNotes } from '../../src/model/index.js';
import { featureNotes, noteEntry } from '../helpers/notes.js';

/**
 * Text from commits (subjects, PR titles, Release-Note: trailers, BREAKING CHANGE: footers) is
 * hostile: it must never become a link whose visible text names another site, and a footer must
 * not add headings, tables or code blocks to Slack or to email.
 */

const WORDS = {
  whatsNew: "What's new in {product}",
  breaking: 'Breaking changes',
  readMore: 'Read the release notes',
  why: 'You get this because you follow {product}.',
  topics: 'Topics: {topics}.',
  unsubscribe: 'Unsubscribe',
};

const slackTexts = (notes: ReleaseNotes): string => {
  const a = renderSlackAnnouncement({ notes, product: 'Acme Cloud', version: '2.0.0', url: null });
  return [a.top, ...a.replies]
    .flatMap((m) => m.blocks)
    .map((b) => (b.type === 'section' ? b.text.text : ''))
    .join('\n');
};

const emailHtml = (notes: ReleaseNotes): string => {
  const view = emailView({
    notes,
    topics: 'all',
    product: 'Acme Cloud',
    version: '2.0.0',
    url: null,
    unsubscribeUrl: 'https://help.acme.test/u/x',
    locale: null,
    words: WORDS,
  })!;
  return [
    view.intro?.html ?? '',
    ...(view.breaking?.entries ?? []),
    ...view.sections.flatMap((s) => s.entries),
  ]
    .map((e) => (typeof e === 'string' ? e : e.html))
    .join('\n');
};

/** Every `<url|text>` of mrkdwn and every `<a href>` of HTML, as [target, visible text]. */
function linksOf(text: string): [string, string][] {
  const links: [string, string][] = [];
  for (const m of text.matchAll(/<((?:https?:|mailto:)[^|>]*)\|([^>]*)>/g)) links.push([m[1]!, m[2]!]);
  for (const m of text.matchAll(/<a href="([^"]*)"[^>]*>(.*?)<\/a>/g)) links.push([m[1]!, m[2]!]);
  return links;
}

const hostOf = (url: string) => {
  try {
    return new URL(url.replace(/&amp;/g, '&')).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
};

/** A visible text naming a host (a.b, scheme://) that is not the link's own host. */
function spoofs([target, visible]: [string, string]): boolean {
  const names = visible.toLowerCase().match(/[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/g) ?? [];
  const host = hostOf(target);
  return names.some((name) => name.replace(/^www\./, '') !== host && !name.includes('@'));
}

const SPOOF = '[https://acme.example/login](https://evil.example/phish)';

describe('a commit cannot put a trusted-looking URL on a link to another site', () => {
  it('in Slack and in the release email, the spoof shows both URLs as text', () => {
    const notes = featureNotes([`Log in again ${SPOOF}`]);
    const slack = slackTexts(notes);
    expect(linksOf(slack).filter(spoofs)).toEqual([]);
    expect(slack).toContain('https://acme.example/login (https://evil.example/phish)');
    const html = emailHtml(notes);
    expect(linksOf(html).filter(spoofs)).toEqual([]);
    expect(html).not.toContain('href="https://evil.example/phish"');
    expect(html).toContain('https://acme.example/login (https://evil.example/phish)');
  });

  it('bare domains, www and mailto labels count; honest links stay links', () => {
    expect(markdownToMrkdwn('[acme.example](https://evil.example)')).toBe(
      'acme.example (https://evil.example)',
    );
    expect(markdownToMrkdwn('[Sign in at www.acme.example now](https://evil.example/x)')).toBe(
      'Sign in at www.acme.example now (https://evil.example/x)',
    );
    expect(markdownToMrkdwn('[help@acme.example](mailto:evil@evil.example)')).toBe(
      'help@acme.example (mailto:evil@evil.example)',
    );
    expect(markdownToMrkdwn('[the docs](https://acme.example/docs)')).toBe(
      '<https://acme.example/docs|the docs>',
    );
    expect(markdownToMrkdwn('[acme.example/docs](https://www.acme.example/docs)')).toBe(
      '<https://www.acme.example/docs|acme.example/docs>',
    );
    expect(markdownToMrkdwn('<https://acme.example/x>')).toBe(
      '<https://acme.example/x|https://acme.example/x>',
    );
  });

  it('the same entry as a PR title or Release-Note: trailer text is treated alike', () => {
    const pr = noteEntry(1, `Faster ${SPOOF}`, {
      pullRequest: { id: '7', text: '#7', url: 'https://github.com/acme/app/pull/7' },
    } as never);
    const slack = slackTexts(
      featureNotes([], { sections: [{ type: 'feat', title: 'Features', entries: [pr], components: [] }] }),
    );
    expect(linksOf(slack).filter(spoofs)).toEqual([]);
    expect(linksOf(slack).map(([t]) => t)).toEqual(['https://github.com/acme/app/pull/7']);
  });

  it('property: hostile labels and targets never yield a spoofing link in Slack or email', () => {
    const host = fc.constantFrom(
      'acme.example',
      'evil.example',
      'www.acme.example',
      'a.b.co',
      'xn--80ak6aa92e.com',
    );
    const url = fc
      .tuple(
        fc.constantFrom('https://', 'http://', 'HTTPS://'),
        host,
        fc.constantFrom('', '/login', '/a?b=1&c=2'),
      )
      .map(([s, h, p]) => `${s}${h}${p}`);
    const label = fc.oneof(
      url,
      host,
      fc.tuple(fc.string({ maxLength: 8 }), url).map(([a, u]) => `${a} ${u}`),
      fc.string({ maxLength: 12 }),
    );
    const text = fc
      .tuple(fc.string({ maxLength: 10 }), label, url, fc.constantFrom('', ' ', '<', '>', '|', '](', '*'))
      .map(([pre, l, u, post]) => `${pre}[${l}](${u})${post}`);
    fc.assert(
      fc.property(text, (t) => {
        const notes = featureNotes([t], { breaking: [{ text: t, entry: noteEntry(9, t) }] });
        expect(linksOf(slackTexts(notes)).filter(spoofs)).toEqual([]);
        expect(linksOf(emailHtml(notes)).filter(spoofs)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});

describe('a BREAKING CHANGE: footer stays inline text', () => {
  const footer = [
    '# Migrate now',
    '## Steps',
    '| a | b |',
    '|---|---|',
    '| 1 | 2 |',
    '```sh',
    'rm -rf /',
    '```',
    'Call `init()` **first**.',
  ].join('\n');
  const notes = featureNotes(['x'], { breaking: [{ text: footer, entry: noteEntry(5, 'x') }] });

  it('adds no heading or code block in Slack', () => {
    const slack = slackTexts(notes);
    expect(slack).not.toContain('```');
    expect(slack).not.toContain('*Migrate now*');
    expect(slack).not.toContain('*Steps*');
    expect(slack).toContain('# Migrate now');
    expect(slack).toContain('`init()` *first*');
  });

  it('adds no heading, pre or table in the email', () => {
    const html = emailHtml(notes);
    expect(html).not.toMatch(/<(?:h\d|pre|table|b>Migrate)/);
    expect(html).toContain('# Migrate now');
    expect(html).toContain('<code>init()</code>');
  });

  it('an entry cannot open a code block that swallows the next ones', () => {
    const slack = slackTexts(featureNotes(['first ``` opens', 'second', 'third ``` closes']));
    expect(slack).not.toContain('```');
    expect(mrkdwnToHtml(slack)).not.toContain('<pre>');
  });
});
