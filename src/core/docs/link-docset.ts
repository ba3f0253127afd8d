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
}

/**
 * Pure: checks the pages against each other (ids, titles, sections, links, anchors, images) and
 * resolves page links to ids: `herald:doc/<path>#a` becomes `herald:page/<id>#a`, which a
 * publisher rewrites to real article URLs. Collects every problem; draft pages are checked but
 * not part of the DocSet.
 */
export function linkDocSet(input: LinkInput): { docSet: DocSet; messages: DocMessage[] } {
  const messages: DocMessage[] = input.pages.flatMap((p) => p.messages);
  const report = (
    path: string,
    line: number,
    column: number,
    message: string,
    ruleId: string,
    severity: DocMessage['severity'] = 'error',
  ) => messages.push({ file: input.fileOf(path), line, column, message, ruleId, severity });

  const byPath = new Map(input.pages.map((p) => [p.path, p]));
  const assetPaths = new Set(input.assets.map((a) => a.path));
  const anchorsOf = new Map(input.pages.map((p) => [p.path, new Set(p.anchors)]));

  const seenIds = new Map<string, CompiledPage>();
  const seenTitles = new Map<string, CompiledPage>();
  for (const page of input.pages) {
    const key = `${page.meta.locale}\u0000${page.meta.id}`;
    const first = seenIds.get(key);
    if (first)
      report(
        page.path,
        1,
        1,
        `id "${page.meta.id}" is already used by ${input.fileOf(first.path)}`,
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
        `title "${page.meta.title}" is also the title of ${input.fileOf(sameTitle.path)}`,
        'duplicate-title',
        'warning',
      );
    } else seenTitles.set(titleKey, page);
  }

  const sections = input.sections ?? sectionsFromFolders(input.pages);
  const sectionIds = new Set(sections.map((s) => s.id));
  for (const page of input.pages) {
    if (!sectionIds.has(page.meta.section)) {
      report(
        page.path,
        1,
        1,
        `unknown section "${page.meta.section}"; sections.yml lists ${[...sectionIds].join(', ')}`,
        'unknown-section',
      );
    }
    if (
      page.meta.locale !== input.defaultLocale &&
      !seenIds.has(`${input.defaultLocale}\u0000${page.meta.id}`)
    ) {
      report(
        page.path,
        1,
        1,
        `translation "${page.meta.id}" (${page.meta.locale}) has no ${input.defaultLocale} page with the same id`,
        'orphan-translation',
        'warning',
      );
    }
  }

  for (const page of input.pages) {
    for (const link of page.links) {
      const target = byPath.get(link.path);
      if (!target) {
        report(page.path, link.line, link.column, `link to ${link.path}: no such page`, 'broken-link');
        continue;
      }
      if (link.anchor !== null && !anchorsOf.get(link.path)!.has(link.anchor)) {
        const where = link.path === page.path ? 'this page' : link.path;
        report(
          page.path,
          link.line,
          link.column,
          `link to #${link.anchor}: ${where} has no such heading`,
          'broken-anchor',
        );
      }
      if (target.meta.draft && !page.meta.draft) {
        report(
          page.path,
          link.line,
          link.column,
          `link to ${link.path}, which is a draft and will not be published`,
          'link-to-draft',
        );
      }
    }
    for (const asset of page.assets) {
      if (!assetPaths.has(asset.path)) {
        const kind = byPath.has(asset.path) ? 'page' : 'file';
        report(
          page.path,
          asset.line,
          asset.column,
          `${asset.path}: no such ${kind} in the docs tree`,
          'missing-asset',
        );
      }
    }
  }

  const published = input.pages.filter((p) => !p.meta.draft);
  const docPages: DocPage[] = published.map((page) => {
    const html = resolvePlaceholders(page.html, (path) => byPath.get(path)?.meta.id ?? null);
    const meta = page.meta;
    const links: DocLink[] = [];
    const seen = new Set<string>();
    for (const link of page.links) {
      const target = byPath.get(link.path);
      if (!target || target === page) continue;
      const key = `${target.meta.id}#${link.anchor ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        links.push({ page: target.meta.id, anchor: link.anchor });
      }
    }
    const assets = [...new Set(page.assets.map((a) => a.path).filter((p) => assetPaths.has(p)))];
    const hash = input.hash(
      JSON.stringify([meta.id, meta.title, meta.section, meta.locale, meta.labels, meta.position, html]),
    );
    return { ...meta, path: page.path, html, hash, links, assets };
  });
  docPages.sort((a, b) => a.path.localeCompare(b.path));

  return {
    docSet: {
      schemaVersion: 1,
      ref: input.ref,
      commit: input.commit,
      dir: input.dir,
      sections,
      pages: docPages,
      assets: input.assets,
    },
    messages,
  };
}

function sectionsFromFolders(pages: CompiledPage[]): DocSection[] {
  const ids = [...new Set(pages.map((p) => p.meta.section))].sort();
  return ids.map((id, i) => ({
    id,
    title: id.replace(/[-_]+/g, ' ').replace(/^./, (c) => c.toUpperCase()),
    position: i + 1,
  }));
}

const placeholder = /(href|src)="herald:(doc|asset)\/([^"#]*)(#[^"]*)?"/g;

/** Page links become `herald:page/<id>`; asset references stay `herald:asset/<path>`. */
function resolvePlaceholders(html: string, idOf: (path: string) => string | null): string {
  return html.replace(
    placeholder,
    (whole, attribute: string, kind: string, escapedPath: string, anchor: string | undefined) => {
      if (kind === 'asset') return whole;
      const id = idOf(unescapeAttribute(escapedPath));
      return id === null
        ? `${attribute}="${escapedPath}${anchor ?? ''}"`
        : `${attribute}="herald:page/${id}${anchor ?? ''}"`;
    },
  );
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
