import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveDocReferences } from '../core/docs/link-docset.js';
import { escapeHtml } from '../core/html-text.js';
import type { DocPage, DocSet } from '../model/index.js';

export function manifestOf(docSet: DocSet) {
  return {
    ...docSet,
    pages: docSet.pages.map(({ html, ...page }) => ({ ...page, file: htmlFileOf(page) })),
  };
}

export function htmlFileOf(page: Pick<DocPage, 'path'>): string {
  return page.path.replace(/\.md$/i, '.html');
}

/**
 * The DocSet as a browsable folder: one HTML file per page beside its source path, assets copied,
 * manifest.json last. Files whose content hash matches the previous manifest are left alone, so a
 * rebuild after one changed page writes one page (and a crash midway is repaired by the next run:
 * the manifest is only replaced at the end).
 */
export async function writeSite(
  docSet: DocSet,
  out: string,
  readBlobs: (hashes: string[]) => Promise<Map<string, Uint8Array>>,
): Promise<void> {
  const previous = await readPreviousManifest(out);
  const layout = (pages: { id: string; locale: string; path: string }[]) =>
    pages
      .map((p) => `${p.id}\u0000${p.locale}\u0000${p.path}`)
      .sort()
      .join('\n');
  // Relative links depend on where every page lives: any move means rewriting every page.
  const sameLayout = previous !== null && layout(previous.pages) === layout(docSet.pages);
  const previousPage = new Map((previous?.pages ?? []).map((p) => [p.path, p.hash]));
  const previousAsset = new Map((previous?.assets ?? []).map((a) => [a.path, a.hash]));

  const byIdLocale = new Map(docSet.pages.map((p) => [`${p.id}\u0000${p.locale}`, p]));
  const mainLocale = docSet.pages[0]?.locale;
  const writes: (() => Promise<void>)[] = [];
  for (const page of docSet.pages) {
    if (
      sameLayout &&
      previousPage.get(page.path) === page.hash &&
      existsSync(path.join(out, htmlFileOf(page)))
    )
      continue;
    writes.push(async () => {
      const file = htmlFileOf(page);
      const fromDir = path.posix.dirname(file);
      const relative = (target: string) =>
        path.posix.relative(fromDir, target) || path.posix.basename(target);
      const html = resolveDocReferences(page.html, {
        page: (id, anchor) => {
          const target =
            byIdLocale.get(`${id}\u0000${page.locale}`) ?? byIdLocale.get(`${id}\u0000${mainLocale}`);
          const href = target ? relative(htmlFileOf(target)) : '#';
          return anchor === null ? href : `${href}#${anchor}`;
        },
        asset: (assetPath) => relative(assetPath),
      });
      await writeFileIn(out, file, documentFor(page, html));
    });
  }
  const assets = docSet.assets.filter(
    (a) => previousAsset.get(a.path) !== a.hash || !existsSync(path.join(out, a.path)),
  );
  const blobs = await readBlobs(assets.map((a) => a.hash));
  for (const asset of assets) {
    const bytes = blobs.get(asset.hash);
    if (bytes) writes.push(() => writeFileIn(out, asset.path, bytes));
  }
  const current = new Set([...docSet.pages.map(htmlFileOf), ...docSet.assets.map((a) => a.path)]);
  for (const old of [
    ...(previous?.pages ?? []).map(htmlFileOf),
    ...(previous?.assets ?? []).map((a) => a.path),
  ]) {
    if (!current.has(old)) writes.push(() => rm(path.join(out, old), { force: true }));
  }
  await runLimited(writes, 32);
  await writeFileIn(out, 'manifest.json.tmp', `${JSON.stringify(manifestOf(docSet), null, 2)}\n`);
  await rename(path.join(out, 'manifest.json.tmp'), path.join(out, 'manifest.json'));
}

async function readPreviousManifest(out: string): Promise<{
  pages: Pick<DocPage, 'id' | 'locale' | 'path' | 'hash'>[];
  assets: { path: string; hash: string }[];
} | null> {
  try {
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8'));
    return Array.isArray(manifest.pages) && Array.isArray(manifest.assets) ? manifest : null;
  } catch {
    return null;
  }
}

/** Runs tasks with at most `limit` in flight: thousands of small writes without thousands of open files. */
async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

export async function writeFileIn(
  root: string,
  relative: string,
  content: string | Uint8Array,
): Promise<void> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

export { escapeHtml };

/** A standalone HTML page around a sanitised fragment (the title is escaped here). */
export function documentFor(page: { title: string; locale: string }, html: string): string {
  const title = escapeHtml(page.title);
  return `<!doctype html>
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2330}pre{background:#f4f5f7;padding:.8rem;overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #d0d4db;padding:.3rem .6rem}.admonition{border-left:4px solid #4a7bd0;background:#f3f6fc;padding:.2rem 1rem}.admonition-warning,.admonition-caution{border-color:#c9662b;background:#fcf5f0}.admonition-title{font-weight:600}img{max-width:100%}</style>
</head>
<body>
<article>
<h1>${title}</h1>
${html}
</article>
</body>
</html>
`;
}
