import type { NoteEntry, NoteSection, ReleaseNotes } from '../model/index.js';
import { headerText } from './email-address.js';
import { escapeHtml } from './html-text.js';
import { mrkdwnToHtml } from './slack-html.js';
import { markdownToMrkdwn } from './slack-message.js';

/** The words of a release email, per language (the subscriber's locale, else English). */
interface EmailStrings {
  subject: (product: string, version: string) => string;
  breaking: string;
  readMore: string;
  why: (product: string) => string;
  topics: (topics: string) => string;
  unsubscribe: string;
}

const STRINGS: Record<string, EmailStrings> = {
  en: {
    subject: (product, version) => `${product} ${version}: what's new`,
    breaking: 'Breaking changes',
    readMore: 'Read the release notes',
    why: (product) => `You get this email because you follow the ${product} release notes.`,
    topics: (topics) => `Only changes to: ${topics}.`,
    unsubscribe: 'Unsubscribe',
  },
  de: {
    subject: (product, version) => `${product} ${version}: Neuigkeiten`,
    breaking: 'Inkompatible Änderungen',
    readMore: 'Versionshinweise lesen',
    why: (product) =>
      `Sie erhalten diese E-Mail, weil Sie die Versionshinweise zu ${product} abonniert haben.`,
    topics: (topics) => `Nur Änderungen an: ${topics}.`,
    unsubscribe: 'Abmelden',
  },
};

export const EMAIL_LOCALES = Object.keys(STRINGS);

function stringsFor(locale: string | null): EmailStrings {
  const language = (locale ?? 'en').toLowerCase().split('-')[0]!;
  return STRINGS[language] ?? STRINGS.en!;
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

export interface ReleaseEmail {
  subject: string;
  text: string;
  html: string;
}

/** Untrusted Markdown (an entry, an intro) → safe HTML: only links, code and emphasis Herald builds. */
const inlineHtml = (markdown: string) => mrkdwnToHtml(markdownToMrkdwn(markdown));
/** A URL for an attribute: http(s) only, anything else is no link. */
const safeUrl = (url: string | null) => (url && /^https?:\/\/[^\s"<>]+$/i.test(url) ? url : null);

/**
 * One subscriber's release email: subject, plain text and HTML (inline styles, no images, no
 * colours that fail in dark mode). Null when the release has nothing for their topics. Every
 * piece of text from commits is escaped; links only to http(s).
 */
export function renderReleaseEmail(input: {
  notes: ReleaseNotes;
  topics: string[] | 'all';
  product: string;
  version: string;
  /** The release-notes article, when the help centre has one. */
  url: string | null;
  unsubscribeUrl: string;
  locale: string | null;
}): ReleaseEmail | null {
  const notes = notesForTopics(input.notes, input.topics);
  if (!notes) return null;
  const words = stringsFor(input.locale);
  const title = `${input.product} ${input.version}`;
  const url = safeUrl(input.url);
  const topics = input.topics === 'all' ? null : input.topics.join(', ');

  const text: string[] = [title, '='.repeat(Math.min(title.length, 60)), ''];
  if (notes.intro) text.push(notes.intro.trim(), '');
  const html: string[] = [
    `<h1 style="font-size:22px;margin:0 0 12px">${escapeHtml(title)}</h1>`,
    ...(notes.intro ? [`<p style="margin:0 0 12px">${inlineHtml(notes.intro.trim())}</p>`] : []),
  ];
  const list = (heading: string, entries: string[]) => {
    text.push(heading, ...entries.map((e) => `- ${e.replace(/\s*\n\s*/g, ' ')}`), '');
    html.push(
      `<h2 style="font-size:17px;margin:18px 0 6px">${escapeHtml(heading)}</h2>`,
      `<ul style="margin:0;padding-left:20px">${entries.map((e) => `<li style="margin:2px 0">${inlineHtml(e)}</li>`).join('')}</ul>`,
    );
  };
  if (notes.breaking.length > 0)
    list(
      `⚠ ${words.breaking}`,
      notes.breaking.map((b) => b.text),
    );
  for (const section of notes.sections)
    list(
      section.title,
      section.entries.map((e) => e.text),
    );
  if (url) {
    text.push(`${words.readMore}: ${url}`, '');
    html.push(
      `<p style="margin:18px 0"><a href="${escapeHtml(url)}" style="color:#1a66c8">${escapeHtml(words.readMore)}</a></p>`,
    );
  }
  const footer = [words.why(input.product), ...(topics ? [words.topics(topics)] : [])].join(' ');
  text.push('--', footer, `${words.unsubscribe}: ${input.unsubscribeUrl}`);
  html.push(
    `<hr style="border:0;border-top:1px solid #8884;margin:24px 0 12px">`,
    `<p style="font-size:13px;opacity:.8;margin:0">${escapeHtml(footer)} <a href="${escapeHtml(input.unsubscribeUrl)}" style="color:#1a66c8">${escapeHtml(words.unsubscribe)}</a></p>`,
  );
  return {
    subject: headerText(words.subject(input.product, input.version), 150),
    text: `${text.join('\n')}\n`,
    html: `<!doctype html><html lang="${escapeHtml((input.locale ?? 'en').split('-')[0]!)}"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"><title>${escapeHtml(title)}</title></head><body style="margin:0;padding:16px;font:15px/1.5 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">${html.join('\n')}</body></html>\n`,
  };
}
