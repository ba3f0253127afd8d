import { CommitParser } from 'conventional-commits-parser';
import type { Change, MergeInfo, Person, RawCommit, Reference } from '../model/index.js';

/**
 * Turns one raw commit into a Change. conventional-commits-parser reads the header only: its
 * reference scanning is quadratic in line length (a long line takes seconds), so references,
 * breaking notes and trailers are read here with linear code over bounded text.
 */

/** Messages are cut here before any interpretation: a 10 MB message must not stall a release. */
export const MAX_MESSAGE_CHARS = 64 * 1024;
/** Headers longer than this are not real headers; cut before the parser and for display. */
export const MAX_HEADER_CHARS = 500;
const MAX_SCAN_LINE = 2000;
const MAX_BODY_CHARS = 2000;

export interface ParseOptions {
  skipMarkers: readonly string[];
  /** Regular-expression sources for tracker keys such as `PROJ-\d+`. */
  keyPatterns: readonly string[];
}

export type CommitParserFn = (raw: RawCommit) => Change;

const headerPattern = /^(\w+)(?:\(([^()]*)\))?!?: (.+)$/;
const breakingHeaderPattern = /^(\w+)(?:\(([^()]*)\))?!: (.+)$/;
const githubMerge = /^Merge pull request #(\d+) from (\S+)/;
const gitlabMerge = /^Merge branch '([^']+)' into '[^']+'$/;
const genericMerge = /^Merge (?:branch|remote-tracking branch|tag|commit|branches) /;
const gitlabMergeRequest = /^See merge request (\S+?)!(\d+)\s*$/;
// Lines that follow a merge subject but are not a PR/MR title.
const notATitle =
  /^(?:See merge request |(?:Signed-off-by|Co-authored-by|Reviewed-by|Approved-by|Merged-by):)/i;
const revertHeader = /^Revert "(.*)"$/;
const revertBody = /This reverts commit ([0-9a-f]{7,40})/;
const squashSuffix = /\s*\(#(\d+)\)$/;
const breakingNote = /^BREAKING[ -]CHANGE(?:\([^)]*\))?\s*:\s*(.*)$/;
const trailerLine = /^([A-Za-z][A-Za-z0-9-]*)(?::\s+|\s+#)(.*)$/;
const issueRef = /(?:^|[^\w/.#-])((?:[\w.-]+\/[\w.-]+)?)#(\d+)\b/g;
const actionWord = /\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b\s*:?\s*/gi;
const coAuthor = /^(.*?)\s*<([^<>\s]+)>\s*$/;

export function createCommitParser(options: ParseOptions): CommitParserFn {
  const parser = new CommitParser({
    headerPattern,
    breakingHeaderPattern,
    headerCorrespondence: ['type', 'scope', 'subject'],
    // Disabled on purpose: done below in linear time.
    issuePrefixes: undefined,
    referenceActions: undefined,
    noteKeywords: undefined,
  });
  const skipMarkers = options.skipMarkers.map((m) => m.toLowerCase());
  const keyPatterns = options.keyPatterns.map((p) => new RegExp(`(?<![\\w-])(?:${p})(?![\\w-])`, 'g'));

  return (raw) => parseCommit(raw, parser, skipMarkers, keyPatterns);
}

function parseCommit(
  raw: RawCommit,
  parser: CommitParser,
  skipMarkers: readonly string[],
  keyPatterns: RegExp[],
): Change {
  const message = cleanMessage(raw.message);
  const lines = message.split('\n');
  const { firstLine, header, index, merge: mergeInHeader } = findHeader(lines, raw.parents);
  const bodyLines = index === -1 ? [] : lines.slice(index + 1);
  const displayHeader = header.length > MAX_HEADER_CHARS ? `${header.slice(0, MAX_HEADER_CHARS)}…` : header;

  const parsed = header ? parser.parse(displayHeader) : null;
  let type = parsed?.type ? parsed.type.toLowerCase() : null;
  const scope = parsed?.scope ? parsed.scope.trim() || null : null;
  let subject = (type ? parsed?.subject : displayHeader) ?? displayHeader;
  const breakingInHeader = type !== null && breakingHeaderPattern.test(displayHeader);
  // A merge whose title is not conventional is not a change of its own.
  if (mergeInHeader && header === firstLine) type = null;

  let pullRequest = mergeInHeader?.id ?? null;
  const squash = squashSuffix.exec(subject);
  if (squash) {
    pullRequest ??= squash[1]!;
    subject = subject.slice(0, squash.index);
  }

  const { trailers, trailerStart } = readTrailers(bodyLines);
  // `feat!:` with a BREAKING CHANGE footer: the footer is the description (conventional commits 1.0).
  const notes = readBreakingNotes(bodyLines);
  const breaking = notes.length > 0 ? notes : breakingInHeader ? [subject.trim()] : [];
  const fullBody = bodyLines.slice(0, trailerStart).join('\n').trim();
  // Bodies are kept short: notes never show them, and 100k commits must fit in memory.
  const body = fullBody.length > MAX_BODY_CHARS ? `${fullBody.slice(0, MAX_BODY_CHARS)}…` : fullBody;

  const requests = mergeRequests(bodyLines);
  const merge =
    mergeInHeader && requests.last !== null
      ? { ...mergeInHeader, provider: 'gitlab' as const, id: requests.last }
      : mergeInHeader;
  pullRequest ??= requests.first;

  const references = readReferences(header, bodyLines, trailerStart, keyPatterns).filter(
    (ref) => !(ref.prefix === '#' && ref.id === pullRequest && ref.repository === null),
  );
  const reverted = readRevert(header, message, type, subject);

  const releaseNote = trailers['release-note']?.join(' ').trim() || null;
  const labels = (trailers.audience ?? []).map((a) => `audience:${a.trim().toLowerCase()}`);
  const lower = message.toLowerCase();
  const skip =
    skipMarkers.some((marker) => lower.includes(marker)) || /^(none|n\/a|-)$/i.test(releaseNote ?? '');

  return {
    hash: raw.hash,
    shortHash: raw.hash.slice(0, 7),
    date: raw.authorDate,
    type: reverted.type,
    scope,
    subject: reverted.subject.trim(),
    header: displayHeader,
    body,
    breaking,
    merge,
    pullRequest,
    references,
    trailers,
    authors: readAuthors(raw, trailers['co-authored-by'] ?? []),
    revert: reverted.revert,
    releaseNote: skip ? null : releaseNote,
    labels,
    skip,
    includes: [],
  };
}

/**
 * The header line and where it is: the first non-empty line, or for a merge commit the PR/MR
 * title on the next non-empty line.
 */
function findHeader(
  lines: string[],
  parents: readonly string[],
): { firstLine: string; header: string; index: number; merge: MergeInfo | null } {
  let index = lines.findIndex((line) => line.trim() !== '');
  const firstLine = index === -1 ? '' : lines[index]!.trim();
  let header = firstLine;
  let merge: MergeInfo | null = null;
  const github = githubMerge.exec(firstLine);
  if (github) merge = { provider: 'github', id: github[1]!, source: github[2]! };
  else if (gitlabMerge.test(firstLine))
    merge = { provider: 'gitlab', id: null, source: gitlabMerge.exec(firstLine)![1]! };
  else if (parents.length > 1 || genericMerge.test(firstLine))
    merge = { provider: 'generic', id: null, source: null };
  if (merge) {
    const next = lines.findIndex((line, i) => i > index && line.trim() !== '');
    if (next !== -1 && !notATitle.test(lines[next]!.trim())) {
      index = next;
      header = lines[next]!.trim();
    }
  }
  return { firstLine, header, index, merge };
}

/** The numbers in GitLab's `See merge request group/project!<n>` lines: the first and the last. */
function mergeRequests(bodyLines: string[]): { first: string | null; last: string | null } {
  let first: string | null = null;
  let last: string | null = null;
  for (const line of bodyLines) {
    const mr = gitlabMergeRequest.exec(line.trim());
    if (mr) {
      first ??= mr[2]!;
      last = mr[2]!;
    }
  }
  return { first, last };
}

/** A revert (`Revert "<header>"`, or type `revert`): what it reverts, and the header it gives the change. */
function readRevert(
  header: string,
  message: string,
  type: string | null,
  subject: string,
): { revert: Change['revert']; type: string | null; subject: string } {
  const revertMatch = revertHeader.exec(header);
  if (!revertMatch && type !== 'revert') return { revert: null, type, subject };
  const hash = revertBody.exec(message.slice(0, MAX_SCAN_LINE * 4));
  const revert = { hash: hash ? hash[1]! : null, header: revertMatch ? revertMatch[1]! : subject };
  return revertMatch ? { revert, type: 'revert', subject: revertMatch[1]! } : { revert, type, subject };
}

/** The author, then each co-author not already listed (by email or name). */
function readAuthors(raw: RawCommit, coAuthors: string[]): Person[] {
  const authors: Person[] = [{ name: raw.authorName, email: raw.authorEmail || null, login: null }];
  for (const value of coAuthors) {
    const match = coAuthor.exec(value);
    const person: Person = match
      ? { name: match[1]! || match[2]!, email: match[2]!, login: null }
      : { name: value, email: null, login: null };
    if (!authors.some((a) => sameEmail(a.email, person.email) || a.name === person.name))
      authors.push(person);
  }
  return authors;
}

/**
 * CRLF to LF, control characters other than tab/newline removed, length bounded. An oversized
 * message keeps its start and its last lines, where footers (breaking changes, references) live.
 */
function cleanMessage(message: string): string {
  let bounded = message;
  if (message.length > MAX_MESSAGE_CHARS) {
    const tail = message.slice(message.length - MAX_MESSAGE_CHARS / 4);
    const tailStart = tail.indexOf('\n');
    bounded = `${message.slice(0, (MAX_MESSAGE_CHARS * 3) / 4)}\n\n${tailStart === -1 ? '' : tail.slice(tailStart + 1)}`;
  }
  return bounded.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** Trailers live in the final paragraph when every line of it has the `Token: value` form. */
function readTrailers(lines: string[]): { trailers: Record<string, string[]>; trailerStart: number } {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  let start = end;
  while (start > 0 && lines[start - 1]!.trim() !== '') start--;
  const trailers: Record<string, string[]> = {};
  if (start === end) return { trailers, trailerStart: lines.length };
  let key: string | null = null;
  for (let i = start; i < end; i++) {
    const line = lines[i]!.slice(0, MAX_SCAN_LINE);
    const match = trailerLine.exec(line) ?? (breakingNote.test(line) ? ['', 'BREAKING CHANGE', ''] : null);
    if (match) {
      key = match[1]!.toLowerCase();
      trailers[key] = [...(trailers[key] ?? []), match[2]!.trim()];
    } else if (key && /^\s/.test(line)) {
      const values = trailers[key]!;
      values[values.length - 1] += ` ${line.trim()}`;
    } else if (key === 'breaking change' || key === 'breaking-change') {
      // Migration text runs on over several lines.
    } else {
      return { trailers: {}, trailerStart: lines.length };
    }
  }
  return { trailers, trailerStart: start };
}

/** `BREAKING CHANGE:` notes anywhere in the body; each runs until the next trailer line. */
function readBreakingNotes(lines: string[]): string[] {
  const notes: string[] = [];
  let current: string[] | null = null;
  for (const rawLine of lines) {
    const line = rawLine.slice(0, MAX_SCAN_LINE);
    const start = breakingNote.exec(line);
    if (start) {
      if (current) notes.push(current.join('\n').trim());
      current = [start[1]!];
    } else if (current && trailerLine.test(line)) {
      notes.push(current.join('\n').trim());
      current = null;
    } else if (current) {
      current.push(line);
    }
  }
  if (current) notes.push(current.join('\n').trim());
  return notes.filter((note) => note !== '');
}

function readReferences(
  header: string,
  body: string[],
  trailerStart: number,
  keyPatterns: RegExp[],
): Reference[] {
  const found = new Map<string, Reference>();
  const add = (ref: Reference) => {
    const key = `${ref.repository ?? ''}${ref.prefix}${ref.id}`;
    const existing = found.get(key);
    if (!existing || (existing.action === null && ref.action !== null)) found.set(key, ref);
  };
  const scan = (rawLine: string, onlyWithAction: boolean) => {
    const line = rawLine.slice(0, MAX_SCAN_LINE);
    const actions: { at: number; word: string }[] = [];
    actionWord.lastIndex = 0;
    for (let m = actionWord.exec(line); m; m = actionWord.exec(line))
      actions.push({ at: m.index, word: m[1]!.toLowerCase() });
    const actionBefore = (at: number) => {
      let action: string | null = null;
      for (const a of actions) if (a.at < at) action = a.word;
      return action;
    };
    issueRef.lastIndex = 0;
    for (let m = issueRef.exec(line); m; m = issueRef.exec(line)) {
      const action = actionBefore(m.index + 1);
      if (onlyWithAction && !action) continue;
      add({ prefix: '#', id: m[2]!, repository: m[1] || null, action });
    }
    for (const pattern of keyPatterns) {
      pattern.lastIndex = 0;
      for (let m = pattern.exec(line); m; m = pattern.exec(line)) {
        const action = actionBefore(m.index);
        if (onlyWithAction && !action) continue;
        const id = m[0];
        add({ prefix: id.replace(/\d+$/, ''), id, repository: null, action });
      }
    }
  };
  scan(header, false);
  for (const [i, line] of body.entries()) scan(line, i < trailerStart);
  return [...found.values()];
}

function sameEmail(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}
