import type { NoteEntry, NoteSection, ReleaseNotes } from '../model/index.js';
import { normaliseLocale } from './locale.js';
import { mrkdwnToHtml } from './slack-html.js';
import { markdownToMrkdwn, untrustedMarkdownToMrkdwn } from './slack-message.js';

/**
 * The words of a release email in one language, from `templates/email/<language>.json`. `{product}`
 * and `{topics}` in a value are replaced by the product name and the subscriber's topics.
 */
export interface EmailWords {
  whatsNew: string;
  breaking: string;
  readMore: string;
  why: string;
  topics: string;
  unsubscribe: string;
}

export const EMAIL_WORD_KEYS: readonly (keyof EmailWords)[] = [
  'whatsNew',
  'breaking',
  'readMore',
  'why',
  'topics',
  'unsubscribe',
];

/**
 * Checks a words file's parsed JSON: an object of strings, every key known. Returns the problems
 * (empty: fine); `complete` also wants every key (the last file of a language chain).
 */
export function checkEmailWords(value: unknown, complete: boolean): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return ['must be a JSON object of words, e.g. {"readMore": "Read the release notes"}'];
  const problems: string[] = [];
  const known = new Set<string>(EMAIL_WORD_KEYS);
  for (const [key, word] of Object.entries(value)) {
    if (!known.has(key)) problems.push(`unknown word "${key}" (known: ${EMAIL_WORD_KEYS.join(', ')})`);
    else if (typeof word !== 'string') problems.push(`"${key}" must be a string`);
  }
  if (complete) for (const key of EMAIL_WORD_KEYS) if (!(key in value)) problems.push(`"${key}" is missing`);
  return problems;
}

/**
 * The languages to look for, most specific first: `de-AT` → `de-at`, `de`, then English, which
 * every email falls back to.
 */
export function localeChain(locale: string | null): string[] {
  const tag = locale === null ? null : normaliseLocale(locale);
  return [...new Set([...(tag ? [tag, tag.split('-')[0]!] : []), 'en'])];
}

/**
 * The notes a subscriber of `topics` gets: entries (and breaking changes) of those components
 * only; null when nothing in the release touches them (no email then).
 */
export function notesForTopics(notes: ReleaseNotes, topics: string[] | 'all'): ReleaseNotes | null {
  if (topics === 'all') return notes.counts.entries + notes.breaking.length > 0 ? notes : null;
  const wanted = new Set(topics.map((t) => t.toLowerCase()));
  const keep = (entry: NoteEntry) => entry.component !== null && wanted.has(entry.component.toLowerCase());
  const sections: NoteSection[] = notes.sections
    .map((s) => ({
      ...s,
      entries: s.entries.filter(keep),
      components: s.components
        .filter((c) => wanted.has(c.component.toLowerCase()))
        .map((c) => ({ ...c, entries: c.entries.filter(keep) })),
    }))
    .filter((s) => s.entries.length > 0);
  const breaking = notes.breaking.filter((b) => keep(b.entry));
  const entries = sections.reduce((n, s) => n + s.entries.length, 0);
  if (entries + breaking.length === 0) return null;
  return { ...notes, sections, breaking, counts: { ...notes.counts, entries, breaking: breaking.length } };
}

/** A piece of untrusted text, ready for either part: `text` plain, `html` safe markup. */
export interface EmailText {
  text: string;
  html: string;
}

/**
 * What the email templates (`templates/email/subject.hbs`, `text.hbs`, `html.hbs`) are rendered
 * with. Every `html` field is markup Herald built from escaped text (in the HTML template:
 * `{{{html}}}`); every other string is plain text (`{{…}}` escapes it there).
 */
export interface EmailView {
  product: string;
  /** The monorepo package released, null for a release of the product itself. */
  package: string | null;
  version: string;
  /** `package version` for a package's release, else `product version`. */
  title: string;
  /** The subscriber's language, e.g. `de` (`en` without a locale). */
  language: string;
  /** The release-notes article, when the help centre has one (http(s) only). */
  url: string | null;
  unsubscribeUrl: string;
  intro: EmailText | null;
  breaking: { title: string; entries: EmailText[] } | null;
  sections: { title: string; entries: EmailText[] }[];
  /** The subscriber's topics, comma-separated; null when they follow everything. */
  topics: string | null;
  /** This language's words, `{product}` and `{topics}` filled in. */
  words: EmailWords;
  counts: { entries: number; breaking: number };
}

/** The release manager's intro → safe HTML: only links, code, emphasis and lists Herald builds. */
const introHtml = (markdown: string) => mrkdwnToHtml(markdownToMrkdwn(markdown));
/**
 * Text from commits → safe HTML: links (never one whose text names another site), code and
 * emphasis; no headings or code blocks; a bare URL stays text.
 */
const untrustedHtml = (markdown: string) => mrkdwnToHtml(untrustedMarkdownToMrkdwn(markdown));
/** A URL for an attribute: http(s) only, anything else is no link. */
const safeUrl = (url: string | null) => (url && /^https?:\/\/[^\s"<>]+$/i.test(url) ? url : null);
/** One line of plain text (a list item): inner line breaks become spaces. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/**
 * The view one subscriber's email is rendered from; null when the release has nothing for their
 * topics. Every piece of text from commits is escaped for the HTML part; links only to http(s).
 */
export function emailView(input: {
  notes: ReleaseNotes;
  topics: string[] | 'all';
  product: string;
  /** The monorepo package released ('' or absent: the product itself). */
  package?: string | null | undefined;
  version: string;
  url: string | null;
  unsubscribeUrl: string;
  locale: string | null;
  words: EmailWords;
}): EmailView | null {
  const notes = notesForTopics(input.notes, input.topics);
  if (!notes) return null;
  const topics = input.topics === 'all' ? null : input.topics.join(', ');
  const fill = (word: string) =>
    word.replaceAll('{product}', input.product).replaceAll('{topics}', topics ?? '');
  const words = Object.fromEntries(
    EMAIL_WORD_KEYS.map((key) => [key, fill(input.words[key])]),
  ) as unknown as EmailWords;
  const entry = (text: string): EmailText => ({ text: oneLine(text), html: untrustedHtml(oneLine(text)) });
  const footer = (text: string): EmailText => ({ text: oneLine(text), html: untrustedHtml(text.trim()) });
  const intro = notes.intro?.trim();
  return {
    product: input.product,
    package: input.package || null,
    version: input.version,
    title: `${input.package || input.product} ${input.version}`,
    language: localeChain(input.locale)[0]!.split('-')[0]!,
    url: safeUrl(input.url),
    unsubscribeUrl: input.unsubscribeUrl,
    intro: intro ? { text: intro, html: introHtml(intro) } : null,
    breaking:
      notes.breaking.length > 0
        ? { title: words.breaking, entries: notes.breaking.map((b) => footer(b.text)) }
        : null,
    sections: notes.sections.map((s) => ({ title: s.title, entries: s.entries.map((e) => entry(e.text)) })),
    topics,
    words,
    counts: { entries: notes.counts.entries, breaking: notes.breaking.length },
  };
}
