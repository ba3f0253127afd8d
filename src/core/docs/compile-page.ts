import GithubSlugger from 'github-slugger';
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { toString as hastToString } from 'hast-util-to-string';
import type { Root as MdastRoot, Yaml } from 'mdast';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { parseDocument } from 'yaml';
import type { CompiledPage, DocMessage, DocPageMeta } from '../../model/index.js';
import { remarkAdmonitions } from './admonitions.js';
import { dirnameOf, isExternalUrl, joinDocPath } from './doc-paths.js';
import { sanitizeSchema } from './sanitize-schema.js';

/**
 * Markdown → sanitised HTML for one page, pure. remark-rehype + rehype-* rather than
 * remark-html: remark-html cannot give headings ids (no slug step) and sanitises inside
 * itself, so neither the ids links target nor Herald's link rewriting could come after
 * sanitising. Raw HTML is parsed (rehype-raw) and then allow-listed like GitHub does, so
 * `<kbd>` or `<details>` survive and `<script>` or `onclick` never do.
 */
/** Bump when compiled output changes for the same input: cached pages are keyed by it. */
export const COMPILER_VERSION = 1;

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
  addHeadingIds(tree);
  return processor.stringify(tree);
}

export interface PageSource {
  /** Path relative to the docs root. */
  path: string;
  /** Path shown in messages (relative to the repository). */
  file: string;
  bytes: Uint8Array;
  defaultLocale: string;
}

/**
 * Larger pages are refused: help centres cap article bodies well below this, readers cannot use
 * such a page, and compiling one takes the Markdown parser tens of seconds.
 */
const MAX_PAGE_BYTES = 2 * 1024 * 1024;
const frontmatterKeys = new Set([
  'id',
  'title',
  'section',
  'locale',
  'labels',
  'position',
  'draft',
  'description',
]);
const idPattern = /^[a-z0-9][a-z0-9._-]*$/;
const localeSuffix = /\.([a-z]{2}(?:-[a-z]{2})?)\.md$/i;

