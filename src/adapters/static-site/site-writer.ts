import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { ArticleRecord } from '../../core/help-site/records.js';
import type { SiteRenderer } from '../../core/help-site/render.js';
import { coalesce, runLimited, statKey, writeAtomic } from './files.js';
import { type DataScan, type StaticRecords, sameScan } from './records.js';

const MAX_RENDER_ROUNDS = 10;

export type SiteWriter = ReturnType<typeof createSiteWriter>;

/**
 * Writes what the renderer makes of the records into `dir`: an article's own pages after each of
 * its writes, and the indexes (home, sections, release notes, Atom feed), converging without locks
 * when several processes publish into the same directory (see `renderIndexes`). Index renders
 * of one instance are coalesced.
 */
export function createSiteWriter(dir: string, records: StaticRecords, renderer: SiteRenderer) {
  /** Index files this instance wrote: content and stat key, to skip rewriting an unchanged file. */
  const written = new Map<string, { content: string; key: string }>();

  /** Writes the article's visible translations and removes the pages of the others. */
  async function renderArticlePages(record: ArticleRecord): Promise<void> {
    const visible = renderer.visibleLocales(record);
    const section = visible.length > 0 ? await records.readSection(record.sectionId) : null;
    const { files, stale } = renderer.articlePages(record, section);
    for (const [page, html] of files) await writeAtomic(path.join(dir, page), html);
    await Promise.all(stale.map((page) => rm(path.join(dir, page), { force: true })));
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
    let scan: DataScan = records.knownScan() ?? records.scanData();
    for (let round = 1; ; round++) {
      const [articles, sections, site] = await Promise.all([
        records.loadArticles(scan),
        records.loadSections(scan),
        records.getSiteIdentity(),
      ]);
      const files = renderer.indexFiles(articles, sections, site);
      const writes = [...files].map(
        ([relative, content]) =>
          () =>
            writeIfChanged(relative, content),
      );
      await runLimited(writes, 16);
      const after = records.scanData();
      if (sameScan(after, scan) || round >= MAX_RENDER_ROUNDS) return;
      scan = after;
    }
  }

  return { renderArticlePages, requestIndexRender: coalesce(renderIndexes) };
}
