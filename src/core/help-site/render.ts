import { dirnameOf, relativePath } from '../docs/doc-paths.js';
import { escapeHtml, escapeXml } from '../html-text.js';
import {
  type ArticleRecord,
  collatorFor,
  comparePosition,
  compareText,
  type Listed,
  RELEASE_NOTES_LABEL,
  type SectionRecord,
} from './records.js';
import { STYLESHEET } from './stylesheet.js';

// The static help centre's pages from its records: records in, files (path → content) out. No
// disk: the adapter reads the records and writes what this returns.

const HOME_RELEASE_NOTES = 5;
/** A feed is a window on recent news, not an archive (RFC 5005): it is rewritten on every release note. */
const FEED_ENTRIES = 50;

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

export interface SiteIdentity {
  id: string;
  createdAt: number;
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
  /** Last sorted order of listed article ids: nearly sorted input keeps each sort linear. */
  let listingOrder: string[] = [];

  const pageOf = (id: string, locale: string) =>
    locale === defaultLocale ? `articles/${id}.html` : `${locale}/articles/${id}.html`;

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
      files.set(page, articleHtml(record, locale, visible, section, page));
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

  function articleHtml(
    record: ArticleRecord,
    locale: string,
    visible: string[],
    section: SectionRecord | null,
    page: string,
  ): string {
    const translation = record.translations[locale]!;
    const root = rootOf(page);
    const relative = (target: string) => relativePath(dirnameOf(page), target);
    const alternates = (visible.length > 1 ? visible : [])
      .map(
        (other) =>
          `<link rel="alternate" hreflang="${other}" href="${escapeHtml(relative(pageOf(record.id, other)))}">`,
      )
      .join('\n');
    const languages =
      visible.length > 1
        ? `<nav class="languages" aria-label="Languages"><ul>${visible
            .map((other) => {
              const label = escapeHtml(languageName(other));
              return other === locale
                ? `<li><span aria-current="page" lang="${other}">${label}</span></li>`
                : `<li><a href="${escapeHtml(relative(pageOf(record.id, other)))}" hreflang="${other}" lang="${other}">${label}</a></li>`;
            })
            .join('')}</ul></nav>\n`
        : '';
    const crumbs = [`<li><a href="${root}index.html">${escapeHtml(product)}</a></li>`];
    if (section) {
      crumbs.push(`<li><a href="${root}sections/${section.id}.html">${escapeHtml(section.name)}</a></li>`);
    }
    const keywords =
      record.labels.length > 0
        ? `<meta name="keywords" content="${escapeHtml(record.labels.join(', '))}">\n`
        : '';
    return documentHtml({
      lang: locale,
      title: `${translation.title} – ${product}`,
      root,
      head: `${keywords}${alternates}`,
      main: `<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>${crumbs.join('')}</ol></nav>
${languages}<article>
<h1>${escapeHtml(translation.title)}</h1>
<p class="published">Published ${timeHtml(record.publishedAt)}</p>
<div class="article-body">
${relativizeLinks(translation.body, page)}
</div>
</article>`,
    });
  }

  function documentHtml(page: { lang: string; title: string; root: string; head?: string; main: string }) {
    const head = page.head ? `${page.head}\n` : '';
    return `<!doctype html>
<html lang="${escapeHtml(page.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<meta name="generator" content="Herald">
<link rel="stylesheet" href="${page.root}style.css">
<link rel="alternate" type="application/atom+xml" title="${escapeHtml(`${product} release notes`)}" href="${page.root}feed.xml">
${head}</head>
<body>
<header class="site-header"><a class="site-title" href="${page.root}index.html">${escapeHtml(product)}</a></header>
<main>
${page.main}
</main>
<footer class="site-footer"><a href="${page.root}release-notes.html">Release notes</a> · <a href="${page.root}feed.xml">Atom feed</a></footer>
</body>
</html>
`;
  }

  function timeHtml(epochMs: number): string {
    const date = new Date(epochMs);
    return `<time datetime="${date.toISOString().slice(0, 10)}">${escapeHtml(dateFormat.format(date))}</time>`;
  }

  function articleLink(listed: Listed, root: string, withDate: boolean): string {
    const date = withDate ? ` <span class="date">${timeHtml(listed.record.publishedAt)}</span>` : '';
    return `<li><a href="${root}${listed.page}">${escapeHtml(listed.translation.title)}</a>${date}</li>`;
  }

