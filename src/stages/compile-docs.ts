import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import { COMPILER_VERSION, type PageSource } from '../core/docs/compile-page.js';
import { dirnameOf, joinDocPath } from '../core/docs/doc-paths.js';
import {
  applyRuleSeverities,
  type DocsFlavor,
  flavorDefaults,
  type RuleSeverity,
} from '../core/docs/flavors.js';
import { linkDocSet } from '../core/docs/link-docset.js';
import { readSections } from '../core/docs/read-sections.js';
import { sanitizeSvg } from '../core/svg.js';
import type { CompiledPage, DocAsset, DocMessage, DocSection, DocSet } from '../model/index.js';
import type { DocsCachePort, GitPort, PageCompilerPort } from '../ports/index.js';

export interface CompileDocsInput {
  /** The ref whose docs are compiled (read from git, never from the working tree). */
  ref: string;
  /** Docs directory relative to the repository root. */
  dir: string;
  defaultLocale: string;
  /** Whose conventions the tree follows; sets the defaults below. Default: Herald's own. */
  flavor?: DocsFlavor;
  /** Globs (relative to the docs dir) of files that are not part of the docs. */
  exclude?: string[];
  /** Folders served at the site root, relative to the docs dir; default: the flavor's. */
  assetDirs?: string[];
  /** Severity per rule id, over the flavor's defaults. */
  rules?: Record<string, RuleSeverity>;
  /** Web URL of the repository: links to files outside the docs become links there. */
  repositoryUrl?: string | null;
  /** Section of the pages at the docs root. */
  rootSection?: { id: string; title: string } | null;
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
  const cached = ports.cache.load(); // parsed while git lists the tree
  const tree = await readDocsTree(input, ports);
  const { commit, dir, fileOf } = tree;
  const { pages, misses, blobs } = await compileOrReuse(input, tree, await cached, ports);
  const messages: DocMessage[] = await placeSymlinks(tree, blobs, ports.git);
  const sections = sectionsOf(tree, blobs, messages);
  const defaults = flavorDefaults[tree.flavor];
  const outside = await listOutsideFiles(
    ports.git,
    commit,
    dir,
    pages,
    input.assetDirs ?? defaults.assetDirs,
    tree.assets,
  );
  const linked = linkDocSet({
    ref: input.ref,
    commit,
    dir,
    fileOf,
    pages,
    assets: tree.assets,
    sections,
    defaultLocale: input.defaultLocale,
    hash: (text) => createHash('sha256').update(text).digest('hex'),
    ...outside,
    repositoryUrl: input.repositoryUrl ?? null,
    routeBase: defaults.routeBase,
    rootSection: input.rootSection ?? null,
  });
  const rules = { ...defaults.rules, ...input.rules };
  const drawings = await checkDrawings(linked.docSet.assets, ports.git, fileOf);
  return {
    docSet: linked.docSet,
    messages: applyRuleSeverities([...messages, ...linked.messages, ...drawings], rules).sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
    ),
    stats: {
      pages: pages.length,
      compiled: misses,
      cached: pages.length - misses,
      assets: tree.assets.length,
    },
  };
}

/** The docs tree at a commit, sorted into pages, symlinks, static files and the sections file. */
interface DocsTree {
  commit: string;
  dir: string;
  flavor: DocsFlavor;
  fileOf: (path: string) => string;
  pages: TreeEntry[];
  symlinks: TreeEntry[];
  /** Static files; symlinks to repository files are added as they are resolved. */
  assets: DocAsset[];
  sectionsFile: TreeEntry | undefined;
}

async function readDocsTree(input: CompileDocsInput, ports: CompileDocsPorts): Promise<DocsTree> {
  const commit = await ports.git.resolve(input.ref);
  const dir = input.dir.replace(/^\.\/+|\/+$/g, '');
  const excluded = picomatch(input.exclude?.length ? input.exclude : ['\0'], { dot: true });
  const entries = (await ports.git.listTree(commit, dir)).filter((e) => !excluded(e.path));
  const isLink = (e: TreeEntry) => e.mode === '120000';
  const isPage = (e: TreeEntry) => e.path.toLowerCase().endsWith('.md');
  return {
    commit,
    dir,
    flavor: input.flavor ?? 'herald',
    fileOf: (path: string) => `${dir}/${path}`,
    pages: entries.filter((e) => !isLink(e) && isPage(e)),
    symlinks: entries.filter(isLink),
    assets: entries
      .filter((e) => !isLink(e) && !isPage(e) && e.path !== SECTIONS_FILE)
      .map((e) => assetOf(e, e.path)),
    sectionsFile: entries.find((e) => e.path === SECTIONS_FILE && !isLink(e)),
  };
}

