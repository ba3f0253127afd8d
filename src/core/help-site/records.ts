import { normaliseLocale } from '../locale.js';

// The static help centre's records: one JSON file per article and per section, as stored and
// as read back (anything unreadable is skipped, never trusted), and how they sort.

export interface TranslationRecord {
  title: string;
  body: string;
  draft: boolean;
  updatedAt: number;
}

export interface AttachmentRecord {
  fileName: string;
  contentType: string;
  /** Relative to the site directory (`attachments/<articleId>/<hash>-<name>`). */
  path: string;
  sha256: string;
  size: number;
}

export interface ArticleRecord {
  id: string;
  sectionId: string;
  sourceLocale: string;
  labels: string[];
  /** The source translation's draft flag (as Zendesk has it): a draft article appears nowhere. */
  draft: boolean;
  archived: boolean;
  position: number | null;
  createdAt: number;
  publishedAt: number;
  translations: Record<string, TranslationRecord>;
  attachments: AttachmentRecord[];
}

export interface SectionRecord {
  id: string;
  name: string;
  locale: string;
  position: number | null;
}

/** What an index lists for an article: the translation readers see first, and its page. */
export interface Listed {
  record: ArticleRecord;
  translation: TranslationRecord;
  /** Page path relative to the site root. */
  page: string;
}

export const RELEASE_NOTES_LABEL = 'release-notes';
export const ARTICLE_ID = /^[0-9a-f]{12}$/;
export const SECTION_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A locale as stored: already in the one form core's `normaliseLocale` gives. */
export const isLocaleTag = (text: string): boolean => normaliseLocale(text) === text;

/** An article file as stored, or null when it is not one (hand-edited, other tool): it is skipped. */
export function parseArticle(value: unknown, id: string): ArticleRecord | null {
  const record = value as Partial<ArticleRecord> | null;
  if (
    record === null ||
    typeof record !== 'object' ||
    record.id !== id ||
    !ARTICLE_ID.test(id) ||
    typeof record.sectionId !== 'string' ||
    !SECTION_ID.test(record.sectionId) ||
    typeof record.sourceLocale !== 'string' ||
    !isLocaleTag(record.sourceLocale) ||
    typeof record.translations !== 'object' ||
    record.translations === null
  ) {
    return null;
  }
  const translations: Record<string, TranslationRecord> = {};
  for (const [locale, entry] of Object.entries(record.translations as Record<string, unknown>)) {
    const translation = entry as Partial<TranslationRecord> | null;
    if (
      isLocaleTag(locale) &&
      typeof translation?.title === 'string' &&
      typeof translation.body === 'string'
    ) {
      translations[locale] = {
        title: translation.title,
        body: translation.body,
        draft: translation.draft === true,
        updatedAt: typeof translation.updatedAt === 'number' ? translation.updatedAt : 0,
      };
    }
  }
  return {
    id,
    sectionId: record.sectionId,
    sourceLocale: record.sourceLocale,
    labels: Array.isArray(record.labels) ? record.labels.filter((l) => typeof l === 'string') : [],
    draft: record.draft === true,
    archived: record.archived === true,
    position: typeof record.position === 'number' ? record.position : null,
    createdAt: typeof record.createdAt === 'number' ? record.createdAt : 0,
    publishedAt: typeof record.publishedAt === 'number' ? record.publishedAt : 0,
    translations,
    attachments: Array.isArray(record.attachments) ? record.attachments : [],
  };
}

export function parseSection(value: unknown, id: string): SectionRecord | null {
  const record = value as Partial<SectionRecord> | null;
  if (
    record === null ||
    typeof record !== 'object' ||
    record.id !== id ||
    !SECTION_ID.test(id) ||
    typeof record.name !== 'string'
  ) {
    return null;
  }
  return {
    id,
    name: record.name,
    locale: typeof record.locale === 'string' && isLocaleTag(record.locale) ? record.locale : 'en',
    position: typeof record.position === 'number' ? record.position : null,
  };
}

/** Index renders only need bodies for the feed: other articles are cached without them. */
export function summaryOf(record: ArticleRecord): ArticleRecord {
  if (record.labels.includes(RELEASE_NOTES_LABEL)) return record;
  const translations: Record<string, TranslationRecord> = {};
  for (const [locale, translation] of Object.entries(record.translations)) {
    translations[locale] = { ...translation, body: '' };
  }
  return { ...record, translations };
}

/** Positioned first, in order; unpositioned last. */
export function comparePosition(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function collatorFor(locale: string): Intl.Collator {
  try {
    return new Intl.Collator(locale, { numeric: true, sensitivity: 'base' });
  } catch {
    return new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  }
}

/** `a–z0–9-` only, at most 60 characters; `section` when nothing is left. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
  return slug || 'section';
}

export function safeFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const safe = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(-100);
  return safe || 'file';
}
