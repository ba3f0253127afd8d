import { articleHtml, indexPages, type SiteIdentity, type SiteText } from './pages.js';
import {
  type ArticleRecord,
  collatorFor,
  comparePosition,
  compareText,
  type Listed,
  RELEASE_NOTES_LABEL,
  type SectionRecord,
} from './records.js';

export type { SiteIdentity } from './pages.js';

// The static help centre's pages from its records: records in, files (path → content) out. No
// disk: the adapter reads the records and writes what this returns.

export interface SiteRendererOptions {
  /** Product name, e.g. 'Acme Cloud'. */
  product: string;
  /** A locale as core's `normaliseLocale` gives it. */
  defaultLocale: string;
  /** Absolute URL prefix of the site as readers reach it, ending in '/'. */
  baseUrl: string;
  /** The feed entry id of an article: a name-based UUID under the site's id (RFC 4122 version 5). */
  feedEntryId: (siteId: string, articleId: string) => string;
}

export type SiteRenderer = ReturnType<typeof createSiteRenderer>;

/**
 * The renderer keeps one thing between calls: the last order of the listed articles, so that
 * sorting nearly sorted input stays linear.
 */
export function createSiteRenderer(options: SiteRendererOptions) {
  const { product, defaultLocale, baseUrl } = options;
  const collator = collatorFor(defaultLocale);
  const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });
  const pageOf = (id: string, locale: string) =>
    locale === defaultLocale ? `articles/${id}.html` : `${locale}/articles/${id}.html`;

  const text: SiteText = {
    product,
    defaultLocale,
    baseUrl,
    dateFormat,
    feedEntryId: options.feedEntryId,
    pageOf,
  };
  /** Last sorted order of listed article ids: nearly sorted input keeps each sort linear. */
  let listingOrder: string[] = [];

  /** The pages of an article: one per visible translation, and the pages to remove (the others). */
  function articlePages(record: ArticleRecord, section: SectionRecord | null) {
    const visible = visibleLocales(record);
    const stale = new Set(
      [defaultLocale, ...Object.keys(record.translations)].map((l) => pageOf(record.id, l)),
    );
    const files = new Map<string, string>();
    for (const locale of visible) {
      const page = pageOf(record.id, locale);
      stale.delete(page);
      files.set(page, articleHtml(text, record, locale, visible, section, page));
    }
    return { files, stale: [...stale] };
  }

  function visibleLocales(record: ArticleRecord): string[] {
    if (record.archived || record.draft) return [];
    return Object.keys(record.translations)
      .filter((locale) => !record.translations[locale]!.draft)
      .sort((a, b) => (a === record.sourceLocale ? -1 : b === record.sourceLocale ? 1 : a < b ? -1 : 1));
  }

  function listedOf(record: ArticleRecord): Listed | null {
    if (record.archived || record.draft) return null;
    for (const locale of [defaultLocale, record.sourceLocale]) {
      const translation = record.translations[locale];
      if (translation && !translation.draft) {
        return { record, translation, page: pageOf(record.id, locale) };
      }
    }
    return null;
  }

  /**
   * What the indexes show of an article ('' when they do not list it): a write that leaves it
   * unchanged needs no index render. Bodies and dates only appear for release notes.
   */
  function indexFingerprint(record: ArticleRecord): string {
    const listed = listedOf(record);
    if (!listed) return '';
    const note = record.labels.includes(RELEASE_NOTES_LABEL);
    return JSON.stringify([
      record.sectionId,
      record.position,
      listed.page,
      listed.translation.title,
      note && [record.publishedAt, listed.translation.updatedAt, listed.translation.body],
    ]);
  }

  /** Every index file, from the whole data set. */
  function indexFiles(
    articles: ArticleRecord[],
    sections: SectionRecord[],
    site: SiteIdentity,
  ): Map<string, string> {
    const listed = articles.map(listedOf).filter((l): l is Listed => l !== null);
    const ordered = inListingOrder(listed, listingOrder, collator);
    listingOrder = ordered.map((l) => l.record.id);

    const bySection = new Map<string, Listed[]>();
    for (const entry of ordered) {
      const list = bySection.get(entry.record.sectionId);
      if (list) list.push(entry);
      else bySection.set(entry.record.sectionId, [entry]);
    }
    const releaseNotes = listed
      .filter((l) => l.record.labels.includes(RELEASE_NOTES_LABEL))
      .sort((a, b) => b.record.publishedAt - a.record.publishedAt || compareText(a.record.id, b.record.id));
    const sortedSections = [...sections].sort(
      (a, b) =>
        comparePosition(a.position, b.position) ||
        collator.compare(a.name, b.name) ||
        compareText(a.id, b.id),
    );

    return indexPages(text, { sections: sortedSections, bySection, releaseNotes }, site);
  }

  return { pageOf, visibleLocales, listedOf, indexFingerprint, articlePages, indexFiles };
}

/**
 * Listed articles by section, position, title and id. The previous order goes first, so that
 * nearly sorted input keeps the sort linear.
 */
function inListingOrder(listed: Listed[], previous: string[], collator: Intl.Collator): Listed[] {
  const byId = new Map(listed.map((l) => [l.record.id, l]));
  const ordered: Listed[] = [];
  for (const id of previous) {
    const entry = byId.get(id);
    if (entry) {
      ordered.push(entry);
      byId.delete(id);
    }
  }
  ordered.push(...byId.values());
  ordered.sort(
    (a, b) =>
      compareText(a.record.sectionId, b.record.sectionId) ||
      comparePosition(a.record.position, b.record.position) ||
      collator.compare(a.translation.title, b.translation.title) ||
      compareText(a.record.id, b.record.id),
  );
  return ordered;
}
