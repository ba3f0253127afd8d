import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { toString as hastToString } from 'hast-util-to-string';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import type { CompiledPage, DocMessage, DocRef, PageSource } from '../../model/index.js';
import { remarkAdmonitions } from './admonitions.js';
import { findExcessiveComplexity } from './complexity.js';
import { dirnameOf, isExternalUrl, joinDocPath } from './doc-paths.js';
import { type DocsFlavor, flavorDefaults } from './flavors.js';
import { defaultMeta, type FrontmatterExtras, type Report, readFrontmatter } from './frontmatter.js';
import { addHeadingIds } from './heading-ids.js';
import { sanitizeSchema } from './sanitize-schema.js';
import { eachElement, hasVisibleText } from './walk.js';

/** Bump when compiled output changes for the same input: cached pages are keyed by it. */
export const COMPILER_VERSION = 2;

/**
 * Markdown → sanitised HTML for one page, pure. remark-rehype + rehype-* rather than
 * remark-html: remark-html cannot give headings ids (no slug step) and sanitises inside
 * itself, so neither the ids links target nor Herald's link rewriting could come after
 * sanitising. Raw HTML is parsed (rehype-raw) and then allow-listed like GitHub does, so
 * `<kbd>` or `<details>` survive and `<script>` or `onclick` never do.
 */
const processor = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml'])
  .use(remarkGfm)
  .use(remarkAdmonitions)
  .use(remarkRehype, { allowDangerousHtml: true })
  .use(rehypeRaw)
  .use(rehypeSanitize, sanitizeSchema)
  .use(rehypeStringify)
  .freeze();

/** The same pipeline for Markdown that is not a docs page (release notes): HTML only. */
export function compileMarkdown(markdown: string): string {
  const tree = processor.runSync(processor.parse(markdown)) as HastRoot;
  addHeadingIds(tree, 'github');
  return processor.stringify(tree);
}

export type { PageSource } from '../../model/index.js';

/**
 * Larger pages are refused: help centres cap article bodies well below this, readers cannot use
 * such a page, and compiling one takes the Markdown parser tens of seconds.
 */
const MAX_PAGE_BYTES = 2 * 1024 * 1024;
/** One decoder for every page (it keeps no state between whole-buffer decodes). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
export function compilePage(source: PageSource): CompiledPage {
  const messages: DocMessage[] = [];
  const report: Report = (line, column, message, ruleId, severity = 'error') =>
    messages.push({ file: source.file, line, column, message, ruleId, severity });
  const flavor = source.flavor ?? 'herald';
  const fallback = defaultMeta(source.path, source.defaultLocale);
  const empty = (): CompiledPage => ({
    path: source.path,
    meta: fallback,
    html: '',
    anchors: [],
    links: [],
    assets: [],
    route: null,
    messages,
  });

  const text = decodePage(source.bytes, report);
  if (text === null) return empty();
  const parsed = tooDeep(() => {
    const mdast = processor.parse(text);
    return { mdast, tree: processor.runSync(mdast) as HastRoot };
  }, report);
  if (parsed === null) return empty();
  const { mdast, tree } = parsed;

  const { meta, extras } = readFrontmatter(mdast, fallback, flavor, report);
  const anchors = addHeadingIds(tree, flavor);
  meta.title = titleOf(meta.title, removeLeadingH1(tree), extras, source.path, flavor);
  if (meta.title === '')
    report(
      1,
      1,
      'page has no title: add `title:` to the frontmatter or start with a `# Heading`',
      'missing-title',
    );

  const { links, assets } = collectReferences(tree, source, flavor, report);
  const html = tooDeep(() => processor.stringify(tree).trim(), report);
  if (html === null) return empty();
  if (!hasVisibleText(tree) && !assets.length) {
    report(1, 1, 'page would render empty', 'empty-page');
  }
  return {
    path: source.path,
    meta,
    html,
    anchors,
    links,
    assets,
    route: flavor === 'docusaurus' ? docusaurusRoute(source.path, extras) : null,
    messages,
  };
}

/**
 * The page's text, or null (reported) when it cannot be compiled: too large, binary, not UTF-8,
 * or built to make the Markdown parser take super-linear time.
 */
function decodePage(bytes: Uint8Array, report: Report): string | null {
  if (bytes.length > MAX_PAGE_BYTES) {
    report(
      1,
      1,
      `page is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; pages over 2 MB are not compiled: split it into several pages`,
      'page-too-large',
    );
    return null;
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    report(
      ...lineColumnOfByte(bytes, nul),
      'file is binary (contains NUL bytes), not Markdown',
      'binary-file',
    );
    return null;
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    report(
      ...lineColumnOfByte(bytes, firstInvalidUtf8(bytes)),
      'file is not valid UTF-8; save it as UTF-8',
      'encoding',
    );
    return null;
  }
  const complex = findExcessiveComplexity(text);
  if (complex !== null) {
    report(complex.line, 1, complex.message, complex.ruleId);
    return null;
  }
  return text;
}

/** Runs one step of the pipeline; null (reported) when the content nests too deeply for its recursion. */
function tooDeep<T>(step: () => T, report: Report): T | null {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    report(
      1,
      1,
      'content is nested too deeply to compile (lists or quotes thousands of levels deep)',
      'too-deep',
    );
    return null;
  }
}

/** The frontmatter's title, else the leading `# Heading`, else (where the flavour does) the file name. */
function titleOf(
  declared: string,
  leadingTitle: string | null,
  extras: FrontmatterExtras,
  path: string,
  flavor: DocsFlavor,
): string {
  if (declared !== '') return declared;
  if (leadingTitle) return leadingTitle;
  if (flavorDefaults[flavor].titleFromFileName) return extras.sidebarLabel ?? titleFromFileName(path);
  return '';
}

