/**
 * Reads the "Release note" section of a pull/merge request description. Descriptions are
 * untrusted and unbounded, so the text is capped first and every step below is a single pass:
 * no regular expression here can backtrack over more than one line.
 */

/** Bodies are cut here before any work: a 5 MB description must not stall a release. */
const MAX_BODY_CHARS = 64 * 1024;

const releaseNoteTitle = /^release[ -]notes?:?$/i;
const emptyNote = /^(none|n\/a|-)\.?$/i;
const setextUnderline = /^ {0,3}(=+|-+)[ \t]*$/;
const fenceOpening = /^ {0,3}(`{3,}|~{3,})/;
const blockOpening = /^ {0,3}([-*+>]|\d{1,9}[.)])(\s|$)/;
const thematicBreak = /^ {0,3}[-*_][-*_ \t]*$/;

/** The section's text, or null when there is none, it is empty, or it says "none"/"n/a"/"-". */
export function extractReleaseNoteSection(body: string | null): string | null {
  if (!body) return null;
  const lines = stripHtmlComments(body.slice(0, MAX_BODY_CHARS)).split(/\r\n?|\n/);
  const kept: string[] = [];
  let collecting = false;
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = fenceOpening.exec(line)?.[1];
    if (marker) {
      // Fence lines are dropped; `#` lines inside a fence are code, not headings.
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker)
        fence = null;
      continue;
    }
    if (fence === null) {
      const setext = isSetextHeading(lines, i);
      const heading = atxHeadingText(line) ?? (setext ? line.trim() : null);
      if (heading !== null) {
        if (collecting) break;
        collecting = releaseNoteTitle.test(heading);
        if (setext) i++;
        continue;
      }
    }
    if (collecting) kept.push(line);
  }
  const text = kept.join('\n').trim();
  return text === '' || emptyNote.test(text) ? null : text;
}

/** Removes `<!-- … -->`; an unclosed comment hides the rest, as it does when rendered. */
function stripHtmlComments(text: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const start = text.indexOf('<!--', from);
    if (start === -1) return out + text.slice(from);
    out += text.slice(from, start);
    const end = text.indexOf('-->', start + 4);
    if (end === -1) return out;
    from = end + 3;
  }
}

/** The text of an ATX heading (`## Title ##`), or null when the line is not one. */
function atxHeadingText(line: string): string | null {
  let i = 0;
  while (i < 3 && line[i] === ' ') i++;
  let level = 0;
  while (line[i + level] === '#') level++;
  if (level === 0 || level > 6) return null;
  const rest = line.slice(i + level);
  if (rest !== '' && rest[0] !== ' ' && rest[0] !== '\t') return null;
  const text = rest.trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0) return '';
  if (end < text.length && (text[end - 1] === ' ' || text[end - 1] === '\t'))
    return text.slice(0, end).trimEnd();
  return text;
}

/** A non-blank paragraph line underlined with `===` or `---`. */
function isSetextHeading(lines: readonly string[], index: number): boolean {
  const line = lines[index]!;
  const next = lines[index + 1];
  if (next === undefined || line.trim() === '' || !setextUnderline.test(next)) return false;
  // Lines that open another block cannot be a setext heading's text.
  return !blockOpening.test(line) && !thematicBreak.test(line) && !/^( {4}|\t)/.test(line);
}
