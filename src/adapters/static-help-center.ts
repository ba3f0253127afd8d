import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, type Stats, statSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { publishableAttachment } from '../core/svg.js';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import type {
  ArticleInput,
  HelpCenterArticle,
  HelpCenterPort,
  HelpCenterSettings,
  VerifyFinding,
} from '../ports/index.js';
import { escapeHtml } from './fs-doc-site.js';

export interface StaticHelpCenterOptions {
  dir: string;
  /** Absolute URL prefix of the site as readers reach it, ending in '/'; default pathToFileURL(dir) + '/'. */
  baseUrl?: string;
  /** Product name, e.g. 'Acme Cloud'. */
  title: string;
  defaultLocale: string;
}

interface TranslationRecord {
  title: string;
  body: string;
  draft: boolean;
  updatedAt: number;
}

interface AttachmentRecord {
  fileName: string;
  contentType: string;
  /** Relative to the site directory (`attachments/<articleId>/<hash>-<name>`). */
  path: string;
  sha256: string;
  size: number;
}

interface ArticleRecord {
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

interface SectionRecord {
  id: string;
  name: string;
  locale: string;
  position: number | null;
}

/** What an index lists for an article: the translation readers see first, and its page. */
interface Listed {
  record: ArticleRecord;
  translation: TranslationRecord;
  /** Page path relative to the site root. */
  page: string;
}

/**
 * The signature of `_data`: every JSON file's name (without `.json`) → inode, mtime and size.
 * Every commit replaces a file with a new one, so any commit by anyone changes it.
 */
interface DataScan {
  articles: Map<string, string>;
  sections: Map<string, string>;
}

const RELEASE_NOTES_LABEL = 'release-notes';
const HOME_RELEASE_NOTES = 5;
/** A feed is a window on recent news, not an archive (RFC 5005): it is rewritten on every release note. */
const FEED_ENTRIES = 50;
const MAX_RENDER_ROUNDS = 10;
const ARTICLE_ID = /^[0-9a-f]{12}$/;
const SECTION_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const LOCALE = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/;
const TRANSIENT_CODES = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'ETIMEDOUT', 'EINTR']);

/**
 * The built-in help centre: a static site on disk, used when there are no Zendesk credentials.
 * The source of truth is one JSON file per article and per section under `_data/`; pages are
 * derived from it after every write: the written article's own pages, then the indexes (home,
 * section pages, release notes, Atom feed). Several processes may publish into the same directory:
 * every file is replaced atomically (temp file + rename) and the indexes converge without locks
 * (see `renderIndexes`). Within one instance, writes to one article are serialised and index
 * renders are coalesced.
 */
