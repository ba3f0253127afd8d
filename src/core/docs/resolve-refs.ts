import type { CompiledPage, DocAsset, DocRef } from '../../model/index.js';
import { forgeOf } from '../links.js';

/** What the rest of the tree and the repository offer a reference. */
export interface RefTargets {
  pagesByPath: Map<string, CompiledPage>;
  /** Pages by the URL path the generator serves them at, when frontmatter moved them. */
  routes: Map<string, CompiledPage>;
  /** Files of the docs tree by docs-relative path. */
  treeAssets: Map<string, DocAsset>;
  /** Files of the static asset folders by the path the site serves them at (`/logo.png`). */
  served: Map<string, DocAsset>;
  /** Files outside the docs that pages refer to, by repository path. */
  repoFiles: Map<string, DocAsset>;
  /** Folders of the repository that hold those (for links to a folder). */
  repoDirs: Set<string>;
  /** The docs' URL prefix in the site: `/docs/intro` is the page `intro` (Docusaurus). */
  routeBase: string;
  repositoryUrl: string | null;
  commit: string;
}

export type Resolution =
  | { kind: 'page'; page: CompiledPage }
  | { kind: 'asset'; asset: DocAsset }
  | { kind: 'url'; url: string }
  /** Not checkable here (a site route outside the docs, no repository URL): kept as written. */
  | { kind: 'unchecked'; why: string }
  | { kind: 'missing'; message: string; ruleId: 'broken-link' | 'missing-asset' };

/**
 * Resolves one link or image the way the site generators do: `a/b`, `a/b.md`, `a/b.html`,
 * `a/b/` (its `index.md` or `README.md`), `/a/b` from the site root, static files served from
 * the root, and files elsewhere in the repository as repository URLs.
 */
export function resolveRef(ref: DocRef, image: boolean, targets: RefTargets): Resolution {
  if (ref.scope === 'repo') {
    // MkDocs' folder-URL reading of `../x` may stay inside the docs where the file reading leaves.
    if (ref.alternate !== null) {
      const inDocs = resolveRef(
        { ...ref, scope: 'docs', path: ref.alternate, alternate: null },
        image,
        targets,
      );
      if (inDocs.kind === 'page' || inDocs.kind === 'asset') return inDocs;
    }
    return resolveRepoRef(ref, image, targets);
  }
  const paths = ref.alternate === null ? [ref.path] : [ref.path, ref.alternate];
  let docsPaths = paths;
  if (ref.scope === 'root' && targets.routeBase !== '') {
    const base = targets.routeBase;
    const under = ref.path === base || ref.path.startsWith(`${base}/`);
    if (under) docsPaths = [ref.path.slice(base.length + 1)];
    else docsPaths = [];
  }
  if (!image) {
    for (const path of docsPaths) {
      const page = findPage(path, targets);
      if (page) return { kind: 'page', page };
    }
  }
  for (const path of docsPaths) {
    const asset = targets.treeAssets.get(path);
    if (asset) return { kind: 'asset', asset };
  }
  if (ref.scope === 'root') {
    const asset = targets.served.get(ref.path);
    if (asset) return { kind: 'asset', asset };
    if (docsPaths.length === 0 && !image && looksLikePage(ref.path))
      return { kind: 'unchecked', why: `/${ref.path} is outside the docs (/${targets.routeBase}/)` };
  }
  const shown = docsPaths[0] ?? ref.path;
  if (!image && looksLikePage(shown))
    return { kind: 'missing', message: `link to ${shown || '/'}: no such page`, ruleId: 'broken-link' };
  return { kind: 'missing', message: `${shown}: no such file in the docs tree`, ruleId: 'missing-asset' };
}

function resolveRepoRef(ref: DocRef, image: boolean, targets: RefTargets): Resolution {
  const file = targets.repoFiles.get(ref.path);
  if (image) {
    return file
      ? { kind: 'asset', asset: file }
      : { kind: 'missing', message: `${ref.path}: no such file in the repository`, ruleId: 'missing-asset' };
  }
  const isDir = !file && (ref.path === '' || targets.repoDirs.has(ref.path));
  if (!file && !isDir)
    return {
      kind: 'missing',
      message: `link to ${ref.path}: no such file in the repository`,
      ruleId: 'broken-link',
    };
  if (targets.repositoryUrl === null)
    return {
      kind: 'unchecked',
      why: `${ref.path} is outside the docs and there is no repository URL to link to`,
    };
  const repo = targets.repositoryUrl.replace(/\/+$/, '');
  const kind = isDir ? 'tree' : 'blob';
  const prefix = forgeOf(repo) === 'gitlab' ? `${repo}/-/${kind}` : `${repo}/${kind}`;
  const anchor = ref.anchor === null ? '' : `#${encodeURIComponent(ref.anchor)}`;
  return { kind: 'url', url: `${prefix}/${targets.commit}/${encodePath(ref.path)}${anchor}` };
}

function findPage(path: string, targets: RefTargets): CompiledPage | null {
  const routed = targets.routes.get(path.replace(/\/+$/, ''));
  if (routed) return routed;
  const stem = path.replace(/\/+$/, '');
  const candidates = /\.md$/i.test(stem)
    ? [stem]
    : /\.html?$/i.test(stem)
      ? [stem.replace(/\.html?$/i, '.md'), stem.replace(/(^|\/)index\.html?$/i, '$1index.md')]
      : [`${stem}.md`, ...['index.md', 'README.md', 'readme.md'].map((f) => (stem ? `${stem}/${f}` : f))];
  for (const candidate of candidates) {
    const page = targets.pagesByPath.get(candidate);
    if (page) return page;
  }
  return null;
}

/** `guide/setup`, `guide/`, `setup.md`, `setup.html`: a page, not a file such as `logo.png`. */
function looksLikePage(path: string): boolean {
  const name = path.split('/').pop() ?? '';
  return name === '' || !name.includes('.') || /\.(md|html?)$/i.test(name);
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
