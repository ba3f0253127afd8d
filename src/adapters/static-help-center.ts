import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type ArticleRecord,
  collatorFor,
  comparePosition,
  compareText,
  safeFileName,
  slugOf,
} from '../core/help-site/records.js';
import { createSiteRenderer } from '../core/help-site/render.js';
import { normaliseLocale } from '../core/locale.js';
import { publishableAttachment } from '../core/svg.js';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import type {
  ArticleInput,
  AttachmentInput,
  HelpCenterArticle,
  HelpCenterPort,
  HelpCenterSettings,
  VerifyFinding,
} from '../ports/index.js';
import { codeOf, writeAtomic } from './static-site/files.js';
import { createStaticRecords } from './static-site/records.js';
import { createSiteWriter } from './static-site/site-writer.js';

export interface StaticHelpCenterOptions {
  dir: string;
  /** Absolute URL prefix of the site as readers reach it, ending in '/'; default pathToFileURL(dir) + '/'. */
  baseUrl?: string;
  /** Product name, e.g. 'Acme Cloud'. */
  title: string;
  defaultLocale: string;
}

const TRANSIENT_CODES = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'ETIMEDOUT', 'EINTR']);

/**
 * The built-in help centre: a static site on disk, used when there are no Zendesk credentials.
 * The source of truth is one JSON file per article and per section under `_data/`
 * (static-site/records.ts); pages are derived from it after every write by a renderer that does
 * no I/O (core/help-site/render.ts): the written article's own pages, then the indexes (home,
 * section pages, release notes, Atom feed), written by static-site/site-writer.ts. Several
 * processes may publish into the same directory: every file is replaced atomically and the
 * indexes converge without locks. This module is the port: checks, errors, and the order of steps.
 */
