import type {
  CompiledPage,
  DocAsset,
  DocLink,
  DocMessage,
  DocPage,
  DocSection,
  DocSet,
  DocSetDiff,
} from '../../model/index.js';
import { type RefTargets, type Resolution, resolveRef } from './resolve-refs.js';

export interface LinkInput {
  ref: string;
  commit: string;
  dir: string;
  /** Path of a page as shown in messages, from its docs-relative path. */
  fileOf: (path: string) => string;
  pages: CompiledPage[];
  assets: DocAsset[];
  /** Declared sections; null when the tree has no sections.yml (sections then come from folders). */
  sections: DocSection[] | null;
  defaultLocale: string;
  /** Content hash of a string (sha256 hex in production). */
  hash: (text: string) => string;
  /** Files of the static asset folders, by the path the site serves them at. */
  served?: Map<string, DocAsset>;
  /** Files outside the docs that pages refer to, by repository path, and the folders holding them. */
  repoFiles?: Map<string, DocAsset>;
  repoDirs?: Set<string>;
  /** Web URL of the repository: links to its files outside the docs point there. */
  repositoryUrl?: string | null;
  /** The docs' URL prefix in the site (`docs` for Docusaurus' `/docs/…`). */
  routeBase?: string;
  /** The section of pages at the docs root (they have no folder to name one). */
  rootSection?: { id: string; title: string } | null;
}

type Report = (
  path: string,
  line: number,
  column: number,
  message: string,
  ruleId: string,
  severity?: DocMessage['severity'],
) => void;

type Resolved = Map<string, { links: Resolution[]; images: Resolution[] }>;

/**
 * Pure: checks the pages against each other (ids, titles, sections, links, anchors, images) and
 * resolves page links to ids: `herald:doc/<path>#a` becomes `herald:page/<id>#a`, which a
 * publisher rewrites to real article URLs. Collects every problem; draft pages are checked but
 * not part of the DocSet.
 */
export function linkDocSet(input: LinkInput): { docSet: DocSet; messages: DocMessage[] } {
  const messages: DocMessage[] = input.pages.flatMap((p) => p.messages);
  const report: Report = (path, line, column, message, ruleId, severity = 'error') =>
    messages.push({ file: input.fileOf(path), line, column, message, ruleId, severity });

  // Declared sections (sections.yml) are the whole list: a root page names its own there.
  const rootSection = input.sections === null ? (input.rootSection ?? null) : null;
  const pages =
    rootSection === null
      ? input.pages
      : input.pages.map((p) =>
          p.meta.section === '' ? { ...p, meta: { ...p.meta, section: rootSection.id } } : p,
        );
  const targets = refTargetsOf(input, pages);
  const resolved: Resolved = new Map(
    pages.map((page) => [
      page.path,
      {
        links: page.links.map((ref) => resolveRef(ref, false, targets)),
        images: page.assets.map((ref) => resolveRef(ref, true, targets)),
      },
    ]),
  );

  const seenIds = checkIdsAndTitles(pages, input.fileOf, report);
  const sections = input.sections ?? sectionsFromFolders(pages, rootSection);
  checkSectionsAndTranslations(pages, sections, seenIds, input.defaultLocale, report);
  const anchorsOf = new Map(pages.map((p) => [p.path, new Set(p.anchors)]));
  for (const page of pages) checkReferences(page, resolved, anchorsOf, report);

  const extraAssets = new Map<string, DocAsset>();
  const docPages = pages
    .filter((p) => !p.meta.draft)
    .map((page) =>
      toDocPage(page, resolved, input.hash, (asset) => {
        if (!targets.treeAssets.has(asset.path)) extraAssets.set(asset.path, asset);
      }),
    );
  docPages.sort((a, b) => a.path.localeCompare(b.path));

  return {
    docSet: {
      schemaVersion: 1,
      ref: input.ref,
      commit: input.commit,
      dir: input.dir,
      sections,
      pages: docPages,
      assets: [...input.assets, ...[...extraAssets.values()].sort((a, b) => a.path.localeCompare(b.path))],
    },
    messages,
  };
}

/** What a page's links and images may point at: pages by path and route, assets, repository files. */
function refTargetsOf(input: LinkInput, pages: CompiledPage[]): RefTargets {
  return {
    pagesByPath: new Map(pages.map((p) => [p.path, p])),
    routes: new Map(pages.filter((p) => p.route !== null).map((p) => [p.route!, p])),
    treeAssets: new Map(input.assets.map((a) => [a.path, a])),
    served: input.served ?? new Map(),
    repoFiles: input.repoFiles ?? new Map(),
    repoDirs: input.repoDirs ?? new Set(),
    routeBase: input.routeBase ?? '',
    repositoryUrl: input.repositoryUrl ?? null,
    commit: input.commit,
  };
}

