import GithubSlugger from 'github-slugger';
import type { Element, Root as HastRoot, Text } from 'hast';
import { toString as hastToString } from 'hast-util-to-string';
import type { DocsFlavor } from './flavors.js';
import { eachElement } from './walk.js';

const headingTag = /^h[1-6]$/;

/**
 * Heading ids the way each generator makes them, so `#anchor` links written for that site
 * resolve here too, plus an explicit `{#custom-id}` (Docusaurus, VitePress' attrs, MkDocs'
 * attr_list `{ #id .class }` / `{ id="x" }`), which is taken off the heading's text.
 */
export function addHeadingIds(tree: HastRoot, flavor: DocsFlavor): string[] {
  const unique = uniqueSlugs(flavor);
  const anchors: string[] = [];
  eachElement(tree, (node: Element) => {
    if (headingTag.test(node.tagName)) {
      const explicit = takeExplicitId(node);
      const id = explicit ?? unique(hastToString(node));
      node.properties.id = id;
      anchors.push(id);
    } else if (typeof node.properties.id === 'string') {
      anchors.push(node.properties.id); // footnotes, raw `<a id>`
      // Python-Markdown names footnotes `fn:1`, links to them are written so in MkDocs pages.
      const footnote = /^user-content-fn-(.+)$/.exec(node.properties.id);
      if (footnote && flavor === 'mkdocs') anchors.push(`fn:${footnote[1]}`);
    } else if (node.tagName === 'a' && typeof node.properties.name === 'string') {
      anchors.push(node.properties.name);
    }
  });
  return anchors;
}

function uniqueSlugs(flavor: DocsFlavor): (text: string) => string {
  if (flavor === 'vitepress') return dedupe(slugifyVitepress, '-');
  if (flavor === 'mkdocs') return dedupe(slugifyMkdocs, '_');
  // GitHub, Docusaurus (its slugger wraps github-slugger) and Herald's own pages.
  const slugger = new GithubSlugger();
  return (text) => slugger.slug(text);
}

/** Repeated slugs get `-1`, `-2` (markdown-it-anchor) or `_1`, `_2` (Python-Markdown's toc). */
function dedupe(slugify: (text: string) => string, separator: string): (text: string) => string {
  const seen = new Set<string>();
  return (text) => {
    const base = slugify(text);
    let slug = base;
    for (let i = 1; seen.has(slug); i++) slug = `${base}${separator}${i}`;
    seen.add(slug);
    return slug;
  };
}

/** VitePress' default `slugify` (@mdit-vue/shared): punctuation runs become one `-`. */
export function slugifyVitepress(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u0000-\u001f]/g, '')
    .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, '_$1')
    .toLowerCase();
}

/** Python-Markdown's toc `slugify`: ASCII-folded, anything but word characters and `-` dropped. */
export function slugifyMkdocs(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, '-');
}

// One token of an attribute list: `#id`, `.class` or `key=value` (value quoted or bare).
const attrToken = /\s*(?:#([^\s{}]+)|\.[^\s{}]+|([\w:-]+)=(?:"([^"]*)"|'([^']*)'|([^\s{}"']*)))/y;

/**
 * `{#id}`, `{ #id .class key=value }` or `{ id="id" }` ending a heading's text: the attribute
 * list is removed and its id returned. Tokenised left to right (no backtracking on untrusted text).
 */
function takeExplicitId(heading: Element): string | null {
  const last = heading.children.at(-1);
  if (last?.type !== 'text') return null;
  const text = (last as Text).value;
  const open = text.lastIndexOf('{');
  const close = text.trimEnd().length - 1;
  if (open === -1 || text[close] !== '}') return null;
  let id: string | null = null;
  let position = open + 1;
  let tokens = 0;
  while (position < close) {
    attrToken.lastIndex = position;
    const match = attrToken.exec(text);
    if (!match) break;
    tokens++;
    position = attrToken.lastIndex;
    if (match[1] !== undefined) id = match[1];
    else if (match[2] === 'id') id = match[3] ?? match[4] ?? match[5] ?? null;
  }
  if (tokens === 0 || text.slice(position, close).trim() !== '') return null;
  (last as Text).value = text.slice(0, open).trimEnd();
  return id === '' ? null : id;
}