export function compilePage(source: PageSource): CompiledPage {
  const messages: DocMessage[] = [];
  const report = (
    line: number,
    column: number,
    message: string,
    ruleId: string,
    severity: DocMessage['severity'] = 'error',
  ) => messages.push({ file: source.file, line, column, message, ruleId, severity });
  const fallback = defaultMeta(source);
  const empty = (): CompiledPage => ({
    path: source.path,
    meta: fallback,
    html: '',
    anchors: [],
    links: [],
    assets: [],
    messages,
  });

  if (source.bytes.length > MAX_PAGE_BYTES) {
    report(
      1,
      1,
      `page is ${(source.bytes.length / 1024 / 1024).toFixed(1)} MB; pages over 2 MB are not compiled: split it into several pages`,
      'page-too-large',
    );
    return empty();
  }
  const nul = source.bytes.indexOf(0);
  if (nul !== -1) {
    report(
      ...lineColumnOfByte(source.bytes, nul),
      'file is binary (contains NUL bytes), not Markdown',
      'binary-file',
    );
    return empty();
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(source.bytes);
  } catch {
    report(
      ...lineColumnOfByte(source.bytes, firstInvalidUtf8(source.bytes)),
      'file is not valid UTF-8; save it as UTF-8',
      'encoding',
    );
    return empty();
  }

  const deep = findExcessiveNesting(text);
  if (deep !== null) {
    report(
      deep,
      1,
      'content is nested too deeply to compile (over 64 quote levels or 256 columns of list indentation)',
      'too-deep',
    );
    return empty();
  }

  let tree: HastRoot;
  let mdast: MdastRoot;
  try {
    mdast = processor.parse(text);
    tree = processor.runSync(mdast) as HastRoot;
  } catch (error) {
    if (error instanceof RangeError) {
      report(
        1,
        1,
        'content is nested too deeply to compile (lists or quotes thousands of levels deep)',
        'too-deep',
      );
      return empty();
    }
    throw error;
  }

  const meta = readFrontmatter(mdast, fallback, report);
  const anchors = addHeadingIds(tree);
  const leadingTitle = removeLeadingH1(tree);
  if (meta.title === '' && leadingTitle) meta.title = leadingTitle;
  if (meta.title === '')
    report(
      1,
      1,
      'page has no title: add `title:` to the frontmatter or start with a `# Heading`',
      'missing-title',
    );

  const links: CompiledPage['links'] = [];
  const assets: CompiledPage['assets'] = [];
  const dir = dirnameOf(source.path);
  visit(tree, 'element', (node: Element) => {
    const position = node.position?.start ?? { line: 1, column: 1 };
    if (node.tagName === 'a' && typeof node.properties.href === 'string') {
      const href = node.properties.href;
      if (isExternalUrl(href)) return;
      const [target = '', anchor = null] = splitAnchor(href);
      if (target === '') {
        links.push({ path: source.path, anchor, line: position.line, column: position.column });
        return;
      }
      const resolved = joinDocPath(dir, decodeURIComponentSafe(target));
      if (resolved === null) {
        report(
          position.line,
          position.column,
          `link "${href}" points outside the docs directory`,
          'link-outside',
        );
        return;
      }
      if (resolved.endsWith('.md')) {
        links.push({ path: resolved, anchor, line: position.line, column: position.column });
        node.properties.href = `herald:doc/${resolved}${anchor === null ? '' : `#${anchor}`}`;
      } else {
        assets.push({ path: resolved, line: position.line, column: position.column });
        node.properties.href = `herald:asset/${resolved}`;
      }
    } else if (node.tagName === 'img' && typeof node.properties.src === 'string') {
      const src = node.properties.src;
      if (isExternalUrl(src)) return;
      const resolved = joinDocPath(dir, decodeURIComponentSafe(src.split('#')[0]!.split('?')[0]!));
      if (resolved === null) {
        report(
          position.line,
          position.column,
          `image "${src}" points outside the docs directory`,
          'image-outside',
        );
        delete node.properties.src;
        return;
      }
      assets.push({ path: resolved, line: position.line, column: position.column });
      node.properties.src = `herald:asset/${resolved}`;
      if (!node.properties.alt)
        report(position.line, position.column, `image "${src}" has no alt text`, 'image-alt', 'warning');
    }
  });

  let html: string;
  try {
    html = processor.stringify(tree).trim();
  } catch (error) {
    if (error instanceof RangeError) {
      report(
        1,
        1,
        'content is nested too deeply to compile (lists or quotes thousands of levels deep)',
        'too-deep',
      );
      return empty();
    }
    throw error;
  }
  if (hastToString(tree).trim() === '' && !assets.length) {
    report(1, 1, 'page would render empty', 'empty-page');
  }
  return { path: source.path, meta, html, anchors, links, assets, messages };
}

function defaultMeta(source: PageSource): DocPageMeta {
  const name = source.path.split('/').pop()!;
  const locale = localeSuffix.exec(name)?.[1]?.toLowerCase() ?? source.defaultLocale;
  const base = name.replace(localeSuffix, '.md').replace(/\.md$/i, '');
  const section = source.path.includes('/') ? source.path.split('/')[0]! : '';
  return {
    id: base.toLowerCase().replace(/[^a-z0-9._-]+/g, '-'),
    title: '',
    section,
    locale,
    labels: [],
    position: null,
    draft: false,
  };
}

type Report = (
  line: number,
  column: number,
  message: string,
  ruleId: string,
  severity?: DocMessage['severity'],
) => void;

