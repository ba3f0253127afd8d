import type { SubscriberInput } from '../model/index.js';
import { cleanName, MAX_NAME, normaliseEmail } from './email-address.js';
import { normaliseLocale } from './locale.js';

/** BCP 47 asks implementations to handle language tags of at least 35 characters: no more is kept. */
export const MAX_LOCALE = 35;
/** Topics one subscriber may pick, and the longest topic name. */
export const MAX_TOPICS = 50;
export const MAX_TOPIC = 100;

/** A subscriber's language tag (`pt_BR` → `pt-br`), or null when it is none or longer than MAX_LOCALE. */
export function subscriberLocale(text: string): string | null {
  const locale = normaliseLocale(text);
  return locale !== null && locale.length <= MAX_LOCALE ? locale : null;
}

/**
 * Cells a spreadsheet would run as a formula start with `=`, `+`, `-`, `@`, a tab or a carriage
 * return (OWASP, CSV Injection): an export prefixes those with `'`, which spreadsheets show as
 * text. Cells already starting with `'`s before such a character get one more, so that
 * `unneutraliseCell` (one `'` fewer before such a character) gives back exactly what was stored.
 */
const FORMULA = /^'*[=+\-@\t\r]/;

export function neutraliseCell(value: string): string {
  return FORMULA.test(value) ? `'${value}` : value;
}

export function unneutraliseCell(value: string): string {
  return value.startsWith("'") && FORMULA.test(value) ? value.slice(1) : value;
}

/** One refused row: where it is and what is wrong with it. */
export interface ImportProblem {
  line: number;
  message: string;
  /** False for a note (a column ignored, a later duplicate that wins): the row still counts. */
  refused: boolean;
}

/**
 * RFC 4180 CSV → rows with their line numbers (a quoted field may span lines; the number is the
 * line the row starts on). Linear in the input; a missing closing quote is a problem, not a hang.
 */
export function parseCsv(text: string): {
  rows: { line: number; fields: string[] }[];
  problems: ImportProblem[];
} {
  const rows: { line: number; fields: string[] }[] = [];
  const problems: ImportProblem[] = [];
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let broken = false;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote === -1) {
            problems.push({ line: start, message: 'a quoted field is never closed', refused: true });
            broken = true;
            field += text.slice(i);
            i = text.length;
            break;
          }
          const chunk = text.slice(i, quote);
          line += chunk.split('\n').length - 1;
          field += chunk;
          i = quote + 1;
          if (text[i] === '"') {
            field += '"';
            i++;
          } else break;
        }
      }
      const end = /[,\r\n]/g;
      end.lastIndex = i;
      const match = end.exec(text);
      const stop = match ? match.index : text.length;
      field += text.slice(i, stop);
      fields.push(field);
      i = stop;
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      line++;
      break;
    }
    // A row whose quote never closes swallowed the rest of the file: reported above, never imported.
    if (!broken && !(fields.length === 1 && fields[0]!.trim() === '')) rows.push({ line: start, fields });
  }
  return { rows, problems };
}

/** Untrusted text quoted in a problem message: no escapes or controls reach the terminal. */
function printable(text: string, max: number): string {
  return cleanName(text.slice(0, max)) ?? '';
}

/**
 * Import rows (a header row naming `email` and optionally `name`, `locale`, `topics`) →
 * subscribers, every bad row reported with its line. Topics are separated by `;` or `|`; empty
 * or `all` means every change. `knownTopics` (the components of the scope mapping), when given,
 * is what topics may name.
 */