/**
 * Pages from the cache where their blob is known, the rest compiled; one batch read of git for
 * every blob this run needs (the pages to compile, symlink targets, the sections file).
 */
async function compileOrReuse(
  input: CompileDocsInput,
  tree: DocsTree,
  cached: Map<string, CompiledPage>,
  ports: CompileDocsPorts,
): Promise<{ pages: CompiledPage[]; misses: number; blobs: Map<string, Buffer> }> {
  const keyOf = (e: { path: string; hash: string }) =>
    createHash('sha256')
      .update(
        `${COMPILER_VERSION}\0${tree.dir}\0${e.path}\0${e.hash}\0${input.defaultLocale}\0${tree.flavor}`,
      )
      .digest('hex');
  const keys = tree.pages.map(keyOf);
  const misses = tree.pages.filter((_, i) => !cached.has(keys[i]!));
  const others = new Set([
    ...tree.symlinks.map((e) => e.hash),
    ...(tree.sectionsFile ? [tree.sectionsFile.hash] : []),
  ]);
  const blobs = await ports.git.readBlobs([...new Set([...misses.map((e) => e.hash), ...others])]);
  const sources: PageSource[] = misses.map((e) => ({
    path: e.path,
    file: tree.fileOf(e.path),
    bytes: blobs.get(e.hash) ?? new Uint8Array(),
    defaultLocale: input.defaultLocale,
    flavor: tree.flavor,
  }));
  // Only the compiler keeps the pages' bytes (and lets go of each when it is compiled).
  for (const e of misses) if (!others.has(e.hash)) blobs.delete(e.hash);
  const compiled = await ports.compiler.compile(sources);
  const fresh = new Map(misses.map((e, i) => [keyOf(e), compiled[i]!]));
  const keep = new Map<string, CompiledPage>();
  const pages = keys.map((key) => {
    const page = fresh.get(key) ?? cached.get(key)!;
    // A page stopped for taking too long is tried again next time (the machine may have been busy).
    if (!page.messages.some((m) => m.ruleId === 'too-complex')) keep.set(key, page);
    return page;
  });
  if (misses.length > 0 || keep.size !== cached.size) await ports.cache.save(keep);
  return { pages, misses: misses.length, blobs };
}

/** Symlinks to repository files become assets; every other symlink is an error, never followed. */
async function placeSymlinks(
  tree: DocsTree,
  blobs: Map<string, Buffer>,
  git: GitPort,
): Promise<DocMessage[]> {
  const messages: DocMessage[] = [];
  for (const link of tree.symlinks) {
    const target = blobs.get(link.hash)?.toString('utf8') ?? '?';
    const file = link.path.toLowerCase().endsWith('.md')
      ? null
      : await symlinkedFile(git, tree.commit, tree.fileOf(link.path), target);
    if (file) {
      tree.assets.push(assetOf(file, link.path));
      continue;
    }
    messages.push({
      file: tree.fileOf(link.path),
      line: 1,
      column: 1,
      message: `symbolic link to "${target}" is not followed (only a link from a static file to a file of the repository is); copy the file into the docs instead`,
      ruleId: 'symlink',
      severity: 'error',
    });
  }
  return messages;
}

/** The sections file's sections (its problems added to `messages`), or null without one. */
function sectionsOf(tree: DocsTree, blobs: Map<string, Buffer>, messages: DocMessage[]): DocSection[] | null {
  if (!tree.sectionsFile) return null;
  const read = readSections(
    blobs.get(tree.sectionsFile.hash)?.toString('utf8') ?? '',
    tree.fileOf(SECTIONS_FILE),
  );
  messages.push(...read.messages);
  return read.sections;
}

/**
 * SVGs as the help centre will get them: what cleaning takes out (scripts, handlers, outside
 * references) is a warning; a drawing that cannot be published at all is an error, found now.
 */