/** Duplicate ids (an error) and titles (a warning) per locale; returns the pages by locale and id. */
function checkIdsAndTitles(
  pages: CompiledPage[],
  fileOf: (path: string) => string,
  report: Report,
): Map<string, CompiledPage> {
  const seenIds = new Map<string, CompiledPage>();
  const seenTitles = new Map<string, CompiledPage>();
  for (const page of pages) {
    const key = `${page.meta.locale}\u0000${page.meta.id}`;
    const first = seenIds.get(key);
    if (first)
      report(
        page.path,
        1,
        1,
        `id "${page.meta.id}" is already used by ${fileOf(first.path)}`,
        'duplicate-id',
      );
    else seenIds.set(key, page);
    const titleKey = `${page.meta.locale}\u0000${page.meta.title.toLowerCase()}`;
    const sameTitle = seenTitles.get(titleKey);
    if (page.meta.title !== '' && sameTitle) {
      report(
        page.path,
        1,
        1,
        `title "${page.meta.title}" is also the title of ${fileOf(sameTitle.path)}`,
        'duplicate-title',
        'warning',
      );
    } else seenTitles.set(titleKey, page);
  }
  return seenIds;
}

/** Every page is in a known section, and every translation has a page in the default locale. */
function checkSectionsAndTranslations(
  pages: CompiledPage[],
  sections: DocSection[],
  seenIds: Map<string, CompiledPage>,
  defaultLocale: string,
  report: Report,
): void {
  const sectionIds = new Set(sections.map((s) => s.id));
  for (const page of pages) {
    if (!sectionIds.has(page.meta.section)) {
      report(
        page.path,
        1,
        1,
        `unknown section "${page.meta.section}"; sections.yml lists ${[...sectionIds].join(', ')}`,
        'unknown-section',
      );
    }
    if (page.meta.locale !== defaultLocale && !seenIds.has(`${defaultLocale}\u0000${page.meta.id}`)) {
      report(
        page.path,
        1,
        1,
        `translation "${page.meta.id}" (${page.meta.locale}) has no ${defaultLocale} page with the same id`,
        'orphan-translation',
        'warning',
      );
    }
  }
}

/** One page's links (missing, unchecked, broken anchors, links to drafts) and images. */
function checkReferences(
  page: CompiledPage,
  resolved: Resolved,
  anchorsOf: Map<string, Set<string>>,
  report: Report,
): void {
  const { links, images } = resolved.get(page.path)!;
  page.links.forEach((link, i) => {
    const where = links[i]!;
    if (where.kind === 'missing') report(page.path, link.line, link.column, where.message, where.ruleId);
    else if (where.kind === 'unchecked')
      report(
        page.path,
        link.line,
        link.column,
        `link "${link.href}" left as written: ${where.why}`,
        'link-outside-docs',
        'warning',
      );
    if (where.kind !== 'page') return;
    const target = where.page;
    if (link.anchor !== null && !anchorsOf.get(target.path)!.has(link.anchor)) {
      const shown = target.path === page.path ? 'this page' : target.path;
      report(
        page.path,
        link.line,
        link.column,
        `link to #${link.anchor}: ${shown} has no such heading`,
        'broken-anchor',
      );
    }
    if (target.meta.draft && !page.meta.draft) {
      report(
        page.path,
        link.line,
        link.column,
        `link to ${target.path}, which is a draft and will not be published`,
        'link-to-draft',
      );
    }
  });
  page.assets.forEach((image, i) => {
    const where = images[i]!;
    if (where.kind === 'missing') report(page.path, image.line, image.column, where.message, where.ruleId);
    else if (where.kind === 'unchecked')
      report(
        page.path,
        image.line,
        image.column,
        `image "${image.href}" left as written: ${where.why}`,
        'link-outside-docs',
        'warning',
      );
  });
}

/** A published page as the DocSet holds it: resolved HTML, links by id, assets used, content hash. */
function toDocPage(
  page: CompiledPage,
  resolved: Resolved,
  hashOf: (text: string) => string,
  useAsset: (asset: DocAsset) => void,
): DocPage {
  const refs = resolved.get(page.path)!;
  const html = resolvePlaceholders(page, refs);
  const meta = page.meta;
  const links: DocLink[] = [];
  const seen = new Set<string>();
  page.links.forEach((link, i) => {
    const where = refs.links[i]!;
    if (where.kind !== 'page' || where.page === page) return;
    const key = `${where.page.meta.id}#${link.anchor ?? ''}`;
    if (!seen.has(key)) {
      seen.add(key);
      links.push({ page: where.page.meta.id, anchor: link.anchor });
    }
  });
  const used = [...refs.links, ...refs.images].flatMap((r) => (r.kind === 'asset' ? [r.asset] : []));
  for (const asset of used) useAsset(asset);
  const assets = [...new Set(used.map((a) => a.path))];
  const hash = hashOf(
    JSON.stringify([meta.id, meta.title, meta.section, meta.locale, meta.labels, meta.position, html]),
  );
  return { ...meta, path: page.path, html, hash, links, assets };
}

