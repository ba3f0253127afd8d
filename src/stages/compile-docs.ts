import { createHash } from 'node:crypto';
import { COMPILER_VERSION, type PageSource } from '../core/docs/compile-page.js';
import { linkDocSet } from '../core/docs/link-docset.js';
import { readSections } from '../core/docs/read-sections.js';
import type { CompiledPage, DocAsset, DocMessage, DocSection, DocSet } from '../model/index.js';
import type { DocsCachePort, GitPort, PageCompilerPort } from '../ports/index.js';

export interface CompileDocsInput {
  /** The ref whose docs are compiled (read from git, never from the working tree). */
  ref: string;
  /** Docs directory relative to the repository root. */
  dir: string;
  defaultLocale: string;
}

export interface CompileDocsPorts {
  git: GitPort;
  compiler: PageCompilerPort;
  cache: DocsCachePort;
}

export interface CompileDocsResult {
  docSet: DocSet;
  messages: DocMessage[];
  stats: { pages: number; compiled: number; cached: number; assets: number };
}

const SECTIONS_FILE = 'sections.yml';
const contentTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  json: 'application/json',
  zip: 'application/zip',
};

/**
 * Compile docs: the docs tree as it is at `ref`, compiled page by page (pages whose blob did not
 * change come from the cache: git's blob id is already a content hash), then checked and linked
 * as a whole. Symlinks are reported, never followed.
 */
export async function compileDocs(
  input: CompileDocsInput,
  ports: CompileDocsPorts,
): Promise<CompileDocsResult> {
  const commit = await ports.git.resolve(input.ref);
  const dir = input.dir.replace(/^\.\/+|\/+$/g, '');
  const fileOf = (path: string) => `${dir}/${path}`;
  const [entries, cached] = await Promise.all([ports.git.listTree(commit, dir), ports.cache.load()]);
  const messages: DocMessage[] = [];

  const pagesEntries = entries.filter((e) => e.mode !== '120000' && e.path.toLowerCase().endsWith('.md'));
  const symlinks = entries.filter((e) => e.mode === '120000');
  const assets: DocAsset[] = entries
    .filter((e) => e.mode !== '120000' && !e.path.toLowerCase().endsWith('.md') && e.path !== SECTIONS_FILE)
    .map((e) => ({
      path: e.path,
      hash: e.hash,
      size: e.size,
      contentType: contentTypes[e.path.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream',
    }));
  const sectionsEntry = entries.find((e) => e.path === SECTIONS_FILE && e.mode !== '120000');

  const keyOf = (e: { path: string; hash: string }) =>
    createHash('sha256')
      .update(`${COMPILER_VERSION}\0${dir}\0${e.path}\0${e.hash}\0${input.defaultLocale}`)
      .digest('hex');
  const keys = pagesEntries.map(keyOf);
  const misses = pagesEntries.filter((_, i) => !cached.has(keys[i]!));
  const blobs = await ports.git.readBlobs([
    ...new Set([
      ...misses.map((e) => e.hash),
      ...symlinks.map((e) => e.hash),
      ...(sectionsEntry ? [sectionsEntry.hash] : []),
    ]),
  ]);

  for (const link of symlinks) {
    const target = blobs.get(link.hash)?.toString('utf8') ?? '?';
    messages.push({
      file: fileOf(link.path),
      line: 1,
      column: 1,
      message: `symbolic link to "${target}" is not followed; copy the file into the docs instead`,
      ruleId: 'symlink',
      severity: 'error',
    });
  }

  let sections: DocSection[] | null = null;
  if (sectionsEntry) {
    const read = readSections(blobs.get(sectionsEntry.hash)?.toString('utf8') ?? '', fileOf(SECTIONS_FILE));
    sections = read.sections;
    messages.push(...read.messages);
  }

  const sources: PageSource[] = misses.map((e) => ({
    path: e.path,
    file: fileOf(e.path),
    bytes: blobs.get(e.hash) ?? new Uint8Array(),
    defaultLocale: input.defaultLocale,
  }));
  const compiled = await ports.compiler.compile(sources);
  const fresh = new Map(misses.map((e, i) => [keyOf(e), compiled[i]!]));
  const keep = new Map<string, CompiledPage>();
  const pages = pagesEntries.map((_, i) => {
    const key = keys[i]!;
    const page = fresh.get(key) ?? cached.get(key)!;
    keep.set(key, page);
    return page;
  });
  if (misses.length > 0 || keep.size !== cached.size) await ports.cache.save(keep);

  const linked = linkDocSet({
    ref: input.ref,
    commit,
    dir,
    fileOf,
    pages,
    assets,
    sections,
    defaultLocale: input.defaultLocale,
    hash: (text) => createHash('sha256').update(text).digest('hex'),
  });
  return {
    docSet: linked.docSet,
    messages: [...messages, ...linked.messages].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
    ),
    stats: {
      pages: pages.length,
      compiled: misses.length,
      cached: pages.length - misses.length,
      assets: assets.length,
    },
  };
}
