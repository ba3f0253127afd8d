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
import {
  boundedMrkdwn,
  escapeLabel,
  escapeMrkdwn,
  markdownToMrkdwn,
  mrkdwnUrl,
  truncateMrkdwn,
  truncatePlain,
} from './slack-mrkdwn.js';

export { escapeMrkdwn, markdownToMrkdwn, untrustedMarkdownToMrkdwn } from './slack-mrkdwn.js';

export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  blocks: 50,
  fallbackText: 4000,
  /** Conservative total of block text per message: Slack rejects ~13.2k (msg_blocks_too_long). */
  messageChars: 12000,
} as const;

export type { SlackAnnouncement, SlackBlock, SlackMessage } from '../model/index.js';

const MAX_TITLE_CHARS = 200;
/** Characters the help-centre link block may take (a longer URL is left out). */
export const LINK_BUDGET = 1000;
const WARNING = '⚠️';

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
