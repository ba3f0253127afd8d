/**
 * Input shapes on which the Markdown parser (micromark) needs more than linear time, found by
 * linear scans before parsing so a hostile page is refused with its line instead of stalling the
 * build. Measured on micromark 4: 1,000 nested list levels take 30 s; one paragraph of 20,000
 * `*a` takes about 8 s and grows with the square of its length; 50,000 `[` take several seconds.
 * Real documents stay far below these limits.
 */

const MAX_INDENT_COLUMNS = 256;
const MAX_QUOTE_DEPTH = 64;
/** Runs of `*` or `_` in one paragraph (each is an emphasis opener or closer to match). */
const MAX_EMPHASIS_RUNS = 1_000;
/**
 * The time per paragraph grows with the square of its runs: the page's sum of squares is capped
 * too (a thousand paragraphs of 100 runs pass, five of 1,000 do not).
 */
const MAX_EMPHASIS_WORK = 4_000_000;
/** `[` in one paragraph (each is a link label start to match). */
const MAX_BRACKETS = 1_000;

export interface Complexity {
  line: number;
  ruleId: 'too-deep' | 'too-complex';
  message: string;
}

export function findExcessiveComplexity(text: string): Complexity | null {
  const deep = findExcessiveNesting(text);
  if (deep !== null)
    return {
      line: deep,
      ruleId: 'too-deep',
      message:
        'content is nested too deeply to compile (over 64 quote levels or 256 columns of list indentation)',
    };
  return findDelimiterFlood(text);
}

function findExcessiveNesting(text: string): number | null {
  let line = 1;
  let column = 0;
  let quotes = 0;
  let atStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      column = 0;
      quotes = 0;
      atStart = true;
      continue;
    }
    if (!atStart) continue;
    if (c === 32) column++;
    else if (c === 9) column += 4 - (column % 4);
    else if (c === 62) quotes++;
    else atStart = false;
    if (column > MAX_INDENT_COLUMNS || quotes > MAX_QUOTE_DEPTH) return line;
  }
  return null;
}

/**
 * Counts emphasis delimiter runs and `[` per paragraph (text between blank lines), outside fenced
 * code, where micromark does not look for them; names the line where a limit is passed.
 */
function findDelimiterFlood(text: string): Complexity | null {
  let runs = 0;
  let brackets = 0;
  let work = 0;
  let line = 1;
  let fence: string | null = null;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const content = text.slice(lineStart, lineEnd);
    const trimmed = content.trimStart();
    const marker = /^(`{3,}|~{3,})/.exec(trimmed)?.[1] ?? null;
    if (fence !== null) {
      if (marker !== null && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    } else if (marker !== null) {
      fence = marker;
    } else if (trimmed === '') {
      work += runs * runs;
      runs = 0;
      brackets = 0;
    } else {
      let previous = '';
      for (const c of content) {
        if ((c === '*' || c === '_') && c !== previous) runs++;
        else if (c === '[') brackets++;
        previous = c;
      }
      if (runs > MAX_EMPHASIS_RUNS)
        return tooComplex(line, `paragraph has over ${MAX_EMPHASIS_RUNS} runs of * or _`);
      if (brackets > MAX_BRACKETS) return tooComplex(line, `paragraph has over ${MAX_BRACKETS} [ brackets`);
      if (work + runs * runs > MAX_EMPHASIS_WORK)
        return tooComplex(line, 'page has too many runs of * or _ in long paragraphs');
    }
    line++;
    lineStart = lineEnd + 1;
  }
  return null;
}

function tooComplex(line: number, what: string): Complexity {
  return {
    line,
    ruleId: 'too-complex',
    message: `${what}: the Markdown parser's time grows with the square of such input; split the paragraph or put it in a code block`,
  };
}
