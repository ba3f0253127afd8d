import type { Root as MdastRoot, Yaml } from 'mdast';
import { parseDocument } from 'yaml';
import type { DocMessage, DocPageMeta } from '../../model/index.js';
import type { DocsFlavor } from './flavors.js';

export type Report = (
  line: number,
  column: number,
  message: string,
  ruleId: string,
  severity?: DocMessage['severity'],
) => void;

/** What the frontmatter says beyond the page's meta: the route it asks for, its nav label. */
export interface FrontmatterExtras {
  slug: string | null;
  sidebarLabel: string | null;
  /** `id:` as written (Docusaurus puts it in the page's URL). */
  rawId: string | null;
}

const heraldKeys = new Set([
  'id',
  'title',
  'section',
  'locale',
  'labels',
  'position',
  'draft',
  'description',
]);

/**
 * Keys other site generators and their common plugins write (Docusaurus, VitePress, MkDocs and
 * Material, Jekyll/GitHub Pages): accepted without a word, since the page is shared with that tool.
 */
const foreignKeys = new Set(
  `sidebar_position sidebar_label sidebar_class_name sidebar_custom_props slug hide hide_title
  hide_table_of_contents tags keywords image authors author date unlisted pagination_label
  pagination_next pagination_prev displayed_sidebar toc_min_heading_level toc_max_heading_level
  custom_edit_url last_update parse_number_prefixes layout outline aside sidebar navbar footer
  lastUpdated editLink prev next head titleTemplate hero features pageClass lang search icon
  status template comments categories subtitle nav_order parent grand_parent has_children
  permalink redirect_from excerpt social links toc`.split(/\s+/),
);

const idPattern = /^[a-z0-9][a-z0-9._-]*$/;
const localeSuffix = /\.([a-z]{2}(?:-[a-z]{2})?)\.md$/i;
/** Aliases expand into copies: a few dozen are plenty for frontmatter, thousands are an attack. */
const MAX_ALIASES = 50;

/**
 * Meta from the path alone. The id comes from the whole path (`guide/setup.md` → `guide-setup`),
 * and a folder's `index.md` / `README.md` is the folder's page (`guide/index.md` → `guide`), so
 * pages in different folders never collide.
 */
export function defaultMeta(path: string, defaultLocale: string): DocPageMeta {
  const name = path.split('/').pop()!;
  const locale = localeSuffix.exec(name)?.[1]?.toLowerCase() ?? defaultLocale;
  const stem = path.replace(localeSuffix, '.md').replace(/\.md$/i, '');
  const page = stem.replace(/(^|\/)(index|readme)$/i, '') || stem;
  return {
    id: toId(page),
    title: '',
    section: path.includes('/') ? path.split('/')[0]! : '',
    locale,
    labels: [],
    position: null,
    draft: false,
  };
}

function toId(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+|-+$/g, '') || 'page'
  );
}

export function readFrontmatter(
  mdast: MdastRoot,
  fallback: DocPageMeta,
  flavor: DocsFlavor,
  report: Report,
): { meta: DocPageMeta; extras: FrontmatterExtras } {
  const meta = { ...fallback, labels: [...fallback.labels] };
  const extras: FrontmatterExtras = { slug: null, sidebarLabel: null, rawId: null };
  const node = mdast.children[0]?.type === 'yaml' ? (mdast.children[0] as Yaml) : null;
  if (!node) {
    report(
      1,
      1,
      `no frontmatter: the page id falls back to "${fallback.id}" and changes if the file is renamed`,
      'missing-id',
      'warning',
    );
    return { meta, extras };
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
    return { meta, extras };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch {
    // yaml throws a ReferenceError when aliases would expand past the limit ("billion laughs").
    report(
      startLine,
      1,
      `frontmatter YAML expands aliases (*name) more than ${MAX_ALIASES} times; write the values out`,
      'frontmatter-yaml',
    );
    return { meta, extras };
  }
  if (data === null || data === undefined) return { meta, extras };
  if (typeof data !== 'object' || Array.isArray(data)) {
    report(startLine, 1, 'frontmatter must be a mapping of keys to values', 'frontmatter-shape');
    return { meta, extras };
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
    if (!heraldKeys.has(key) && !foreignKeys.has(key))
      report(lineOf(key), 1, `unknown frontmatter key "${key}"`, 'frontmatter-unknown', 'warning');
  }
  readHeraldKeys(record, meta, flavor, bad);
  if ('id' in record === false)
    report(
      startLine,
      1,
      `no "id": it falls back to "${fallback.id}" and changes if the file is renamed`,
      'missing-id',
      'warning',
    );
  // Docusaurus' sidebar order and nav label; Herald's own keys win when both are there.
  if (meta.position === null && typeof record.sidebar_position === 'number')
    meta.position = record.sidebar_position;
  if (typeof record.sidebar_label === 'string' && record.sidebar_label.trim() !== '')
    extras.sidebarLabel = record.sidebar_label.trim();
  if (typeof record.id === 'string' || typeof record.id === 'number') extras.rawId = String(record.id);
  if (typeof record.slug === 'string' && record.slug.trim() !== '') extras.slug = record.slug.trim();
  return { meta, extras };
}

function readHeraldKeys(
  record: Record<string, unknown>,
  meta: DocPageMeta,
  flavor: DocsFlavor,
  bad: (key: string, expected: string) => void,
): void {
  if ('id' in record) {
    if (typeof record.id === 'string' && idPattern.test(record.id)) meta.id = record.id;
    // Other generators allow any id (Docusaurus: `id: Getting_Started`): Herald's form of it.
    else if (flavor !== 'herald' && (typeof record.id === 'string' || typeof record.id === 'number'))
      meta.id = toId(String(record.id));
    else bad('id', 'lowercase letters, digits, ".", "_" or "-"');
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
}