export function readSubscriberRows(
  text: string,
  source: string,
  knownTopics: readonly string[] | null,
): { subscribers: SubscriberInput[]; problems: ImportProblem[] } {
  const { rows, problems } = parseCsv(text);
  const [header, ...data] = rows;
  // A file without a usable header is refused whole, with that one problem.
  const refuse = (line: number, message: string) => ({
    subscribers: [],
    problems: [{ line, message, refused: true }],
  });
  if (!header) return refuse(1, 'the file is empty: it needs a header row with "email"');
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  if (!columns.includes('email'))
    return refuse(
      header.line,
      `the header row has no "email" column (it has: ${columns.map((c) => printable(c, 40)).join(', ')})`,
    );
  const unknownColumns = columns.filter((c) => !['email', 'name', 'locale', 'topics', ''].includes(c));
  if (unknownColumns.length > 0)
    problems.push({
      line: header.line,
      message: `ignored columns: ${unknownColumns.map((c) => printable(c, 40)).join(', ')}`,
      refused: false,
    });
  const known = knownTopics ? new Map(knownTopics.map((t) => [t.toLowerCase(), t])) : null;
  const seen = new Map<string, number>();
  const subscribers: SubscriberInput[] = [];
  for (const row of data) {
    if (row.fields.length !== columns.length) {
      problems.push({
        line: row.line,
        message: `${row.fields.length} fields, but the header has ${columns.length}`,
        refused: true,
      });
      continue;
    }
    const subscriber = readRow(row.fields, columns, known, source);
    if (typeof subscriber === 'string') {
      problems.push({ line: row.line, message: subscriber, refused: true });
      continue;
    }
    const previous = seen.get(subscriber.email);
    if (previous !== undefined)
      problems.push({
        line: row.line,
        message: `${subscriber.email} is also on line ${previous}: this row wins`,
        refused: false,
      });
    seen.set(subscriber.email, row.line);
    subscribers.push(subscriber);
  }
  return { subscribers, problems };
}

/** One data row as a subscriber, or why it is refused. */
function readRow(
  fields: string[],
  columns: string[],
  known: Map<string, string> | null,
  source: string,
): SubscriberInput | string {
  const field = (name: string) =>
    columns.indexOf(name) === -1 ? '' : unneutraliseCell((fields[columns.indexOf(name)] ?? '').trim());
  const email = normaliseEmail(field('email'));
  if (!email) return `"${printable(field('email'), 80)}" is not an email address`;
  const given = field('locale');
  const locale = given ? subscriberLocale(given) : null;
  if (given && !locale)
    return normaliseLocale(given)
      ? `the locale has ${given.length} characters; a language tag here has at most ${MAX_LOCALE}`
      : `"${printable(given.toLowerCase().replace(/_/g, '-'), 40)}" is not a locale (e.g. en, de, pt-br)`;
  const name = field('name');
  if (name.length > MAX_NAME) return `the name has ${name.length} characters; at most ${MAX_NAME} are kept`;
  const topics = readTopics(field('topics'), known);
  if (typeof topics === 'object' && 'refused' in topics) return topics.refused;
  return { email, name: cleanName(name), locale: locale || null, topics, source };
}

/** A row's topics: `all` (none given, or `all` among them), the known names sorted, or why they are refused. */
function readTopics(cell: string, known: Map<string, string> | null): string[] | 'all' | { refused: string } {
  const names = cell
    .split(/[;|]/)
    .map((t) => t.trim())
    .filter(Boolean);
  const tooLong = names.find((t) => t.length > MAX_TOPIC);
  if (tooLong !== undefined)
    return { refused: `the topic "${printable(tooLong, 40)}…" is longer than ${MAX_TOPIC} characters` };
  if (names.length > MAX_TOPICS) return { refused: `${names.length} topics; at most ${MAX_TOPICS}` };
  if (names.length === 0 || names.some((t) => t.toLowerCase() === 'all')) return 'all';
  const unknown = known ? names.filter((t) => !known.has(t.toLowerCase())) : [];
  if (unknown.length > 0)
    return {
      refused: `unknown topic ${unknown.map((t) => `"${printable(t, 40)}"`).join(', ')} (known: ${[...(known?.values() ?? [])].join(', ')}, or all)`,
    };
  return [...new Set(names.map((t) => known?.get(t.toLowerCase()) ?? t))].sort();
}