function readFrontmatter(mdast: MdastRoot, fallback: DocPageMeta, report: Report): DocPageMeta {
  const meta = { ...fallback, labels: [...fallback.labels] };
  const node = mdast.children[0]?.type === 'yaml' ? (mdast.children[0] as Yaml) : null;
  if (!node) {
    report(
      1,
      1,
      `no frontmatter: the page id falls back to "${fallback.id}" and changes if the file is renamed`,
      'missing-id',
      'warning',
    );
    return meta;
  }
  // The YAML text starts on the line after the opening `---`.
  const startLine = (node.position?.start.line ?? 1) + 1;
  const doc = parseDocument(node.value, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
      report(
        startLine + pos.line - 1,
        pos.col,
        `invalid frontmatter YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        'frontmatter-yaml',
      );
    }
    return meta;
  }
  const data: unknown = doc.toJS({ maxAliasCount: 50 });
  if (data === null || data === undefined) return meta;
  if (typeof data !== 'object' || Array.isArray(data)) {
    report(startLine, 1, 'frontmatter must be a mapping of keys to values', 'frontmatter-shape');
    return meta;
  }
  const lineOf = (key: string) => {
    const pair = (
      doc.contents as { items?: { key?: { value?: unknown; range?: [number] } }[] } | null
    )?.items?.find((item) => item.key?.value === key);
    const offset = pair?.key?.range?.[0] ?? 0;
    return startLine + (node.value.slice(0, offset).match(/\n/g)?.length ?? 0);
  };
  const record = data as Record<string, unknown>;
  const bad = (key: string, expected: string) =>
    report(lineOf(key), 1, `frontmatter "${key}" must be ${expected}`, 'frontmatter-field');
  for (const key of Object.keys(record)) {
    if (!frontmatterKeys.has(key))
      report(lineOf(key), 1, `unknown frontmatter key "${key}"`, 'frontmatter-unknown', 'warning');
  }
  if ('id' in record) {
    if (typeof record.id === 'string' && idPattern.test(record.id)) meta.id = record.id;
    else bad('id', 'lowercase letters, digits, ".", "_" or "-"');
  } else {
    report(
      startLine,
      1,
      `no "id": it falls back to "${fallback.id}" and changes if the file is renamed`,
      'missing-id',
      'warning',
    );
  }
  if ('title' in record) {
    if (typeof record.title === 'string' && record.title.trim() !== '') meta.title = record.title.trim();
    else bad('title', 'a non-empty string');
  }
  if ('section' in record) {
    if (typeof record.section === 'string' && record.section !== '') meta.section = record.section;
    else bad('section', 'a section id');
  }
  if ('locale' in record) {
    if (typeof record.locale === 'string' && /^[a-z]{2}(-[a-z]{2})?$/i.test(record.locale))
      meta.locale = record.locale.toLowerCase();
    else bad('locale', 'a locale such as "en-us" or "de"');
  }
  if ('labels' in record) {
    if (
      Array.isArray(record.labels) &&
      record.labels.every((l) => typeof l === 'string' || typeof l === 'number')
    ) {
      meta.labels = record.labels.map(String);
    } else bad('labels', 'a list of strings');
  }
  if ('position' in record) {
    if (typeof record.position === 'number' && Number.isFinite(record.position))
      meta.position = record.position;
    else bad('position', 'a number');
  }
  if ('draft' in record) {
    if (typeof record.draft === 'boolean') meta.draft = record.draft;
    else bad('draft', 'true or false');
  }
  return meta;
}

const MAX_INDENT_COLUMNS = 256;
const MAX_QUOTE_DEPTH = 64;

/**
 * micromark's time grows with the square of the input on very deeply nested lists (1,000 levels
 * take 30 s), and the HTML steps recurse per level: a linear scan refuses such pages first and
 * names the line. Real documents stay far below these limits.
 */
function findExcessiveNesting(text: string): number | null {
  let line = 1;
  let column = 0;
  let quotes = 0;
  let atStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      column = 0;
      quotes = 0;
      atStart = true;
      continue;
    }
    if (!atStart) continue;
    if (c === 32) column++;
    else if (c === 9) column += 4 - (column % 4);
    else if (c === 62) quotes++;
    else atStart = false;
    if (column > MAX_INDENT_COLUMNS || quotes > MAX_QUOTE_DEPTH) return line;
  }
  return null;
}

/** GitHub-style ids on every heading, in document order: what `#anchor` links target. */
function addHeadingIds(tree: HastRoot): string[] {
  const slugger = new GithubSlugger();
  const anchors: string[] = [];
  visit(tree, 'element', (node: Element) => {
    if (/^h[1-6]$/.test(node.tagName)) {
      const id = slugger.slug(hastToString(node));
      node.properties.id = id;
      anchors.push(id);
    } else if (typeof node.properties.id === 'string') {
      anchors.push(node.properties.id); // footnotes
    }
  });
  return anchors;
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
