/**
 * Untrusted text (commit subjects, PR titles, names) placed into Markdown. Backslash-escapes what
 * could open raw HTML, a link or an image, or start a block on its own line; keeps `*`, `_` and
 * backticks, which authors use on purpose. Newlines collapse: an entry is one line.
 */
export function escapeMarkdownText(text: string): string {
  return escapeMarkdownInline(text)
    .replace(/^([#>+=|-])/, '\\$1')
    .replace(/^(\d+)([.)])(\s)/, '$1\\$2$3');
}

/** Like escapeMarkdownText, for text that never starts a line (link texts such as `#12`). */
export function escapeMarkdownInline(text: string): string {
  return collapseLineBreaks(text)
    .replace(/[\\<>[\]]/g, (c) => `\\${c}`)
    .replace(/!(?=\\\[)/g, '\\!');
}

/**
 * Each run of line breaks, with the whitespace around it, becomes one space: what the regex
 * "whitespace, line breaks, whitespace" replaced by a space did, in linear time. That regex is
 * quadratic on long runs of spaces, which a hostile commit message can contain.
 */
export function collapseLineBreaks(text: string): string {
  if (!/[\r\n]/.test(text)) return text;
  const parts = text.split(/[\r\n]/);
  const last = parts.length - 1;
  return parts
    .map((part, i) => (i === 0 ? part.trimEnd() : i === last ? part.trimStart() : part.trim()))
    .filter((part, i) => i === 0 || i === last || part !== '')
    .join(' ');
}

/** Multi-line untrusted text (breaking-change migration notes): escaped per line, line breaks kept. */
export function escapeMarkdownBlock(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/[\\<>[\]]/g, (c) => `\\${c}`))
    .join('\n');
}

/** A URL placed in `(…)` of a Markdown link: only http(s), with parentheses and spaces encoded. */
export function markdownUrl(url: string | null): string | null {
  if (url === null || !/^https?:\/\//i.test(url)) return null;
  return url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
