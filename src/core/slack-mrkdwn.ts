import { isMisleadingLabel } from './link-text.js';

// Slack's mrkdwn from untrusted Markdown: `&`, `<` and `>` always entities, no text that pings
// `<!channel>` or a user, links only where built here; and cutting mrkdwn without breaking an
// entity, a link or a surrogate pair. Each step runs in linear time whatever the input.

/** Markdown in one entry or intro is cut here before conversion (four of Slack's 3,000-character sections). */
const MAX_SOURCE_CHARS = 4 * 3000;
/** Link destinations and titles are scanned at most this far, so failed links stay linear. */
const MAX_LINK_SCAN = 2048;
const ELLIPSIS = '…';

// ---------------------------------------------------------------------------------------------
// Escaping and Markdown conversion

/** Plain untrusted text → mrkdwn: entities for `&`, `<`, `>` and no legacy `@here`-style pings. */
export function escapeMrkdwn(text: string): string {
  return neutraliseMentions(escapeEntities(text));
}

function escapeEntities(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/**
 * A zero-width joiner after `@` stops legacy parsing of @channel/@here/@everyone; links are skipped.
 * No word boundary is required: truncating `@channel0` to `@channel…` must not create a ping.
 */
function neutraliseMentions(mrkdwn: string): string {
  return mrkdwn.replace(/<[^<>]*>|@(?=channel|here|everyone)/gi, (m) => (m === '@' ? '@\u200D' : m));
}

/**
 * Markdown (as entries and intros contain: `**bold**`, `*italic*`/`_italic_`, `` `code` ``,
 * `[text](url)`, lists, headings, fences, plain text) → Slack mrkdwn. Only `&`, `<` and `>` are
 * escaped; links become `<url|text>` for http(s) and mailto URLs only (others keep their text).
 * Unpaired `*`, `_`, `~` stay literal: mrkdwn has no escape for them. Mentions cannot survive:
 * `<!channel>`, `<@U…>`, `<#C…>` lose their `<` to `&lt;`, and @channel/@here/@everyone get a
 * zero-width joiner after the `@`.
 */
export function markdownToMrkdwn(markdown: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split(/\r\n?|\n/)) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker) {
      fence = marker;
      out.push('```');
    } else if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) {
        fence = null;
        out.push('```');
      } else out.push(escapeMrkdwn(line));
    } else out.push(convertLine(line));
  }
  if (fence !== null) out.push('```');
  return out.join('\n');
}

/**
 * Untrusted Markdown from commits (entries, BREAKING CHANGE: footers) → mrkdwn, line by line: lists
 * and inline formatting, but no headings and no code blocks, which a commit must not add.
 */
export function untrustedMarkdownToMrkdwn(markdown: string): string {
  return markdown
    .split(/\r\n?|\n/)
    .map((line) => convertLine(line, false))
    .join('\n');
}

function convertLine(line: string, headings = true): string {
  const heading = headings ? /^ {0,3}#{1,6}(?:[ \t]+|$)/.exec(line) : null;
  if (heading) {
    const title = headingTitle(line.slice(heading[0].length));
    return title ? `*${convertInline(title)}*` : '';
  }
  const bullet = /^(\s*)[-*+][ \t]+/.exec(line);
  if (bullet) return `${bullet[1]}• ${convertInline(line.slice(bullet[0].length))}`;
  const ordered = /^(\s*)(\d{1,9})[.)][ \t]+/.exec(line);
  if (ordered) return `${ordered[1]}${ordered[2]}. ${convertInline(line.slice(ordered[0].length))}`;
  // A leading `>` becomes `&gt;`, which Slack itself shows as a quote.
  return convertInline(line);
}

/** An ATX heading's text without its optional closing `#`s (scanned by hand: no backtracking). */
function headingTitle(rest: string): string {
  const text = rest.trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0) return '';
  if (end === text.length || text[end - 1] === ' ' || text[end - 1] === '\t')
    return text.slice(0, end).trimEnd();
  return text;
}

type Token =
  | { kind: 'text'; value: string }
  | { kind: 'delim'; char: string; length: number; canOpen: boolean; canClose: boolean; mark: string | null };