export function createStaticHelpCenter(options: StaticHelpCenterOptions): HelpCenterPort {
  const dir = path.resolve(options.dir);
  const baseUrl = withSlash(options.baseUrl ?? pathToFileURL(dir).href);
  const defaultLocale = normaliseLocale(options.defaultLocale);
  if (defaultLocale === null) {
    throw new Error(`static help centre: default locale "${options.defaultLocale}" is not a language tag`);
  }
  const collator = collatorFor(defaultLocale);
  const renderer = createSiteRenderer({
    product: options.title,
    defaultLocale,
    baseUrl,
    feedEntryId: uuidV5,
  });
  const records = createStaticRecords(dir);
  const site = createSiteWriter(dir, records, renderer);
  const ctx: StaticSite = { dir, baseUrl, records, renderer, site };
  const guard = <T>(action: string, run: (commit: () => void) => Promise<T>) => guardFiles(dir, action, run);
  const toArticle = (record: ArticleRecord) => articleOf(ctx, record);

  return {
    kind: 'static',
    site: `static:${dir}`,
    description: `static help centre in ${dir}`,

    verify: (settings) => verifyStaticSite(ctx, settings),
    createArticle: (input) => createArticle(ctx, input),
    uploadAttachment: (articleId, upload) => uploadAttachment(ctx, articleId, upload),
    createSection: (input) => createSection(ctx, input),

    async findArticlesByLabel(label) {
      return guard('reading articles', async () => {
        const articles = await records.loadArticles(records.scanData());
        return articles
          .filter((record) => !record.archived && record.labels.includes(label))
          .sort((a, b) => a.createdAt - b.createdAt || compareText(a.id, b.id))
          .map(toArticle);
      });
    },

    putTranslation: (articleId, locale, input) => putTranslation(ctx, articleId, locale, input),

    async archiveArticle(articleId) {
      return guard(`archiving article ${articleId}`, async (commit) => {
        const indexesChanged = await records.withArticleLock(articleId, async () => {
          const record = await records.readArticle(articleId);
          if (!record) return false;
          const before = renderer.indexFingerprint(record);
          if (!record.archived) {
            record.archived = true;
            await records.saveArticle(record);
          }
          commit();
          await site.renderArticlePages(record);
          return before !== '';
        });
        if (indexesChanged) await site.requestIndexRender();
      });
    },

    async listSections() {
      return guard('reading sections', async () => {
        const sections = await records.currentSections();
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

    async close() {
      await site.requestIndexRender.idle();
    },
  };
}

/** The parts of one static help centre that its operations share. */
interface StaticSite {
  dir: string;
  baseUrl: string;
  records: ReturnType<typeof createStaticRecords>;
  renderer: ReturnType<typeof createSiteRenderer>;
  site: ReturnType<typeof createSiteWriter>;
}

/** Maps file-system errors to DeliveryFailure; once data is committed a failure is ambiguous. */
async function guardFiles<T>(
  dir: string,
  action: string,
  run: (commit: () => void) => Promise<T>,
): Promise<T> {
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

function articleOf({ baseUrl, renderer }: StaticSite, record: ArticleRecord): HelpCenterArticle {
  return {
    id: record.id,
    url: baseUrl + renderer.pageOf(record.id, record.sourceLocale),
    title: record.translations[record.sourceLocale]?.title ?? '',
    locale: record.sourceLocale,
    sectionId: record.sectionId,
    labels: [...record.labels],
    draft: record.draft,
  };
}

function notFound(dir: string, articleId: string): DeliveryFailure {
  return new DeliveryFailure({
    kind: 'permanent',
    status: 404,
    message: `article ${articleId} not found in the static help centre at ${dir}`,
  });
}

function checkLocale(locale: string): string {
  const normalized = normaliseLocale(locale);
  if (normalized === null) {
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

/** The directory is writable; locales are tags; no user segment (the site is public). */
async function verifyStaticSite(
  { dir, records }: StaticSite,
  settings: HelpCenterSettings,
): Promise<VerifyFinding[]> {
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
    if (normaliseLocale(locale) === null) {
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
    const section = await records.readSection(id).catch(() => null);
    findings.push(
      section
        ? { ok: true, check: `section ${id}`, detail: `"${section.name}"` }
        : { ok: true, check: `section ${id}`, detail: 'created on first publish' },
    );
  }
  return findings;
}

async function createArticle(ctx: StaticSite, input: ArticleInput): Promise<HelpCenterArticle> {
  const { dir, records, renderer, site } = ctx;
  return guardFiles(dir, 'creating an article', async (commit) => {
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
    const section = await records.readSection(input.sectionId);
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
      if (await records.saveArticle(record, true)) break;
    }
    commit();
    await records.withArticleLock(record.id, () => site.renderArticlePages(record));
    if (renderer.indexFingerprint(record) !== '') await site.requestIndexRender();
    return articleOf(ctx, record);
  });
}

/** One translation written; the indexes are rendered again only when what they show changed. */
async function putTranslation(
  { dir, baseUrl, records, renderer, site }: StaticSite,
  articleId: string,
  locale: string,
  input: Parameters<HelpCenterPort['putTranslation']>[2],
): Promise<{ url: string }> {
  return guardFiles(dir, `updating article ${articleId}`, async (commit) => {
    const normalized = checkLocale(locale);
    const title = checkTitle(input.title);
    const { url, indexesChanged } = await records.withArticleLock(articleId, async () => {
      const record = await records.readArticle(articleId);
      if (!record) throw notFound(dir, articleId);
      const before = renderer.indexFingerprint(record);
      record.translations[normalized] = {
        title,
        body: input.body,
        draft: input.draft,
        updatedAt: Date.now(),
      };
      if (normalized === record.sourceLocale) record.draft = input.draft;
      await records.saveArticle(record);
      commit();
      await site.renderArticlePages(record);
      return {
        url: baseUrl + renderer.pageOf(record.id, normalized),
        indexesChanged: renderer.indexFingerprint(record) !== before,
      };
    });
    if (indexesChanged) await site.requestIndexRender();
    return { url };
  });
}

/** The bytes under attachments/<article>/, named by their hash; recorded in the article once. */
async function uploadAttachment(
  { dir, baseUrl, records }: StaticSite,
  articleId: string,
  upload: AttachmentInput,
): Promise<{ url: string }> {
  // SVGs are published cleaned: a script in one would run on the help centre's origin.
  const input = publishableAttachment(upload);
  return guardFiles(dir, `uploading ${input.fileName} to article ${articleId}`, async (commit) =>
    records.withArticleLock(articleId, async () => {
      const record = await records.readArticle(articleId);
      if (!record) throw notFound(dir, articleId);
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
        await records.saveArticle(record);
      }
      commit();
      return { url: baseUrl + relative };
    }),
  );
}

/** A section named once: an existing one of that name is returned, a new one gets a free slug. */
async function createSection(
  { dir, records, site }: StaticSite,
  input: Parameters<HelpCenterPort['createSection']>[0],
): Promise<{ id: string; name: string }> {
  return guardFiles(dir, `creating section "${input.name}"`, async (commit) => {
    const name = input.name.trim();
    if (name === '') {
      throw new DeliveryFailure({ kind: 'permanent', status: 400, message: 'a section needs a name' });
    }
    const locale = checkLocale(input.locale);
    const created = await records.withSectionLock(async () => {
      const sections = await records.currentSections();
      const existing = sections.find((s) => s.name === name);
      if (existing) return { id: existing.id, name: existing.name, fresh: false };
      const slug = slugOf(name);
      for (let n = 1; ; n++) {
        const id = n === 1 ? slug : `${slug}-${n}`;
        if (await records.createSectionFile({ id, name, locale, position: input.position }))
          return { id, name, fresh: true };
        const other = await records.readSection(id);
        if (other?.name === name) return { id, name, fresh: false };
      }
    });
    if (created.fresh) {
      commit();
      await site.requestIndexRender();
    }
    return { id: created.id, name: created.name };
  });
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
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
