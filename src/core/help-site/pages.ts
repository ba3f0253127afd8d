import { dirnameOf, relativePath } from '../docs/doc-paths.js';
import { escapeHtml, escapeXml } from '../html-text.js';
import type { ArticleRecord, Listed, SectionRecord } from './records.js';
import { STYLESHEET } from './stylesheet.js';

// The static help centre's HTML and Atom: one function per kind of page, strings in, markup out.

const HOME_RELEASE_NOTES = 5;
/** A feed is a window on recent news, not an archive (RFC 5005): it is rewritten on every release note. */
const FEED_ENTRIES = 50;

/** What every page says about the site. */
export interface SiteText {
  product: string;
  defaultLocale: string;
  /** Absolute URL prefix of the site, ending in '/'. */
  baseUrl: string;
  dateFormat: Intl.DateTimeFormat;
  feedEntryId: (siteId: string, articleId: string) => string;
  pageOf: (id: string, locale: string) => string;
}

/** The site's id and birth time: the feed's id and its oldest `updated`. */
export interface SiteIdentity {
  id: string;
  createdAt: number;
}

export function articleHtml(
  site: SiteText,
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
        `<link rel="alternate" hreflang="${other}" href="${escapeHtml(relative(site.pageOf(record.id, other)))}">`,
    )
    .join('\n');
  const languages =
    visible.length > 1
      ? `<nav class="languages" aria-label="Languages"><ul>${visible
          .map((other) => {
            const label = escapeHtml(languageName(other));
            return other === locale
              ? `<li><span aria-current="page" lang="${other}">${label}</span></li>`
              : `<li><a href="${escapeHtml(relative(site.pageOf(record.id, other)))}" hreflang="${other}" lang="${other}">${label}</a></li>`;
          })
          .join('')}</ul></nav>\n`
      : '';
  const crumbs = [`<li><a href="${root}index.html">${escapeHtml(site.product)}</a></li>`];
  if (section) {
    crumbs.push(`<li><a href="${root}sections/${section.id}.html">${escapeHtml(section.name)}</a></li>`);
  }
  const keywords =
    record.labels.length > 0
      ? `<meta name="keywords" content="${escapeHtml(record.labels.join(', '))}">\n`
      : '';
  return documentHtml(site, {
    lang: locale,
    title: `${translation.title} – ${site.product}`,
    root,
    head: `${keywords}${alternates}`,
    main: `<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>${crumbs.join('')}</ol></nav>
${languages}<article>
<h1>${escapeHtml(translation.title)}</h1>
<p class="published">Published ${timeHtml(site, record.publishedAt)}</p>
<div class="article-body">
${relativizeLinks(site.baseUrl, translation.body, page)}
</div>
</article>`,
  });
}

function documentHtml(
  { product }: SiteText,
  page: { lang: string; title: string; root: string; head?: string; main: string },
): string {
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

function timeHtml({ dateFormat }: SiteText, epochMs: number): string {
  const date = new Date(epochMs);
  return `<time datetime="${date.toISOString().slice(0, 10)}">${escapeHtml(dateFormat.format(date))}</time>`;
}

function articleLink(site: SiteText, listed: Listed, root: string, withDate: boolean): string {
  const date = withDate ? ` <span class="date">${timeHtml(site, listed.record.publishedAt)}</span>` : '';
  return `<li><a href="${root}${listed.page}">${escapeHtml(listed.translation.title)}</a>${date}</li>`;
}

/** The index files: stylesheet, home, one page per section, the release notes list and the feed. */
export function indexPages(
  site: SiteText,
  {
    sections,
    bySection,
    releaseNotes,
  }: { sections: SectionRecord[]; bySection: Map<string, Listed[]>; releaseNotes: Listed[] },
  identity: SiteIdentity,
): Map<string, string> {
  const files = new Map<string, string>();
  files.set('style.css', STYLESHEET);

  const sectionItems = sections.map((section) => {
    const count = bySection.get(section.id)?.length ?? 0;
    return `<li><a href="sections/${section.id}.html">${escapeHtml(section.name)}</a> <span class="count">${count} ${count === 1 ? 'article' : 'articles'}</span></li>`;
  });
  const newest = releaseNotes.slice(0, HOME_RELEASE_NOTES);
  files.set(
    'index.html',
    documentHtml(site, {
      lang: site.defaultLocale,
      title: site.product,
      root: '',
      main: `<h1>${escapeHtml(site.product)}</h1>
<section class="sections" aria-labelledby="sections-heading">
<h2 id="sections-heading">Sections</h2>
${sectionItems.length > 0 ? `<ul class="section-list">\n${sectionItems.join('\n')}\n</ul>` : '<p class="empty">Nothing published yet.</p>'}
</section>
<section class="latest" aria-labelledby="latest-heading">
<h2 id="latest-heading">Latest release notes</h2>
${newest.length > 0 ? `<ul class="article-list">\n${newest.map((l) => articleLink(site, l, '', true)).join('\n')}\n</ul>` : '<p class="empty">No release notes yet.</p>'}
<p class="more"><a href="release-notes.html">All release notes</a> · <a href="feed.xml">Atom feed</a></p>
</section>`,
    }),
  );

  for (const section of sections) {
    const items = bySection.get(section.id) ?? [];
    files.set(
      `sections/${section.id}.html`,
      documentHtml(site, {
        lang: section.locale,
        title: `${section.name} – ${site.product}`,
        root: '../',
        main: `<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="../index.html">${escapeHtml(site.product)}</a></li></ol></nav>
<h1>${escapeHtml(section.name)}</h1>
${items.length > 0 ? `<ul class="article-list">\n${items.map((l) => articleLink(site, l, '../', false)).join('\n')}\n</ul>` : '<p class="empty">No articles yet.</p>'}`,
      }),
    );
  }

  files.set(
    'release-notes.html',
    documentHtml(site, {
      lang: site.defaultLocale,
      title: `Release notes – ${site.product}`,
      root: '',
      main: `<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="index.html">${escapeHtml(site.product)}</a></li></ol></nav>
<h1>Release notes</h1>
${releaseNotes.length > 0 ? `<ul class="article-list">\n${releaseNotes.map((l) => articleLink(site, l, '', true)).join('\n')}\n</ul>` : '<p class="empty">No release notes yet.</p>'}
<p class="more"><a href="feed.xml">Atom feed</a></p>`,
    }),
  );

  files.set('feed.xml', feedXml(site, releaseNotes.slice(0, FEED_ENTRIES), identity));
  return files;
}

/** Atom 1.0 (RFC 4287). Links are absolute (feed readers fetch the feed on its own). */
export function feedXml(
  { product, defaultLocale, baseUrl, feedEntryId }: SiteText,
  entries: Listed[],
  site: SiteIdentity,
): string {
  const updatedOf = (l: Listed) => Math.max(l.translation.updatedAt, l.record.publishedAt);
  const updated = entries.reduce((latest, l) => Math.max(latest, updatedOf(l)), site.createdAt);
  const items = entries.map(
    (l) => `  <entry>
  <id>urn:uuid:${feedEntryId(site.id, l.record.id)}</id>
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
function relativizeLinks(baseUrl: string, html: string, page: string): string {
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