async function checkDrawings(
  assets: DocAsset[],
  git: GitPort,
  fileOf: (path: string) => string,
): Promise<DocMessage[]> {
  const at = (path: string, p: { line: number; column: number }) => ({
    file: fileOf(path),
    line: p.line,
    column: p.column,
  });
  const messages: DocMessage[] = assets
    .filter((a) => a.path.toLowerCase().endsWith('.svgz'))
    .map((a) => ({
      ...at(a.path, { line: 1, column: 1 }),
      message:
        'a compressed SVG cannot be checked for scripts, so it is not published: commit it as a plain .svg',
      ruleId: 'svg-invalid',
      severity: 'error',
    }));
  const svgs = assets.filter((a) => a.contentType === 'image/svg+xml');
  if (svgs.length === 0) return messages;
  const blobs = await git.readBlobs([...new Set(svgs.map((a) => a.hash))]);
  for (const asset of svgs) {
    const result = sanitizeSvg(blobs.get(asset.hash)?.toString('utf8') ?? '');
    if (result.refused)
      messages.push({
        ...at(asset.path, result.refused),
        message: `${result.refused.message}; it cannot be published: export it again as a plain SVG, or as a PNG`,
        ruleId: 'svg-invalid',
        severity: 'error',
      });
    for (const removed of result.removed)
      messages.push({
        ...at(asset.path, removed),
        message: `${removed.message}: published without it`,
        ruleId: 'svg-unsafe',
        severity: 'warning',
      });
  }
  return messages;
}

function assetOf(entry: { hash: string; size: number }, path: string): DocAsset {
  return {
    path,
    hash: entry.hash,
    size: entry.size,
    contentType: contentTypes[path.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream',
  };
}

type TreeEntry = { path: string; mode: string; hash: string; size: number };

/**
 * Files outside the docs that pages need: the static asset folders (served at the site root,
 * the first folder wins) and the folders of the repository files pages link to. Read from git
 * at the same commit; only the folders actually referred to are listed.
 */
async function listOutsideFiles(
  git: GitPort,
  commit: string,
  dir: string,
  pages: CompiledPage[],
  assetDirs: string[],
  docsAssets: DocAsset[],
): Promise<{ served: Map<string, DocAsset>; repoFiles: Map<string, DocAsset>; repoDirs: Set<string> }> {
  const served = new Map<string, DocAsset>();
  const listings = new Map<string, Promise<TreeEntry[]>>();
  const list = (folder: string) => {
    if (!listings.has(folder))
      listings.set(
        folder,
        git.listTree(commit, folder).catch(() => []),
      );
    return listings.get(folder)!;
  };
  for (const assetDir of assetDirs) {
    const inDocs = joinDocPath('', assetDir);
    if (inDocs !== null && !assetDir.startsWith('..')) {
      for (const asset of docsAssets)
        if (asset.path.startsWith(`${inDocs}/`)) {
          const at = asset.path.slice(inDocs.length + 1);
          if (!served.has(at)) served.set(at, asset);
        }
      continue;
    }
    const inRepo = joinDocPath(dir, assetDir);
    if (inRepo === null || inRepo === '') continue;
    for (const e of await list(inRepo))
      if (e.mode !== '120000' && !served.has(e.path)) served.set(e.path, assetOf(e, `_static/${e.path}`));
  }
  const repoFiles = new Map<string, DocAsset>();
  const repoDirs = new Set<string>();
  const wanted = new Set(
    pages
      .flatMap((p) => [...p.links, ...p.assets])
      .filter((r) => r.scope === 'repo')
      .map((r) => r.path),
  );
  for (const path of wanted) {
    // A link may name a folder (`../src`) or a file (`../src/a.ts`): list both as folders.
    for (const folder of [dirnameOf(path), path]) {
      if (folder === '') continue;
      for (const e of await list(folder)) {
        const full = `${folder}/${e.path}`;
        if (e.mode === '120000') continue;
        repoFiles.set(full, assetOf(e, `_repo/${full}`));
        for (let d = dirnameOf(full); d !== '' && !repoDirs.has(d); d = dirnameOf(d)) repoDirs.add(d);
      }
    }
    if (!path.includes('/') && !repoDirs.has(path) && !repoFiles.has(path)) {
      // A file at the repository root: no folder to list, read the one file.
      const bytes = await git.readFile(commit, path).catch(() => null);
      if (bytes) {
        const hash = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
        repoFiles.set(path, assetOf({ hash, size: bytes.length }, `_repo/${path}`));
      }
    }
  }
  return { served, repoFiles, repoDirs };
}

/**
 * The file a symbolic link of the docs names, read from git at the same commit, when it is a
 * plain file inside the repository (`public/logo.svg -> ../../art/logo.svg`): what a site
 * generator serves. Links out of the repository, to folders or to other links are not followed.
 */
async function symlinkedFile(
  git: GitPort,
  commit: string,
  file: string,
  target: string,
): Promise<TreeEntry | null> {
  if (target.startsWith('/')) return null;
  const resolved = joinDocPath(dirnameOf(file), target);
  if (resolved === null || !resolved.includes('/')) return null;
  const folder = dirnameOf(resolved);
  const name = resolved.slice(folder.length + 1);
  const entries = await git.listTree(commit, folder).catch(() => []);
  return entries.find((e) => e.path === name && e.mode !== '120000') ?? null;
}
