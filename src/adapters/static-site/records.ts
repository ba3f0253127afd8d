import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import path from 'node:path';
import {
  ARTICLE_ID,
  type ArticleRecord,
  parseArticle,
  parseSection,
  SECTION_ID,
  type SectionRecord,
  summaryOf,
} from '../../core/help-site/records.js';
import type { SiteIdentity } from '../../core/help-site/render.js';
import { createExclusive, jsonOf, readJson, runLimited, scanFolder, statKey, writeAtomic } from './files.js';

/**
 * The signature of `_data`: every JSON file's name (without `.json`) → inode, mtime and size.
 * Every commit replaces a file with a new one, so any commit by anyone changes it.
 */
export interface DataScan {
  articles: Map<string, string>;
  sections: Map<string, string>;
}

export function sameScan(a: DataScan, b: DataScan): boolean {
  const same = (x: Map<string, string>, y: Map<string, string>) => {
    if (x.size !== y.size) return false;
    for (const [name, key] of x) if (y.get(name) !== key) return false;
    return true;
  };
  return same(a.articles, b.articles) && same(a.sections, b.sections);
}

export type StaticRecords = ReturnType<typeof createStaticRecords>;

/**
 * The static help centre's source of truth: one JSON file per article and per section under
 * `<dir>/_data/`, read through a cache keyed by each file's stat key. Within one instance, writes
 * to one article are serialised (`withArticleLock`), as are section creations.
 */
export function createStaticRecords(dir: string) {
  const dataDir = path.join(dir, '_data');
  const articlesDir = path.join(dataDir, 'articles');
  const sectionsDir = path.join(dataDir, 'sections');
  const articleCache = new Map<string, { key: string; record: ArticleRecord }>();
  const sectionCache = new Map<string, { key: string; record: SectionRecord }>();
  /**
   * `_data` as this instance last saw it: its last scan plus its own commits since. Used as the
   * "before" signature of the next index render, which saves a full scan per write.
   */
  let known: DataScan | null = null;
  const withArticleLock = keyedLock();
  const withSectionLock = singleLock();

  const articleFile = (id: string) => path.join(articlesDir, `${id}.json`);
  const sectionFile = (id: string) => path.join(sectionsDir, `${id}.json`);

  function scanData(): DataScan {
    const scan = { articles: scanFolder(articlesDir), sections: scanFolder(sectionsDir) };
    known = { articles: new Map(scan.articles), sections: new Map(scan.sections) };
    return scan;
  }

  /** Keeps `known` up to date with this instance's own commits. */
  function noteCommit(kind: keyof DataScan, name: string, stats: Stats): void {
    known?.[kind].set(name, statKey(stats));
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

  let siteIdentity: Promise<SiteIdentity> | undefined;
  /** The site's id and birth time (for feed ids), created once by whichever process comes first. */
  function getSiteIdentity(): Promise<SiteIdentity> {
    siteIdentity ??= readSiteIdentity(path.join(dataDir, 'site.json'));
    siteIdentity.catch(() => {
      siteIdentity = undefined;
    });
    return siteIdentity;
  }

  /**
   * Creates a section file unless one with that id exists (then null): two processes creating the
   * same name agree on one file, and a different section never overwrites one already there.
   */
  async function createSectionFile(record: SectionRecord): Promise<boolean> {
    const stats = await createExclusive(sectionFile(record.id), jsonOf(record));
    if (stats === null) return false;
    sectionCache.set(record.id, { key: statKey(stats), record });
    noteCommit('sections', record.id, stats);
    return true;
  }

  /** The last scan plus this instance's own commits since (null before the first scan). */
  const knownScan = (): DataScan | null =>
    known ? { articles: new Map(known.articles), sections: new Map(known.sections) } : null;

  /** Every section, read fresh from the folder. */
  const currentSections = () => loadSections({ articles: new Map(), sections: scanFolder(sectionsDir) });

  return {
    scanData,
    knownScan,
    loadArticles,
    loadSections,
    currentSections,
    readArticle,
    readSection,
    saveArticle,
    createSectionFile,
    withArticleLock,
    withSectionLock,
    getSiteIdentity,
  };
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

/** Runs per key one after another (writes to one article), never two at once. */
function keyedLock() {
  const locks = new Map<string, Promise<void>>();
  return <T>(id: string, run: () => Promise<T>): Promise<T> => {
    const previous = locks.get(id) ?? Promise.resolve();
    const result = previous.then(run);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    locks.set(id, tail);
    void tail.then(() => {
      if (locks.get(id) === tail) locks.delete(id);
    });
    return result;
  };
}

/** Runs one after another (section creations). */
function singleLock() {
  let lock: Promise<void> = Promise.resolve();
  return <T>(run: () => Promise<T>): Promise<T> => {
    const result = lock.then(run);
    lock = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };
}

async function readSiteIdentity(file: string): Promise<SiteIdentity> {
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
}
