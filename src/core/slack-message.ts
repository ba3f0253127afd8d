/**
 * Renders a release announcement as Slack Block Kit messages. Entry texts, intros and titles are
 * untrusted Markdown; the output is mrkdwn in which `&`, `<` and `>` are always entities, so the
 * only `<…>` sequences are links built here and no text can ping `<!channel>` or a user. Long
 * releases spill into thread replies, each a message within every Slack limit.
 */
import type {
  BreakingChange,
  NoteEntry,
  NoteSection,
  ReleaseNotes,
  SlackAnnouncement,
  SlackBlock,
  SlackMessage,
} from '../model/index.js';
import { isMisleadingLabel } from './link-text.js';

export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  blocks: 50,
  fallbackText: 4000,
  /** Conservative total of block text per message: Slack rejects ~13.2k (msg_blocks_too_long). */
  messageChars: 12000,
} as const;

export type { SlackAnnouncement, SlackBlock, SlackMessage } from '../model/index.js';

/** Markdown in one entry or intro is cut here before conversion; the output is capped far lower. */
const MAX_SOURCE_CHARS = 4 * SLACK_LIMITS.sectionText;
/** Link destinations and titles are scanned at most this far, so failed links stay linear. */
const MAX_LINK_SCAN = 2048;
const MAX_TITLE_CHARS = 200;
/** Characters the help-centre link block may take (a longer URL is left out). */
export const LINK_BUDGET = 1000;
const ELLIPSIS = '…';
const WARNING = '⚠️';

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
function escapeLabel(label: string): string {
  return escapeMrkdwn(label.replace(/\s+/g, ' ').replace(/\|/g, '¦'));
}