/** One line of inline Markdown → mrkdwn, in a single forward pass plus a bounded pairing pass. */
function convertInline(line: string): string {
  const tokens: Token[] = [];
  let plain = '';
  const flush = () => {
    if (plain) tokens.push({ kind: 'text', value: escapeEntities(plain) });
    plain = '';
  };
  const push = (value: string) => {
    flush();
    tokens.push({ kind: 'text', value });
  };
  // Code-span lengths with no closing run left: later searches for them would fail too.
  const noCloser = new Set<number>();
  const lastParen = line.lastIndexOf(')');
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length && /[!-/:-@[-`{-~]/.test(line[i + 1]!)) {
      plain += line[i + 1];
      i += 2;
    } else if (c === '`') {
      const n = runLength(line, i, '`');
      const close = noCloser.has(n) ? -1 : findBacktickRun(line, i + n, n);
      if (close === -1) {
        noCloser.add(n);
        // An unpaired ``` would open a code block reaching into the next entries: a zero-width
        // space between the backticks keeps them literal.
        plain += n >= 3 ? Array(n).fill('`').join('\u200B') : '`'.repeat(n);
      } else {
        push(codeSpan(line.slice(i + n, close)));
        i = close;
      }
      i += n;
    } else if (c === '[' || (c === '!' && line[i + 1] === '[')) {
      const link = parseLink(line, c === '!' ? i + 1 : i, lastParen);
      if (link) {
        push(renderLink(link.label, link.url));
        i = link.end;
      } else {
        plain += c;
        i++;
      }
    } else if (c === '<') {
      const url = autolinkAt(line, i);
      if (url) push(renderLink(url, url));
      else plain += c;
      i += url ? url.length + 2 : 1;
    } else if (c === '*' || c === '_' || c === '~') {
      const n = runLength(line, i, c);
      const before = line[i - 1] ?? ' ';
      const after = line[i + n] ?? ' ';
      let canOpen = !/\s/.test(after);
      let canClose = !/\s/.test(before);
      // snake_case_names are not emphasis; `~` pairs only as `~x~` or `~~x~~`.
      if (c === '_' && /[\p{L}\p{N}]/u.test(before) && /[\p{L}\p{N}]/u.test(after))
        canOpen = canClose = false;
      if (n > 2) canOpen = canClose = false;
      flush();
      tokens.push({ kind: 'delim', char: c, length: n, canOpen, canClose, mark: null });
      i += n;
    } else {
      plain += c;
      i++;
    }
  }
  flush();
  pairDelimiters(tokens);
  const text = tokens
    .map((t) => (t.kind === 'text' ? t.value : (t.mark ?? t.char.repeat(t.length))))
    .join('');
  return neutraliseMentions(text);
}

/** Pairs emphasis openers and closers of the same character and length (innermost first). */
function pairDelimiters(tokens: Token[]): void {
  const stack: Extract<Token, { kind: 'delim' }>[] = [];
  for (const token of tokens) {
    if (token.kind !== 'delim') continue;
    if (token.canClose) {
      const p = findOpener(stack, token);
      if (p !== -1) {
        const mark = token.char === '~' ? '~' : token.length === 2 ? '*' : '_';
        stack[p]!.mark = mark;
        token.mark = mark;
        stack.length = p;
        continue;
      }
    }
    if (token.canOpen) stack.push(token);
  }
}

/** The nearest matching opener among the last 16: a bounded look-back keeps `* _ * _ …` linear. */
function findOpener(
  stack: Extract<Token, { kind: 'delim' }>[],
  closer: { char: string; length: number },
): number {
  for (let p = stack.length - 1; p >= 0 && p >= stack.length - 16; p--)
    if (stack[p]!.char === closer.char && stack[p]!.length === closer.length) return p;
  return -1;
}

function runLength(text: string, from: number, char: string): number {
  let n = 0;
  while (text[from + n] === char) n++;
  return n;
}

/** Start of the next backtick run of exactly `n`, or -1. */
function findBacktickRun(line: string, from: number, n: number): number {
  let at = line.indexOf('`', from);
  while (at !== -1) {
    const m = runLength(line, at, '`');
    if (m === n) return at;
    at = line.indexOf('`', at + m);
  }
  return -1;
}

function codeSpan(content: string): string {
  let code = content;
  if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '')
    code = code.slice(1, -1);
  // mrkdwn code cannot contain a backtick; an empty span would print two stray backticks.
  code = code.replace(/`/g, "'");
  return code.trim() === '' ? escapeEntities(code) : `\`${escapeEntities(code)}\``;
}