  /** Every index file, from the whole data set. */
  function indexFiles(
    articles: ArticleRecord[],
    sections: SectionRecord[],
    site: SiteIdentity,
  ): Map<string, string> {
    const listed = articles.map(listedOf).filter((l): l is Listed => l !== null);
    const byId = new Map(listed.map((l) => [l.record.id, l]));
    const ordered: Listed[] = [];
    for (const id of listingOrder) {
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

    const files = new Map<string, string>();
    files.set('style.css', STYLESHEET);

    const sectionItems = sortedSections.map((section) => {
      const count = bySection.get(section.id)?.length ?? 0;
      return `<li><a href="sections/${section.id}.html">${escapeHtml(section.name)}</a> <span class="count">${count} ${count === 1 ? 'article' : 'articles'}</span></li>`;
    });
    const newest = releaseNotes.slice(0, HOME_RELEASE_NOTES);
    files.set(
      'index.html',
      documentHtml({
        lang: defaultLocale,
        title: product,
        root: '',
        main: `<h1>${escapeHtml(product)}</h1>
<section class="sections" aria-labelledby="sections-heading">
<h2 id="sections-heading">Sections</h2>
${sectionItems.length > 0 ? `<ul class="section-list">\n${sectionItems.join('\n')}\n</ul>` : '<p class="empty">Nothing published yet.</p>'}
</section>
<section class="latest" aria-labelledby="latest-heading">
<h2 id="latest-heading">Latest release notes</h2>
${newest.length > 0 ? `<ul class="article-list">\n${newest.map((l) => articleLink(l, '', true)).join('\n')}\n</ul>` : '<p class="empty">No release notes yet.</p>'}
<p class="more"><a href="release-notes.html">All release notes</a> · <a href="feed.xml">Atom feed</a></p>
</section>`,
      }),
    );

    for (const section of sortedSections) {
      const items = bySection.get(section.id) ?? [];
      files.set(
        `sections/${section.id}.html`,
        documentHtml({
          lang: section.locale,
          title: `${section.name} – ${product}`,
          root: '../',
          main: `<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="../index.html">${escapeHtml(product)}</a></li></ol></nav>
<h1>${escapeHtml(section.name)}</h1>
${items.length > 0 ? `<ul class="article-list">\n${items.map((l) => articleLink(l, '../', false)).join('\n')}\n</ul>` : '<p class="empty">No articles yet.</p>'}`,
        }),
      );
    }

    files.set(
      'release-notes.html',
      documentHtml({
        lang: defaultLocale,
        title: `Release notes – ${product}`,
        root: '',
        main: `<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="index.html">${escapeHtml(product)}</a></li></ol></nav>
<h1>Release notes</h1>
${releaseNotes.length > 0 ? `<ul class="article-list">\n${releaseNotes.map((l) => articleLink(l, '', true)).join('\n')}\n</ul>` : '<p class="empty">No release notes yet.</p>'}
<p class="more"><a href="feed.xml">Atom feed</a></p>`,
      }),
    );

    files.set('feed.xml', feedXml(releaseNotes.slice(0, FEED_ENTRIES), site));
    return files;
  }

  /** Atom 1.0 (RFC 4287). Links are absolute (feed readers fetch the feed on its own). */
  function feedXml(entries: Listed[], site: SiteIdentity): string {
    const updatedOf = (l: Listed) => Math.max(l.translation.updatedAt, l.record.publishedAt);
    const updated = entries.reduce((latest, l) => Math.max(latest, updatedOf(l)), site.createdAt);
    const items = entries.map(
      (l) => `  <entry>
    <id>urn:uuid:${options.feedEntryId(site.id, l.record.id)}</id>
    <title>${escapeXml(l.translation.title)}</title>
    <updated>${isoOf(updatedOf(l))}</updated>
    <published>${isoOf(l.record.publishedAt)}</published>
    <link rel="alternate" type="text/html" href="${escapeXml(baseUrl + l.page)}"/>
    <content type="html">${escapeXml(l.translation.body)}</content>
  </entry>
`,
    );
    return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${defaultLocale}">
  <id>urn:uuid:${site.id}</id>
  <title>${escapeXml(`${product} release notes`)}</title>
  <updated>${isoOf(updated)}</updated>
  <author><name>${escapeXml(product)}</name></author>
  <generator>Herald</generator>
  <link rel="self" type="application/atom+xml" href="${escapeXml(`${baseUrl}feed.xml`)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(`${baseUrl}release-notes.html`)}"/>
${items.join('')}</feed>
`;
  }

  /** Rewrites href/src values under baseUrl into paths relative to `page`: the site can move. */
  function relativizeLinks(html: string, page: string): string {
    return html.replace(TAG, (_tag, name: string, attributes: string) => {
      const rewritten = attributes.replace(
        ATTRIBUTE,
        (attribute, space: string, key: string, equals?: string, quoted?: string) => {
          if (quoted === undefined || !/^(?:href|src)$/i.test(key)) return attribute;
          const raw = quoted.startsWith('"') || quoted.startsWith("'") ? quoted.slice(1, -1) : quoted;
          const value = decodeEntities(raw);
          if (!value.startsWith(baseUrl)) return attribute;
          return `${space}${key}${equals}"${escapeHtml(relativeUrl(page, value.slice(baseUrl.length)))}"`;
        },
      );
      return `<${name}${rewritten}>`;
    });
  }

  return { pageOf, visibleLocales, listedOf, indexFingerprint, articlePages, indexFiles };
}

const TAG = /<([a-zA-Z][^\s/>]*)((?:"[^"]*"|'[^']*'|[^"'>])*)>/g;
const ATTRIBUTE = /(\s+)([^\s"'>/=]+)(?:(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;

function relativeUrl(page: string, target: string): string {
  const cut = target.search(/[?#]/);
  const pathPart = cut < 0 ? target : target.slice(0, cut);
  const suffix = cut < 0 ? '' : target.slice(cut);
  const file = pathPart === '' || pathPart.endsWith('/') ? `${pathPart}index.html` : pathPart;
  const relative = relativePath(dirnameOf(page), file) || file.slice(file.lastIndexOf('/') + 1);
  // `articles/javascript:x` must not turn into a `javascript:` URL.
  return (/^[^/]*:/.test(relative) ? `./${relative}` : relative) + suffix;
}

function rootOf(page: string): string {
  return '../'.repeat(page.split('/').length - 1);
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi, (entity, dec, hex, name) => {
    if (name) return named[name.toLowerCase()] ?? entity;
    const code = dec ? Number(dec) : Number.parseInt(hex, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

function isoOf(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function languageName(locale: string): string {
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(locale);
    return name ? name.charAt(0).toLocaleUpperCase(locale) + name.slice(1) : locale;
  } catch {
    return locale;
  }
}