/**
 * Records every link and image of the page as a DocRef and points the HTML at it
 * (`herald:link/<i>`, `herald:img/<i>`); whether it is a page, a file or a repository URL is
 * decided when the whole tree is known.
 */
function collectReferences(
  tree: HastRoot,
  source: PageSource,
  flavor: DocsFlavor,
  report: Report,
): { links: DocRef[]; assets: DocRef[] } {
  const links: DocRef[] = [];
  const assets: DocRef[] = [];
  eachElement(tree, (node: Element) => {
    const isLink = node.tagName === 'a' && typeof node.properties.href === 'string';
    const isImage = node.tagName === 'img' && typeof node.properties.src === 'string';
    if (!isLink && !isImage) return;
    const href = String(isLink ? node.properties.href : node.properties.src);
    if (isExternalUrl(href)) return;
    const position = node.position?.start ?? { line: 1, column: 1 };
    const [target = '', anchor = null] = splitAnchor(href);
    const at = { line: position.line, column: position.column };
    if (target === '' && isLink) {
      links.push({ path: source.path, scope: 'docs', anchor, href, alternate: null, ...at });
      return;
    }
    const ref = locateReference(decodeURIComponentSafe(target), source, flavor);
    if (ref === null) {
      const kind = isLink ? 'link' : 'image';
      report(at.line, at.column, `${kind} "${href}" points outside the repository`, `${kind}-outside`);
      if (isImage) delete node.properties.src;
      return;
    }
    if (isLink) {
      node.properties.href = `herald:link/${links.length}`;
      links.push({ ...ref, anchor, href, ...at });
    } else {
      node.properties.src = `herald:img/${assets.length}`;
      assets.push({ ...ref, anchor: null, href, ...at });
      if (!node.properties.alt)
        report(at.line, at.column, `image "${href}" has no alt text`, 'image-alt', 'warning');
    }
  });
  return { links, assets };
}

/** Where a URL written in the page points: the docs tree, the site root or the repository. */
function locateReference(
  target: string,
  source: PageSource,
  flavor: DocsFlavor,
): Pick<DocRef, 'path' | 'scope' | 'alternate'> | null {
  const path = target.split('?')[0]!;
  const fromRepoRoot = flavorDefaults[flavor].rootIsRepository;
  if (path.startsWith('/') && !fromRepoRoot)
    return { path: joinDocPath('', path) ?? '', scope: 'root', alternate: null };
  const docsRoot = source.file.slice(0, source.file.length - source.path.length).replace(/\/$/, '');
  const inRepo = joinDocPath(dirnameOf(source.file), path);
  if (inRepo === null) return null;
  // MkDocs serves `a/b.md` as `a/b/`: raw HTML in it is written relative to that folder.
  const folderUrl = source.path.replace(/(^|\/)(index|readme)\.md$/i, '').replace(/\.md$/i, '');
  const alternate =
    flavorDefaults[flavor].directoryUrls && folderUrl !== dirnameOf(source.path)
      ? joinDocPath(folderUrl, path)
      : null;
  if (docsRoot === '') return { path: inRepo, scope: 'docs', alternate };
  if (inRepo === docsRoot || inRepo.startsWith(`${docsRoot}/`))
    return { path: inRepo.slice(docsRoot.length + 1), scope: 'docs', alternate };
  return { path: inRepo, scope: 'repo', alternate };
}

/** Docusaurus' URL of a page: `slug:` if set, else its folder plus `id:` or its file name. */
function docusaurusRoute(path: string, extras: FrontmatterExtras): string {
  const dir = dirnameOf(path);
  if (extras.slug !== null)
    return extras.slug.startsWith('/')
      ? (joinDocPath('', extras.slug) ?? '')
      : (joinDocPath(dir, extras.slug) ?? '');
  const name = path
    .split('/')
    .pop()!
    .replace(/\.mdx?$/i, '');
  const base = extras.rawId ?? name.replace(/^\d+[-_.]/, '');
  const folder = dir
    .split('/')
    .map((part) => part.replace(/^\d+[-_.]/, ''))
    .join('/');
  if (extras.rawId === null && /^(index|readme)$/i.test(base)) return folder;
  return folder === '' ? base : `${folder}/${base}`;
}

/** `getting-started.md` → "Getting started", as MkDocs and Docusaurus title such pages. */
function titleFromFileName(path: string): string {
  const parts = path.replace(/\.md$/i, '').split('/');
  let name = parts.pop()!;
  if (/^(index|readme)$/i.test(name) && parts.length > 0) name = parts.pop()!;
  const words = name
    .replace(/^\d+[-_.]/, '')
    .replace(/[-_]+/g, ' ')
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The help centre shows the title itself: a leading `# Title` in the body would repeat it. */
function removeLeadingH1(tree: HastRoot): string | null {
  const index = tree.children.findIndex(
    (child) => child.type === 'element' || (child.type === 'text' && child.value.trim() !== ''),
  );
  const first = tree.children[index] as ElementContent | undefined;
  if (first?.type !== 'element' || first.tagName !== 'h1') return null;
  tree.children.splice(index, 1);
  return hastToString(first).trim();
}

function splitAnchor(href: string): [string, string | null] {
  const hash = href.indexOf('#');
  return hash === -1 ? [href, null] : [href.slice(0, hash), decodeURIComponentSafe(href.slice(hash + 1))];
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function lineColumnOfByte(bytes: Uint8Array, offset: number): [number, number] {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return [line, offset - lineStart + 1];
}

/** Offset of the first byte that breaks UTF-8 (one linear pass). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return 0;
}