/** `[label](url "title")` starting at `open` (the `[`): its label, destination and end. */
function parseLink(
  line: string,
  open: number,
  lastParen: number,
): { label: string; url: string; end: number } | null {
  let i = open + 1;
  let label = '';
  // Labels stop at the next bracket, so a line of `[[[[` is scanned once, not once per bracket.
  while (i < line.length && line[i] !== ']' && line[i] !== '[') {
    if (line[i] === '\\' && i + 1 < line.length && /[!-/:-@[-`{-~]/.test(line[i + 1]!)) i++;
    label += line[i];
    i++;
  }
  if (line[i] !== ']' || line[i + 1] !== '(' || i > lastParen) return null;
  i += 2;
  // Everything below stops within MAX_LINK_SCAN, so failed links cost a bounded amount each.
  const limit = Math.min(lastParen + 1, i + MAX_LINK_SCAN);
  const skipSpaces = () => {
    while (i < limit && (line[i] === ' ' || line[i] === '\t')) i++;
  };
  skipSpaces();
  let url: string;
  if (line[i] === '<') {
    let close = i + 1;
    while (close < limit && line[close] !== '>' && line[close] !== '<') close++;
    if (close >= limit || line[close] !== '>') return null;
    url = line.slice(i + 1, close);
    i = close + 1;
  } else {
    const from = i;
    let depth = 0;
    for (; i < limit && line.charCodeAt(i) > 0x20; i++) {
      // Shallow nesting only: a run of `[a](b[a](b…` then fails after a few groups, not 2 KB.
      if (line[i] === '(') {
        if (++depth > 3) return null;
      } else if (line[i] === ')' && depth-- === 0) break;
    }
    url = line.slice(from, i);
  }
  skipSpaces();
  const quote = line[i];
  if (quote === '"' || quote === "'") {
    let close = i + 1;
    while (close < limit && line[close] !== quote) close++;
    if (close >= limit) return null;
    i = close + 1;
    skipSpaces();
  }
  if (line[i] !== ')') return null;
  return { label, url, end: i + 1 };
}

const autolink = /<((?:https?:\/\/|mailto:)[^\s<>]+)>/iy;

function autolinkAt(line: string, at: number): string | null {
  autolink.lastIndex = at;
  return autolink.exec(line)?.[1] ?? null;
}

/** `<url|label>` for http(s)/mailto URLs; anything else (javascript:, data:, relative) keeps only its text. */
function renderLink(label: string, url: string): string {
  const target = mrkdwnUrl(url);
  const text = escapeLabel(label);
  if (target === null) return text.trim() === '' ? escapeMrkdwn(url) : text;
  // A label naming another site (`[https://acme.example](https://evil.example)`) is no link: both show.
  if (isMisleadingLabel(label, url))
    return `${escapeMrkdwn(label.replace(/\s+/g, ' '))} (${escapeMrkdwn(url.trim())})`;
  return `<${target}|${text.trim() === '' ? escapeLabel(url) : text}>`;
}

/** A link label: one line, no `|` (it would end the URL part), entities for `&`, `<`, `>`. */
export function escapeLabel(label: string): string {
  return escapeMrkdwn(label.replace(/\s+/g, ' ').replace(/\|/g, '¦'));
}

/** The URL part of `<url|text>`: http(s) or mailto only, with characters that end it encoded. */
export function mrkdwnUrl(url: string): string | null {
  const trimmed = url.trim();
  if (!/^(?:https?:\/\/|mailto:)\S/i.test(trimmed)) return null;
  return trimmed.replace(/[\s<>|"\u0000-\u001f\u007f]/g, (c) => encodeURIComponent(c)).replace(/&/g, '&amp;');
}

// ---------------------------------------------------------------------------------------------
// Truncation

/**
 * Cuts mrkdwn to at most `max` characters ending in "…". Links, entities and surrogate pairs are
 * atoms: the cut never lands inside `<url|text>`, `&amp;` or an astral character.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const limit = max - ELLIPSIS.length;
  let cut = 0;
  let i = 0;
  while (i < text.length) {
    let next = i + 1;
    if (text[i] === '<') {
      const end = text.indexOf('>', i);
      next = end === -1 ? text.length : end + 1;
    } else if (text[i] === '&') {
      const entity = /^&(?:amp|lt|gt);/.exec(text.slice(i, i + 5));
      if (entity) next = i + entity[0].length;
    } else if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) {
      next = i + 2;
    }
    if (next > limit) break;
    cut = next;
    i = next;
  }
  return `${text.slice(0, cut).trimEnd()}${ELLIPSIS}`;
}

/** Plain text (headers, fallbacks before escaping) cut to `max` without splitting a surrogate pair. */
export function truncatePlain(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - ELLIPSIS.length;
  if (isLowSurrogate(text.charCodeAt(cut)) && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
  return `${text.slice(0, cut).trimEnd()}${ELLIPSIS}`;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** Untrusted Markdown → mrkdwn of at most `max` characters. */
export function boundedMrkdwn(markdown: string, max: number, convert = untrustedMarkdownToMrkdwn): string {
  const source = markdown.length > MAX_SOURCE_CHARS ? markdown.slice(0, MAX_SOURCE_CHARS) : markdown;
  const mrkdwn = convert(source);
  return truncateMrkdwn(source === markdown ? mrkdwn : `${mrkdwn}${ELLIPSIS}`, max);
}