export function createStaticHelpCenter(options: StaticHelpCenterOptions): HelpCenterPort {
  const dir = path.resolve(options.dir);
  const dataDir = path.join(dir, '_data');
  const articlesDir = path.join(dataDir, 'articles');
  const sectionsDir = path.join(dataDir, 'sections');
  const baseUrl = withSlash(options.baseUrl ?? pathToFileURL(dir).href);
  const product = options.title;
  const defaultLocale = normalizeLocale(options.defaultLocale);
  if (!LOCALE.test(defaultLocale)) {
    throw new Error(`static help centre: default locale "${options.defaultLocale}" is not a language tag`);
  }
  const collator = collatorFor(defaultLocale);
  const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });

  const articleCache = new Map<string, { key: string; record: ArticleRecord }>();
  const sectionCache = new Map<string, { key: string; record: SectionRecord }>();
  /** Index files this instance wrote: content and stat key, to skip rewriting an unchanged file. */
  const written = new Map<string, { content: string; key: string }>();
  /** Last sorted order of listed article ids: nearly sorted input keeps each sort linear. */
  let listingOrder: string[] = [];
  /**
   * `_data` as this instance last saw it: its last scan plus its own commits since. Used as the
   * "before" signature of the next index render, which saves a full scan per write.
   */
  let known: DataScan | null = null;
  let siteIdentity: Promise<{ id: string; createdAt: number }> | undefined;
  const articleLocks = new Map<string, Promise<void>>();
  let sectionLock: Promise<void> = Promise.resolve();

  const articleFile = (id: string) => path.join(articlesDir, `${id}.json`);
  const sectionFile = (id: string) => path.join(sectionsDir, `${id}.json`);
  const pageOf = (id: string, locale: string) =>
    locale === defaultLocale ? `articles/${id}.html` : `${locale}/articles/${id}.html`;

  // --- Data ----------------------------------------------------------------------------------

  function scanData(): DataScan {
    const scan = { articles: scanFolder(articlesDir), sections: scanFolder(sectionsDir) };
    known = { articles: new Map(scan.articles), sections: new Map(scan.sections) };
    return scan;
  }

  /** Keeps `known` up to date with this instance's own commits. */
  function noteCommit(kind: keyof DataScan, name: string, stats: Stats): void {
    known?.[kind].set(name, statKey(stats));
  }

  /** The records behind a scan, re-reading only files whose stat key changed since last time. */
  async function loadRecords<T>(
    folder: string,
    entries: Map<string, string>,
    cache: Map<string, { key: string; record: T }>,
    parse: (value: unknown, name: string) => T | null,
  ): Promise<T[]> {
    for (const name of cache.keys()) if (!entries.has(name)) cache.delete(name);
    const stale = [...entries].filter(([name, key]) => cache.get(name)?.key !== key);
    await runLimited(
      stale.map(([name, key]) => async () => {
        const record = await readJson(path.join(folder, `${name}.json`), (value) => parse(value, name));
        if (record === null) cache.delete(name);
        else cache.set(name, { key, record });
      }),
      32,
    );
    const records: T[] = [];
    for (const name of entries.keys()) {
      const cached = cache.get(name);
      if (cached) records.push(cached.record);
    }
    return records;
  }

  const loadArticles = (scan: DataScan) =>
    loadRecords(articlesDir, scan.articles, articleCache, (value, name) => {
      const record = parseArticle(value, name);
      return record === null ? null : summaryOf(record);
    });
  const loadSections = (scan: DataScan) =>
    loadRecords(sectionsDir, scan.sections, sectionCache, parseSection);

  async function readArticle(id: string): Promise<ArticleRecord | null> {
    if (!ARTICLE_ID.test(id)) return null;
    return readJson(articleFile(id), (value) => parseArticle(value, id));
  }

  async function readSection(id: string): Promise<SectionRecord | null> {
    if (!SECTION_ID.test(id)) return null;
    return readJson(sectionFile(id), (value) => parseSection(value, id));
  }

  async function saveArticle(record: ArticleRecord, exclusive = false): Promise<boolean> {
    const stats = exclusive
      ? await createExclusive(articleFile(record.id), jsonOf(record))
      : await writeAtomic(articleFile(record.id), jsonOf(record));
    if (stats === null) return false;
    articleCache.set(record.id, { key: statKey(stats), record: summaryOf(record) });
    noteCommit('articles', record.id, stats);
    return true;
  }

  /** Index renders only need bodies for the feed: other articles are cached without them. */
  function summaryOf(record: ArticleRecord): ArticleRecord {
    if (record.labels.includes(RELEASE_NOTES_LABEL)) return record;
    const translations: Record<string, TranslationRecord> = {};
    for (const [locale, translation] of Object.entries(record.translations)) {
      translations[locale] = { ...translation, body: '' };
    }
    return { ...record, translations };
  }

  function withArticleLock<T>(id: string, run: () => Promise<T>): Promise<T> {
    const previous = articleLocks.get(id) ?? Promise.resolve();
    const result = previous.then(run);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    articleLocks.set(id, tail);
    void tail.then(() => {
      if (articleLocks.get(id) === tail) articleLocks.delete(id);
    });
    return result;
  }

  function withSectionLock<T>(run: () => Promise<T>): Promise<T> {
    const result = sectionLock.then(run);
    sectionLock = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  function getSiteIdentity(): Promise<{ id: string; createdAt: number }> {
    siteIdentity ??= (async () => {
      const file = path.join(dataDir, 'site.json');
      const parse = (value: unknown) => {
        const site = value as { id?: unknown; createdAt?: unknown } | null;
        return typeof site?.id === 'string' && typeof site.createdAt === 'number'
          ? { id: site.id, createdAt: site.createdAt }
          : null;
      };
      const existing = await readJson(file, parse);
      if (existing) return existing;
      const fresh = { id: randomUUID(), createdAt: Date.now() };
      if ((await createExclusive(file, jsonOf(fresh))) !== null) return fresh;
      return (await readJson(file, parse)) ?? fresh;
    })();
    siteIdentity.catch(() => {
      siteIdentity = undefined;
    });
    return siteIdentity;
  }

  // --- Rendering -----------------------------------------------------------------------------

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

  /** Writes the article's visible translations and removes the pages of the others. */
  async function renderArticlePages(record: ArticleRecord): Promise<void> {
    const visible = visibleLocales(record);
    const section = visible.length > 0 ? await readSection(record.sectionId) : null;
    const stale = new Set(
      [defaultLocale, ...Object.keys(record.translations)].map((l) => pageOf(record.id, l)),
    );
    for (const locale of visible) {
      const page = pageOf(record.id, locale);
      stale.delete(page);
      await writeAtomic(path.join(dir, page), articleHtml(record, locale, visible, section, page));
    }
    await Promise.all([...stale].map((page) => rm(path.join(dir, page), { force: true })));
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
    const relative = (target: string) => path.posix.relative(path.posix.dirname(page), target);
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
    site: { id: string; createdAt: number },
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
  function feedXml(entries: Listed[], site: { id: string; createdAt: number }): string {
    const updatedOf = (l: Listed) => Math.max(l.translation.updatedAt, l.record.publishedAt);
    const updated = entries.reduce((latest, l) => Math.max(latest, updatedOf(l)), site.createdAt);
    const items = entries.map(
      (l) => `  <entry>
    <id>urn:uuid:${uuidV5(site.id, l.record.id)}</id>
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

  /** Writes `relative` unless this instance wrote the same content there and nobody replaced it since. */
  async function writeIfChanged(relative: string, content: string): Promise<void> {
    const file = path.join(dir, relative);
    const previous = written.get(relative);
    if (previous?.content === content) {
      const stats = statSync(file, { throwIfNoEntry: false });
      if (stats && statKey(stats) === previous.key) return;
    }
    const stats = await writeAtomic(file, content);
    written.set(relative, { content, key: statKey(stats) });
  }

  /**
   * Renders every index from `_data`. Other processes may commit data while this one renders, and
   * their index writes may land before ours: our files would then miss their articles. Rather than
   * locking, compare the signature of `_data` the render is based on with one taken after writing:
   * if they match, no commit happened in between, so what we wrote includes every commit before
   * it, and any later commit is followed by its writer's own render, which lands after ours. If
   * they differ, render again (bounded: a writer that keeps committing renders after itself
   * anyway). The "before" signature may come from memory (`known`): if it was wrong, the "after"
   * one differs and the next round uses a real scan.
   */
  async function renderIndexes(): Promise<void> {
    let scan: DataScan = known
      ? { articles: new Map(known.articles), sections: new Map(known.sections) }
      : scanData();
    for (let round = 1; ; round++) {
      const [articles, sections, site] = await Promise.all([
        loadArticles(scan),
        loadSections(scan),
        getSiteIdentity(),
      ]);
      const files = indexFiles(articles, sections, site);
      const writes = [...files].map(
        ([relative, content]) =>
          () =>
            writeIfChanged(relative, content),
      );
      await runLimited(writes, 16);
      const after = scanData();
      if (sameScan(after, scan) || round >= MAX_RENDER_ROUNDS) return;
      scan = after;
    }
  }

  const requestIndexRender = coalesce(renderIndexes);

  // --- Port ----------------------------------------------------------------------------------

  /** Maps file-system errors to DeliveryFailure; once data is committed a failure is ambiguous. */
  async function guard<T>(action: string, run: (commit: () => void) => Promise<T>): Promise<T> {
    let committed = false;
    try {
      return await run(() => {
        committed = true;
      });
    } catch (error) {
      if (error instanceof DeliveryFailure) throw error;
      const message = `${action} in ${dir}: ${error instanceof Error ? error.message : String(error)}`;
      if (committed) {
        throw new DeliveryFailure({
          kind: 'ambiguous',
          message: `${message} (the data was saved, the pages may be out of date)`,
          cause: error,
        });
      }
      const transient = TRANSIENT_CODES.has(codeOf(error) ?? '');
      throw new DeliveryFailure({
        kind: transient ? 'retryable' : 'permanent',
        message,
        cause: error,
        ...(transient ? {} : { fix: `make sure ${dir} is a writable directory` }),
      });
    }
  }

  function toArticle(record: ArticleRecord): HelpCenterArticle {
    return {
      id: record.id,
      url: baseUrl + pageOf(record.id, record.sourceLocale),
      title: record.translations[record.sourceLocale]?.title ?? '',
      locale: record.sourceLocale,
      sectionId: record.sectionId,
      labels: [...record.labels],
      draft: record.draft,
    };
  }

  function notFound(articleId: string): DeliveryFailure {
    return new DeliveryFailure({
      kind: 'permanent',
      status: 404,
      message: `article ${articleId} not found in the static help centre at ${dir}`,
    });
  }

  function checkLocale(locale: string): string {
    const normalized = normalizeLocale(locale);
    if (!LOCALE.test(normalized)) {
      throw new DeliveryFailure({
        kind: 'permanent',
        status: 400,
        message: `locale "${locale}" is not a language tag like en-us`,
      });
    }
    return normalized;
  }

  function checkTitle(title: string): string {
    if (title.trim() === '') {
      throw new DeliveryFailure({ kind: 'permanent', status: 400, message: 'an article needs a title' });
    }
    return title;
  }

  return {
    kind: 'static',
    site: `static:${dir}`,
    description: `static help centre in ${dir}`,

    async verify(settings: HelpCenterSettings): Promise<VerifyFinding[]> {
      const findings: VerifyFinding[] = [];
      try {
        await mkdir(dir, { recursive: true });
        const probe = path.join(dir, `.herald-verify-${process.pid}-${randomBytes(4).toString('hex')}`);
        await writeFile(probe, '');
        await rm(probe, { force: true });
        findings.push({ ok: true, check: 'site directory', detail: `${dir} is writable` });
      } catch (error) {
        findings.push({
          ok: false,
          check: 'site directory',
          detail: `${dir}: ${error instanceof Error ? error.message : String(error)}`,
          fix: `create ${dir} or point the static help centre at a writable directory`,
        });
      }
      for (const locale of settings.locales) {
        if (!LOCALE.test(normalizeLocale(locale))) {
          findings.push({
            ok: false,
            check: `locale ${locale}`,
            detail: 'not a language tag',
            fix: 'use tags like en-us or fr',
          });
        }
      }
      if (settings.userSegmentId !== null) {
        findings.push({
          ok: false,
          check: 'user segment',
          detail: `the static help centre is public: it cannot restrict articles to user segment ${settings.userSegmentId}`,
          fix: 'remove the user segment or publish to Zendesk Guide',
        });
      }
      for (const id of settings.sectionIds) {
        const section = await readSection(id).catch(() => null);
        findings.push(
          section
            ? { ok: true, check: `section ${id}`, detail: `"${section.name}"` }
            : { ok: true, check: `section ${id}`, detail: 'created on first publish' },
        );
      }
      return findings;
    },

    async findArticlesByLabel(label) {
      return guard('reading articles', async () => {
        const articles = await loadArticles(scanData());
        return articles
          .filter((record) => !record.archived && record.labels.includes(label))
          .sort((a, b) => a.createdAt - b.createdAt || compareText(a.id, b.id))
          .map(toArticle);
      });
    },

    async createArticle(input: ArticleInput) {
      return guard('creating an article', async (commit) => {
        const locale = checkLocale(input.locale);
        const title = checkTitle(input.title);
        if (input.userSegmentId !== null) {
          throw new DeliveryFailure({
            kind: 'permanent',
            status: 400,
            message: `the static help centre is public: it cannot restrict "${title}" to user segment ${input.userSegmentId}`,
            fix: 'remove the user segment or publish to Zendesk Guide',
          });
        }
        const section = await readSection(input.sectionId);
        if (!section) {
          throw new DeliveryFailure({
            kind: 'permanent',
            status: 404,
            message: `section "${input.sectionId}" not found in the static help centre at ${dir}`,
            fix: 'create the section first (createSection)',
          });
        }
        const now = Date.now();
        const base = {
          sectionId: section.id,
          sourceLocale: locale,
          labels: [...new Set(input.labels)],
          draft: input.draft,
          archived: false,
          position: input.position,
          createdAt: now,
          publishedAt: Number.isFinite(input.publishedAt) ? input.publishedAt : now,
          translations: { [locale]: { title, body: input.body, draft: input.draft, updatedAt: now } },
          attachments: [],
        };
        let record: ArticleRecord;
        for (;;) {
          record = { id: randomBytes(6).toString('hex'), ...base };
          if (await saveArticle(record, true)) break;
        }
        commit();
        await withArticleLock(record.id, () => renderArticlePages(record));
        if (indexFingerprint(record) !== '') await requestIndexRender();
        return toArticle(record);
      });
    },

    async putTranslation(articleId, locale, input) {
      return guard(`updating article ${articleId}`, async (commit) => {
        const normalized = checkLocale(locale);
        const title = checkTitle(input.title);
        const { url, indexesChanged } = await withArticleLock(articleId, async () => {
          const record = await readArticle(articleId);
          if (!record) throw notFound(articleId);
          const before = indexFingerprint(record);
          record.translations[normalized] = {
            title,
            body: input.body,
            draft: input.draft,
            updatedAt: Date.now(),
          };
          if (normalized === record.sourceLocale) record.draft = input.draft;
          await saveArticle(record);
          commit();
          await renderArticlePages(record);
          return {
            url: baseUrl + pageOf(record.id, normalized),
            indexesChanged: indexFingerprint(record) !== before,
          };
        });
        if (indexesChanged) await requestIndexRender();
        return { url };
      });
    },

    async archiveArticle(articleId) {
      return guard(`archiving article ${articleId}`, async (commit) => {
        const indexesChanged = await withArticleLock(articleId, async () => {
          const record = await readArticle(articleId);
          if (!record) return false;
          const before = indexFingerprint(record);
          if (!record.archived) {
            record.archived = true;
            await saveArticle(record);
          }
          commit();
          await renderArticlePages(record);
          return before !== '';
        });
        if (indexesChanged) await requestIndexRender();
      });
    },

    async uploadAttachment(articleId, upload) {
      // SVGs are published cleaned: a script in one would run on the help centre's origin.
      const input = publishableAttachment(upload);
      return guard(`uploading ${input.fileName} to article ${articleId}`, async (commit) =>
        withArticleLock(articleId, async () => {
          const record = await readArticle(articleId);
          if (!record) throw notFound(articleId);
          const sha256 = createHash('sha256').update(input.bytes).digest('hex');
          const relative = `attachments/${articleId}/${sha256.slice(0, 8)}-${safeFileName(input.fileName)}`;
          const file = path.join(dir, relative);
          const existing = await stat(file).catch(() => null);
          if (existing?.size !== input.bytes.byteLength) await writeAtomic(file, input.bytes);
          // The bytes are public once written; recording them in the article is bookkeeping and
          // changes no page, so no render follows.
          if (!record.attachments.some((a) => a.path === relative)) {
            record.attachments.push({
              fileName: input.fileName,
              contentType: input.contentType,
              path: relative,
              sha256,
              size: input.bytes.byteLength,
            });
            await saveArticle(record);
          }
          commit();
          return { url: baseUrl + relative };
        }),
      );
    },

    async listSections() {
      return guard('reading sections', async () => {
        const sections = await loadSections({ articles: new Map(), sections: scanFolder(sectionsDir) });
        return sections
          .sort(
            (a, b) =>
              comparePosition(a.position, b.position) ||
              collator.compare(a.name, b.name) ||
              compareText(a.id, b.id),
          )
          .map(({ id, name }) => ({ id, name }));
      });
    },

    async createSection(input) {
      return guard(`creating section "${input.name}"`, async (commit) => {
        const name = input.name.trim();
        if (name === '') {
          throw new DeliveryFailure({ kind: 'permanent', status: 400, message: 'a section needs a name' });
        }
        const locale = checkLocale(input.locale);
        const created = await withSectionLock(async () => {
          const sections = await loadSections({ articles: new Map(), sections: scanFolder(sectionsDir) });
          const existing = sections.find((s) => s.name === name);
          if (existing) return { id: existing.id, name: existing.name, fresh: false };
          const slug = slugOf(name);
          for (let n = 1; ; n++) {
            const id = n === 1 ? slug : `${slug}-${n}`;
            const record: SectionRecord = { id, name, locale, position: input.position };
            // Exclusive create: two processes creating the same name agree on one file, and a
            // different section never overwrites one already there.
            const stats = await createExclusive(sectionFile(id), jsonOf(record));
            if (stats !== null) {
              sectionCache.set(id, { key: statKey(stats), record });
              noteCommit('sections', id, stats);
              return { id, name, fresh: true };
            }
            const other = await readSection(id);
            if (other?.name === name) return { id, name, fresh: false };
          }
        });
        if (created.fresh) {
          commit();
          await requestIndexRender();
        }
        return { id: created.id, name: created.name };
      });
    },

    async close() {
      await requestIndexRender.idle();
    },
  };

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
}

const TAG = /<([a-zA-Z][^\s/>]*)((?:"[^"]*"|'[^']*'|[^"'>])*)>/g;
const ATTRIBUTE = /(\s+)([^\s"'>/=]+)(?:(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;

function relativeUrl(page: string, target: string): string {
  const cut = target.search(/[?#]/);
  const pathPart = cut < 0 ? target : target.slice(0, cut);
  const suffix = cut < 0 ? '' : target.slice(cut);
  const file = pathPart === '' || pathPart.endsWith('/') ? `${pathPart}index.html` : pathPart;
  const relative = path.posix.relative(path.posix.dirname(page), file) || path.posix.basename(file);
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

/** Text for XML content or a double-quoted attribute; characters XML 1.0 forbids are dropped. */
function escapeXml(text: string): string {
  return text
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '',
    )
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isoOf(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** RFC 4122 name-based UUID (SHA-1, version 5). */
function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function normalizeLocale(locale: string): string {
  return locale.trim().toLowerCase().replace(/_/g, '-');
}

function languageName(locale: string): string {
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(locale);
    return name ? name.charAt(0).toLocaleUpperCase(locale) + name.slice(1) : locale;
  } catch {
    return locale;
  }
}

function collatorFor(locale: string): Intl.Collator {
  try {
    return new Intl.Collator(locale, { numeric: true, sensitivity: 'base' });
  } catch {
    return new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  }
}

/** Positioned first, in order; unpositioned last. */
function comparePosition(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** `a–z0–9-` only, at most 60 characters; `section` when nothing is left. */
function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
  return slug || 'section';
}

function safeFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const safe = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(-100);
  return safe || 'file';
}

function statKey(stats: Stats): string {
  return `${stats.ino}:${stats.mtimeMs}:${stats.size}`;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function jsonOf(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function readJson<T>(file: string, parse: (value: unknown) => T | null): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    return parse(JSON.parse(text));
  } catch {
    return null;
  }
}

/** An article file as stored, or null when it is not one (hand-edited, other tool): it is skipped. */
function parseArticle(value: unknown, id: string): ArticleRecord | null {
  const record = value as Partial<ArticleRecord> | null;
  if (
    record === null ||
    typeof record !== 'object' ||
    record.id !== id ||
    !ARTICLE_ID.test(id) ||
    typeof record.sectionId !== 'string' ||
    !SECTION_ID.test(record.sectionId) ||
    typeof record.sourceLocale !== 'string' ||
    !LOCALE.test(record.sourceLocale) ||
    typeof record.translations !== 'object' ||
    record.translations === null
  ) {
    return null;
  }
  const translations: Record<string, TranslationRecord> = {};
  for (const [locale, entry] of Object.entries(record.translations as Record<string, unknown>)) {
    const translation = entry as Partial<TranslationRecord> | null;
    if (
      LOCALE.test(locale) &&
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

function parseSection(value: unknown, id: string): SectionRecord | null {
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
    locale: typeof record.locale === 'string' && LOCALE.test(record.locale) ? record.locale : 'en',
    position: typeof record.position === 'number' ? record.position : null,
  };
}

function tempFileFor(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/**
 * Replaces `file` atomically: readers and other writers see the old or the new content, never a
 * mix. Returns the new file's stats (a rename keeps inode and mtime).
 */
async function writeAtomic(file: string, content: string | Uint8Array): Promise<Stats> {
  const temp = tempFileFor(file);
  try {
    await writeTemp(temp, content);
    const stats = await stat(temp);
    await rename(temp, file);
    return stats;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Folders known to exist: most writes skip the mkdir (a folder removed since is created again). */
const existingFolders = new Set<string>();

async function writeTemp(temp: string, content: string | Uint8Array): Promise<void> {
  const folder = path.dirname(temp);
  if (existingFolders.has(folder)) {
    try {
      await writeFile(temp, content, { flag: 'wx' });
      return;
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
      existingFolders.delete(folder);
    }
  }
  await mkdir(folder, { recursive: true });
  await writeFile(temp, content, { flag: 'wx' });
  existingFolders.add(folder);
}

/**
 * Creates `file` with `content` unless it exists (null then), atomically: a hard link cannot
 * clobber. Returns the new file's stats.
 */
async function createExclusive(file: string, content: string): Promise<Stats | null> {
  const temp = tempFileFor(file);
  try {
    await writeTemp(temp, content);
    const stats = await stat(temp);
    try {
      await link(temp, file);
      return stats;
    } catch (error) {
      const code = codeOf(error);
      if (code === 'EEXIST') return null;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
      // No hard links on this file system: check then rename (a narrow race, never a torn file).
      if (existsSync(file)) return null;
      await rename(temp, file);
      return stats;
    }
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Name → stat key of the JSON files in `folder`. Synchronous stats: measured about 3x faster than
 * through libuv's thread pool, and this runs on every write.
 */
function scanFolder(folder: string): Map<string, string> {
  const entries = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return entries;
    throw error;
  }
  for (const name of names) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const stats = statSync(path.join(folder, name), { throwIfNoEntry: false });
    if (stats) entries.set(name.slice(0, -'.json'.length), statKey(stats));
  }
  return entries;
}

function sameScan(a: DataScan, b: DataScan): boolean {
  const same = (x: Map<string, string>, y: Map<string, string>) => {
    if (x.size !== y.size) return false;
    for (const [name, key] of x) if (y.get(name) !== key) return false;
    return true;
  };
  return same(a.articles, b.articles) && same(a.sections, b.sections);
}

/** Runs tasks with at most `limit` in flight. */
async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/**
 * At most one run of `task` at a time; calls made while it runs share one follow-up run, which
 * starts after the current one (so it sees every write its callers made before calling).
 */
function coalesce(task: () => Promise<void>): (() => Promise<void>) & { idle(): Promise<void> } {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const run: Promise<void> = task().finally(() => {
      if (running === run) running = null;
    });
    running = run;
    return run;
  };
  const request = () => {
    if (queued) return queued;
    if (!running) return start();
    queued = running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return start();
      });
    return queued;
  };
  return Object.assign(request, {
    async idle() {
      while (queued || running) await (queued ?? running)?.catch(() => undefined);
    },
  });
}

const STYLESHEET = `:root {
  color-scheme: light dark;
  --text: #1d2330;
  --muted: #5b6472;
  --bg: #ffffff;
  --surface: #f4f5f7;
  --border: #d0d4db;
  --link: #2456b3;
  --link-visited: #6a3fb0;
  --note: #4a7bd0;
  --note-bg: #f3f6fc;
  --warn: #c9662b;
  --warn-bg: #fcf5f0;
  --danger: #c0392b;
  --danger-bg: #fcf1f0;
  --tip: #2e8b57;
  --tip-bg: #f0f8f3;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #e3e6eb;
    --muted: #9aa3b2;
    --bg: #15181d;
    --surface: #1f242c;
    --border: #363d49;
    --link: #8ab4f8;
    --link-visited: #c3a6f5;
    --note: #6d9be6;
    --note-bg: #1b2433;
    --warn: #e08a50;
    --warn-bg: #2e2219;
    --danger: #e57368;
    --danger-bg: #311c1a;
    --tip: #5cbf86;
    --tip-bg: #18291f;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 1rem/1.65 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  overflow-wrap: break-word;
}
.site-header, main, .site-footer { max-width: 46rem; margin: 0 auto; padding: 0 1.25rem; }
.site-header { padding-top: 1.25rem; padding-bottom: .75rem; border-bottom: 1px solid var(--border); }
.site-title { font-weight: 700; font-size: 1.1rem; color: var(--text); text-decoration: none; }
main { padding-top: 1.5rem; padding-bottom: 2.5rem; }
.site-footer { padding-top: 1rem; padding-bottom: 2rem; border-top: 1px solid var(--border); color: var(--muted); font-size: .9rem; }
a { color: var(--link); text-underline-offset: .15em; }
a:visited { color: var(--link-visited); }
a:focus-visible { outline: 2px solid var(--link); outline-offset: 2px; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.8em 0 .6em; }
h1 { font-size: 2rem; margin-top: .4em; }
h2 { font-size: 1.45rem; }
h3 { font-size: 1.2rem; }
p, ul, ol, dl, table, pre, blockquote, figure { margin: 0 0 1rem; }
img, video { max-width: 100%; height: auto; }
hr { border: 0; border-top: 1px solid var(--border); margin: 2rem 0; }
blockquote { margin-left: 0; padding: .1rem 1rem; border-left: 4px solid var(--border); color: var(--muted); }
code, kbd, samp, pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: .9em; }
:not(pre) > code { background: var(--surface); padding: .1em .35em; border-radius: 4px; }
pre { background: var(--surface); border: 1px solid var(--border); border-radius: 6px; padding: .8rem 1rem; overflow-x: auto; line-height: 1.5; tab-size: 2; }
table { display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse; }
th, td { border: 1px solid var(--border); padding: .4rem .7rem; text-align: left; vertical-align: top; }
th { background: var(--surface); font-weight: 600; }
.admonition { margin: 0 0 1rem; padding: .6rem 1rem; border-left: 4px solid var(--note); background: var(--note-bg); border-radius: 0 6px 6px 0; }
.admonition > :last-child { margin-bottom: 0; }
.admonition-title { font-weight: 600; margin-bottom: .3rem; }
.admonition-warning, .admonition-caution { border-color: var(--warn); background: var(--warn-bg); }
.admonition-danger, .admonition-important { border-color: var(--danger); background: var(--danger-bg); }
.admonition-tip, .admonition-success { border-color: var(--tip); background: var(--tip-bg); }
.breadcrumbs ol, .languages ul { list-style: none; margin: 0 0 1rem; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem .5rem; font-size: .9rem; color: var(--muted); }
.breadcrumbs li + li::before { content: "\\203A"; margin-right: .5rem; color: var(--muted); }
.languages ul { gap: .25rem 1rem; }
.languages [aria-current] { font-weight: 600; }
.published, .date, .count, .empty { color: var(--muted); }
.published { font-size: .9rem; margin-top: -.3rem; }
.date, .count { font-size: .9rem; margin-left: .35rem; white-space: nowrap; }
.article-list, .section-list { padding-left: 1.2rem; }
.article-list li, .section-list li { margin: .35rem 0; }
.more { font-size: .95rem; }
@media (max-width: 40rem) {
  body { font-size: .97rem; }
  h1 { font-size: 1.6rem; }
  .site-header, main, .site-footer { padding-left: 1rem; padding-right: 1rem; }
}
@media print {
  .site-header, .site-footer, .languages { display: none; }
  a { color: inherit; }
}
`;