/** The URL part of `<url|text>`: http(s) or mailto only, with characters that end it encoded. */
function mrkdwnUrl(url: string): string | null {
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
function truncateMrkdwn(text: string, max: number): string {
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
function truncatePlain(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - ELLIPSIS.length;
  if (isLowSurrogate(text.charCodeAt(cut)) && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
  return `${text.slice(0, cut).trimEnd()}${ELLIPSIS}`;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** Untrusted Markdown → mrkdwn of at most `max` characters. */
function boundedMrkdwn(markdown: string, max: number, convert = untrustedMarkdownToMrkdwn): string {
  const source = markdown.length > MAX_SOURCE_CHARS ? markdown.slice(0, MAX_SOURCE_CHARS) : markdown;
  const mrkdwn = convert(source);
  return truncateMrkdwn(source === markdown ? mrkdwn : `${mrkdwn}${ELLIPSIS}`, max);
}

// ---------------------------------------------------------------------------------------------
// The announcement

interface Group {
  /** Bold title line opening the group's first block. */
  heading: string;
  /** Title line opening each further block of the same group. */
  continued: string;
  lines: string[];
}

/** The announcement: a top message and, when the full list does not fit in it, thread replies. */
export function renderSlackAnnouncement(input: {
  notes: ReleaseNotes;
  product: string;
  version: string;
  url: string | null;
}): SlackAnnouncement {
  const { notes } = input;
  const name = `${input.product} ${input.version}`.replace(/\s+/g, ' ').trim() || 'Release';
  const header: SlackBlock = {
    type: 'header',
    text: { type: 'plain_text', text: truncatePlain(name, SLACK_LIMITS.headerText), emoji: true },
  };
  const counts = countParts(notes);
  const summary = summaryText(notes.intro, counts);
  const base: SlackBlock[] = [header, section(summary)];
  const target = input.url === null ? null : mrkdwnUrl(input.url);
  const full = target === null ? '' : `<${target}|Read the release notes>`;
  const link = full.length <= LINK_BUDGET ? full : '';
  if (link) base.push(section(link));
  // The link and the summary (whose intro may quote the link) are budgeted at their limits:
  // planned before the help-centre article exists, the announcement must split into the same
  // messages as when it is posted with the URL.
  const reserve = {
    blocks: link ? 0 : 1,
    chars: LINK_BUDGET - link.length + SLACK_LIMITS.sectionText - summary.length,
  };

  const breaking = notes.breaking.length > 0 ? groupBlocks(breakingGroup(notes.breaking)) : [];
  const list = notes.sections.flatMap((s) => sectionGroups(s).flatMap(groupBlocks));
  const fallback = plainFallback(`${name}: ${counts.map((c) => c.plain).join(', ')}`);

  const all = [...base, ...(breaking.length + list.length > 0 ? [divider] : []), ...breaking, ...list];
  if (fits(all, reserve)) return { top: { text: fallback, blocks: all }, replies: [] };

  const inThread = context('Full list in the thread');
  const withBreaking = [...base, divider, ...breaking, inThread];
  const breakingOnTop = breaking.length > 0 && fits(withBreaking, reserve);
  const top = breakingOnTop ? withBreaking : [...base, inThread];
  const parts = packMessages(breakingOnTop ? list : [...breaking, ...list]);
  return {
    top: { text: fallback, blocks: top },
    replies: parts.map((blocks, i) => ({
      text: plainFallback(`${name}: full list, part ${i + 1} of ${parts.length}`),
      blocks,
    })),
  };
}

/** Checks a message against SLACK_LIMITS; returns the violations (empty when valid). */
export function slackViolations(message: SlackMessage): string[] {
  const violations: string[] = [];
  const { text, blocks } = message;
  if (text.trim() === '') violations.push('text: empty fallback');
  if (text.length > SLACK_LIMITS.fallbackText)
    violations.push(`text: ${text.length} chars > ${SLACK_LIMITS.fallbackText}`);
  if (blocks.length > SLACK_LIMITS.blocks)
    violations.push(`blocks: ${blocks.length} blocks > ${SLACK_LIMITS.blocks}`);
  const bounded = (where: string, value: string, max: number) => {
    if (value.trim() === '') violations.push(`${where}: empty text`);
    if (value.length > max) violations.push(`${where}: ${value.length} chars > ${max}`);
  };
  blocks.forEach((block, i) => {
    const where = `blocks[${i}] ${block.type}`;
    if (block.type === 'header') {
      if (block.text.type !== 'plain_text') violations.push(`${where}: header text must be plain_text`);
      bounded(where, block.text.text, SLACK_LIMITS.headerText);
    } else if (block.type === 'section') bounded(where, block.text.text, SLACK_LIMITS.sectionText);
    else if (block.type === 'context') {
      if (block.elements.length === 0 || block.elements.length > 10)
        violations.push(`${where}: ${block.elements.length} elements, expected 1 to 10`);
      for (const element of block.elements) bounded(where, element.text, SLACK_LIMITS.sectionText);
    }
  });
  const total = messageChars(blocks);
  if (total > SLACK_LIMITS.messageChars)
    violations.push(`message: ${total} chars of block text > ${SLACK_LIMITS.messageChars}`);
  return violations;
}

interface CountPart {
  mrkdwn: string;
  plain: string;
}

/** "⚠️ 2 breaking changes", then "3 features", "1 bug fix" per non-empty section. */
function countParts(notes: ReleaseNotes): CountPart[] {
  const parts: CountPart[] = [];
  const breaking = notes.breaking.length;
  if (breaking > 0) {
    const label = `${WARNING} ${breaking} breaking ${breaking === 1 ? 'change' : 'changes'}`;
    parts.push({ mrkdwn: `*${label}*`, plain: label });
  }
  for (const s of notes.sections) {
    if (s.entries.length === 0) continue;
    const title = truncatePlain(s.title.replace(/\s+/g, ' ').trim(), MAX_TITLE_CHARS);
    const label = `${s.entries.length} ${countNoun(title, s.entries.length)}`;
    parts.push({ mrkdwn: escapeMrkdwn(label), plain: label });
  }
  if (parts.length === 0) parts.push({ mrkdwn: 'No changes in this release.', plain: 'no changes' });
  return parts;
}

/** "Bug fixes" → "bug fixes", or "bug fix" for one; acronyms such as "API" keep their case. */
function countNoun(title: string, count: number): string {
  const lower = title
    .split(' ')
    .map((word) => (/^\p{Lu}\p{Ll}*$/u.test(word) ? word.toLowerCase() : word))
    .join(' ');
  if (count !== 1) return lower;
  if (/[^aeiou]ies$/i.test(lower)) return lower.replace(/ies$/i, 'y');
  if (/(ss|x|ch|sh|z)es$/i.test(lower)) return lower.replace(/es$/i, '');
  if (/[^su]s$/i.test(lower)) return lower.slice(0, -1);
  return lower;
}

/** Intro (if any) above the counts; the intro gives way so the counts always show. */
function summaryText(intro: string | null, counts: CountPart[]): string {
  const line = truncateMrkdwn(counts.map((c) => c.mrkdwn).join(', '), SLACK_LIMITS.sectionText);
  const room = SLACK_LIMITS.sectionText - line.length - 2;
  // The intro is the release manager's own Markdown (`herald edit`): headings and code allowed.
  const text = intro?.trim() && room > 10 ? boundedMrkdwn(intro.trim(), room, markdownToMrkdwn).trim() : '';
  return text ? `${text}\n\n${line}` : line;
}

function breakingGroup(breaking: BreakingChange[]): Group {
  const heading = `*${WARNING} Breaking changes*`;
  const continued = `*${WARNING} Breaking changes (continued)*`;
  const max = SLACK_LIMITS.sectionText - continued.length - 1;
  return { heading, continued, lines: breaking.map((b) => `• ${boundedMrkdwn(b.text.trim(), max - 2)}`) };
}

/** One group per component when the section has them (in their order), else one for the section. */
function sectionGroups(section: NoteSection): Group[] {
  const title = escapeMrkdwn(truncatePlain(section.title.replace(/\s+/g, ' ').trim(), MAX_TITLE_CHARS));
  if (section.components.length === 0) return [group(title, section.entries)].filter(hasLines);
  // Counted by hash so each entry of `section.entries` shows exactly once, whatever the components say.
  const remaining = new Map<string, number>();
  for (const e of section.entries) remaining.set(e.hash, (remaining.get(e.hash) ?? 0) + 1);
  const take = (e: NoteEntry) => {
    const left = remaining.get(e.hash) ?? 0;
    if (left > 0) remaining.set(e.hash, left - 1);
    return left > 0;
  };
  const groups = section.components.map((c) => {
    const component = escapeMrkdwn(truncatePlain(c.component.replace(/\s+/g, ' ').trim(), MAX_TITLE_CHARS));
    return group(`${title} — ${component}`, c.entries.filter(take));
  });
  groups.push(group(title, section.entries.filter(take)));
  return groups.filter(hasLines);
}

function group(title: string, entries: NoteEntry[]): Group {
  const continued = `*${title} (continued)*`;
  const max = SLACK_LIMITS.sectionText - continued.length - 1;
  return { heading: `*${title}*`, continued, lines: entries.map((e) => entryLine(e, max)) };
}

const hasLines = (g: Group) => g.lines.length > 0;

/** "• text (<url|#12>)", one line of at most `max` characters; the text is cut before the link. */
function entryLine(entry: NoteEntry, max: number): string {
  const pr = entry.pullRequest;
  let suffix = '';
  if (pr) {
    const target = pr.url === null ? null : mrkdwnUrl(pr.url);
    const text = escapeLabel(truncatePlain(pr.text, 40));
    suffix = target === null ? ` (${text})` : ` (<${target}|${text}>)`;
    if (suffix.length > max / 4) suffix = '';
  }
  const text = boundedMrkdwn(oneLine(entry.text), max - 2 - suffix.length);
  return `• ${text}${suffix}`;
}

/** Entries are one line, as in the Markdown notes. Split, not `\s*\n\s*`: that backtracks on long runs of spaces. */
function oneLine(text: string): string {
  return text
    .split(/\r\n?|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/** A group's lines packed into section blocks, split only between entries. */
function groupBlocks(g: Group): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  let current = g.heading;
  let entries = 0;
  for (const line of g.lines) {
    if (entries > 0 && current.length + 1 + line.length > SLACK_LIMITS.sectionText) {
      blocks.push(section(current));
      current = g.continued;
      entries = 0;
    }
    current += `\n${line}`;
    entries++;
  }
  blocks.push(section(current));
  return blocks;
}

/** Blocks split, in order, into messages within the block-count and total-text limits. */
function packMessages(blocks: SlackBlock[]): SlackBlock[][] {
  const messages: SlackBlock[][] = [];
  let current: SlackBlock[] = [];
  let chars = 0;
  for (const block of blocks) {
    const n = blockChars(block);
    if (
      current.length > 0 &&
      (current.length >= SLACK_LIMITS.blocks || chars + n > SLACK_LIMITS.messageChars)
    ) {
      messages.push(current);
      current = [];
      chars = 0;
    }
    current.push(block);
    chars += n;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}

function fits(blocks: SlackBlock[], reserve = { blocks: 0, chars: 0 }): boolean {
  return (
    blocks.length + reserve.blocks <= SLACK_LIMITS.blocks &&
    messageChars(blocks) + reserve.chars <= SLACK_LIMITS.messageChars
  );
}

function messageChars(blocks: SlackBlock[]): number {
  return blocks.reduce((sum, b) => sum + blockChars(b), 0);
}

function blockChars(block: SlackBlock): number {
  if (block.type === 'header' || block.type === 'section') return block.text.text.length;
  if (block.type === 'context') return block.elements.reduce((sum, e) => sum + e.text.length, 0);
  return 0;
}

/** The notification fallback: Slack parses `text` as mrkdwn too, so it is escaped like the blocks. */
function plainFallback(text: string): string {
  return truncateMrkdwn(escapeMrkdwn(text.replace(/\s+/g, ' ').trim()), SLACK_LIMITS.fallbackText);
}

const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string): SlackBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const divider: SlackBlock = { type: 'divider' };