function sectionsFromFolders(
  pages: CompiledPage[],
  rootSection: { id: string; title: string } | null,
): DocSection[] {
  // The root section first: pages at the docs root are where a reader starts.
  const ids = [...new Set(pages.map((p) => p.meta.section))].sort((a, b) =>
    a === rootSection?.id ? -1 : b === rootSection?.id ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return ids.map((id, i) => ({
    id,
    title:
      rootSection !== null && id === rootSection.id
        ? rootSection.title
        : id.replace(/[-_]+/g, ' ').replace(/^./, (c) => c.toUpperCase()),
    position: i + 1,
  }));
}

const placeholder = /(href|src)="herald:(link|img)\/(\d+)"/g;

/**
 * `herald:link/<i>` and `herald:img/<i>` become `herald:page/<id>#a`, `herald:asset/<path>`, a
 * repository URL, or the URL as written when nothing better is known.
 */
function resolvePlaceholders(
  page: CompiledPage,
  refs: { links: Resolution[]; images: Resolution[] },
): string {
  return page.html.replace(placeholder, (_, attribute: string, kind: string, index: string) => {
    const ref = (kind === 'link' ? page.links : page.assets)[Number(index)];
    const where = (kind === 'link' ? refs.links : refs.images)[Number(index)];
    if (!ref || !where) return `${attribute}=""`;
    const anchor = ref.anchor === null ? '' : `#${ref.anchor}`;
    const url =
      where.kind === 'page'
        ? `herald:page/${where.page.meta.id}${anchor}`
        : where.kind === 'asset'
          ? `herald:asset/${where.asset.path}`
          : where.kind === 'url'
            ? where.url
            : ref.href;
    return `${attribute}="${escapeAttribute(url)}"`;
  });
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&#x26;').replace(/"/g, '&#x22;');
}

function unescapeAttribute(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&amp;/g, '&');
}

/**
 * Rewrites Herald's references in a page's HTML for one destination: `page(id, anchor)` and
 * `asset(path)` return the URL to use (an article URL, a relative file).
 */
export function resolveDocReferences(
  html: string,
  resolve: { page: (id: string, anchor: string | null) => string; asset: (path: string) => string },
): string {
  return html.replace(
    /(href|src)="herald:(page|asset)\/([^"#]*)(?:#([^"]*))?"/g,
    (_, attribute: string, kind: string, target: string, anchor: string | undefined) => {
      const url =
        kind === 'page'
          ? resolve.page(unescapeAttribute(target), anchor === undefined ? null : unescapeAttribute(anchor))
          : resolve.asset(unescapeAttribute(target));
      return `${attribute}="${url.replace(/&/g, '&#x26;').replace(/"/g, '&#x22;')}"`;
    },
  );
}

/** Pages added, changed (by content hash), removed and moved between two DocSets, per id and locale. */
export function diffDocSets(from: DocSet, to: DocSet): DocSetDiff {
  const mainLocale = defaultLocaleOf(from, to);
  const key = (p: DocPage) => (p.locale === mainLocale ? p.id : `${p.id} (${p.locale})`);
  const before = new Map(from.pages.map((p) => [key(p), p]));
  const after = new Map(to.pages.map((p) => [key(p), p]));
  const diff: DocSetDiff = { added: [], changed: [], removed: [], renamed: [], unchanged: 0 };
  for (const [id, page] of after) {
    const old = before.get(id);
    if (!old) diff.added.push(id);
    else {
      if (old.path !== page.path) diff.renamed.push({ id, from: old.path, to: page.path });
      if (old.hash !== page.hash) diff.changed.push(id);
      else if (old.path === page.path) diff.unchanged++;
    }
  }
  for (const id of before.keys()) if (!after.has(id)) diff.removed.push(id);
  return diff;
}

/** The locale most pages use: translations are reported with their locale. */
function defaultLocaleOf(...sets: DocSet[]): string {
  const counts = new Map<string, number>();
  for (const page of sets.flatMap((s) => s.pages))
    counts.set(page.locale, (counts.get(page.locale) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}
