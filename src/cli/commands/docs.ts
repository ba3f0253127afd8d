import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createFsDocsCache } from '../../adapters/fs-docs-cache.js';
import { createGitCli } from '../../adapters/git-cli.js';
import { createPageCompiler } from '../../adapters/page-compiler.js';
import { loadConfig } from '../../config/load-config.js';
import { diffDocSets, resolveDocReferences } from '../../core/docs/link-docset.js';
import { errors } from '../../errors/index.js';
import type { DocMessage, DocPage, DocSet } from '../../model/index.js';
import { type CompileDocsResult, compileDocs } from '../../stages/compile-docs.js';
import { parseCommandArgs } from '../args.js';
import type { Output } from '../output.js';

export { docsHelp } from './docs-help.js';

const options = {
  ref: { type: 'string' },
  out: { type: 'string' },
  strict: { type: 'boolean' },
} as const;

export async function runDocs(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, options, 'docs');
  const [action, ...rest] = positionals;
  const git = createGitCli(cwd);
  const root = await git.root();
  const { config } = await loadConfig(root, values.config);
  const ports = {
    git,
    compiler: createPageCompiler(),
    cache: createFsDocsCache(path.join(root, '.herald', 'cache', 'docs.json')),
  };
  const compile = (ref: string) =>
    compileDocs({ ref, dir: config.docs.dir, defaultLocale: config.docs.locale }, ports);

  switch (action) {
    case 'check': {
      const result = await compile(values.ref ?? 'HEAD');
      return report(result, output, values.strict === true);
    }
    case 'build': {
      const result = await compile(values.ref ?? 'HEAD');
      const code = report(result, output, values.strict === true, true);
      if (code !== 0) return code;
      const out = path.resolve(cwd, values.out ?? path.join(root, '.herald', 'docs'));
      await writeSite(result.docSet, out, git);
      if (output.json)
        output.out(
          JSON.stringify(
            { ok: true, out, stats: result.stats, manifest: manifestOf(result.docSet) },
            null,
            2,
          ),
        );
      else
        output.info(
          `Built ${result.stats.pages} pages (${result.stats.compiled} compiled, ${result.stats.cached} from cache) and ${result.stats.assets} assets into ${path.relative(process.cwd(), out) || '.'}.`,
        );
      return 0;
    }
    case 'diff': {
      const [from, to] = rest;
      if (!from || !to)
        throw errors.usage(
          'herald docs diff needs two refs',
          'Run `herald docs diff <fromRef> <toRef>`, e.g. `herald docs diff v1.0.0 v1.1.0`.',
        );
      const [before, after] = [await compile(from), await compile(to)];
      const diff = diffDocSets(before.docSet, after.docSet);
      if (output.json) {
        output.out(JSON.stringify({ ok: true, from, to, ...diff }, null, 2));
      } else {
        const lines = [
          ...diff.added.map((id) => `added    ${id}`),
          ...diff.changed.map((id) => `changed  ${id}`),
          ...diff.renamed.map((r) => `renamed  ${r.id}  ${r.from} → ${r.to}`),
          ...diff.removed.map((id) => `removed  ${id}`),
        ];
        output.out(lines.length > 0 ? lines.join('\n') : 'No page changed.');
        output.info(
          `${diff.added.length} added, ${diff.changed.length} changed, ${diff.renamed.length} renamed, ${diff.removed.length} removed, ${diff.unchanged} unchanged.`,
        );
      }
      return 0;
    }
    default:
      throw errors.usage(
        action ? `unknown docs action "${action}"` : 'herald docs needs an action',
        'Use `herald docs build`, `herald docs check` or `herald docs diff <from> <to>`.',
      );
  }
}

/** Prints problems as `file:line:column  message  [rule]`; returns the exit code. */
function report(result: CompileDocsResult, output: Output, strict: boolean, quietWhenClean = false): number {
  const errorsFound = result.messages.filter((m) => m.severity === 'error');
  const warnings = result.messages.filter((m) => m.severity === 'warning');
  const failed = errorsFound.length > 0 || (strict && warnings.length > 0);
  if (output.json && (failed || !quietWhenClean)) {
    output.out(
      JSON.stringify(
        {
          ok: !failed,
          errors: errorsFound.length,
          warnings: warnings.length,
          messages: result.messages,
          stats: result.stats,
        },
        null,
        2,
      ),
    );
  } else if (!output.json) {
    const lines = result.messages.map(formatMessage);
    if (lines.length > 0) output.info(lines.join('\n'));
    if (!quietWhenClean || failed || lines.length > 0) {
      output.info(
        `${result.stats.pages} pages: ${errorsFound.length} error${errorsFound.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}${strict ? ' (strict)' : ''}.`,
      );
    }
  }
  return failed ? 1 : 0;
}

export function formatMessage(m: DocMessage): string {
  return `${m.file}:${m.line}:${m.column}  ${m.severity === 'warning' ? 'warning  ' : ''}${m.message}  [${m.ruleId}]`;
}

function manifestOf(docSet: DocSet) {
  return {
    ...docSet,
    pages: docSet.pages.map(({ html, ...page }) => ({ ...page, file: htmlFileOf(page) })),
  };
}

function htmlFileOf(page: Pick<DocPage, 'path'>): string {
  return page.path.replace(/\.md$/i, '.html');
}

/**
 * The DocSet as a browsable folder: one HTML file per page beside its source path, assets copied,
 * manifest.json last. Files whose content hash matches the previous manifest are left alone, so a
 * rebuild after one changed page writes one page (and a crash midway is repaired by the next run:
 * the manifest is only replaced at the end).
 */
async function writeSite(docSet: DocSet, out: string, git: ReturnType<typeof createGitCli>): Promise<void> {
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
  const blobs = await git.readBlobs(assets.map((a) => a.hash));
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

async function writeFileIn(root: string, relative: string, content: string | Uint8Array): Promise<void> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

function documentFor(page: DocPage, html: string): string {
  const title = page.title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
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
