/** A problem found in a docs page, located in its source file. */
export interface DocMessage {
  file: string;
  line: number;
  column: number;
  message: string;
  ruleId: string;
  severity: 'error' | 'warning';
}

/** Frontmatter as the page declares it, defaults applied. */
export interface DocPageMeta {
  id: string;
  title: string;
  section: string;
  locale: string;
  labels: string[];
  position: number | null;
  draft: boolean;
}

/** One page compiled on its own: links still point at paths, not yet at page ids. */
export interface CompiledPage {
  /** Path relative to the docs root, `/`-separated. */
  path: string;
  meta: DocPageMeta;
  /** Sanitised HTML; links to pages and assets are `herald:doc/<path>#anchor` / `herald:asset/<path>`. */
  html: string;
  anchors: string[];
  /** Links in document order; the HTML refers to them as `herald:link/<index>`. */
  links: DocRef[];
  /** Images in document order; the HTML refers to them as `herald:img/<index>`. */
  assets: DocRef[];
  /** Where the site generator serves the page when its frontmatter moves it (Docusaurus `slug`). */
  route: string | null;
  messages: DocMessage[];
}

/**
 * A reference from a page, not yet resolved: `path` is relative to the docs root (`docs`), to the
 * site root for `/…` URLs (`root`), or to the repository for files outside the docs (`repo`).
 */
export interface DocRef {
  path: string;
  scope: 'docs' | 'root' | 'repo';
  anchor: string | null;
  /** The URL as written, kept when it cannot be resolved to anything better. */
  href: string;
  /** A second reading of a relative URL: against the page's own folder URL (MkDocs). */
  alternate: string | null;
  line: number;
  column: number;
}

export interface DocAsset {
  path: string;
  /** git blob id: a content hash. */
  hash: string;
  size: number;
  contentType: string;
}

export interface DocLink {
  /** Target page id (same locale when a translation exists, else the default locale). */
  page: string;
  anchor: string | null;
}

/** A page ready to publish: links resolved to page ids (`herald:page/<id>#anchor`). */
export interface DocPage extends DocPageMeta {
  path: string;
  html: string;
  /** sha256 of what a publisher sends (meta + html): equal hashes mean nothing to update. */
  hash: string;
  links: DocLink[];
  assets: string[];
}

export interface DocSection {
  id: string;
  title: string;
  position: number;
}

export interface DocSet {
  schemaVersion: 1;
  ref: string;
  commit: string;
  dir: string;
  sections: DocSection[];
  pages: DocPage[];
  assets: DocAsset[];
}

export interface DocSetDiff {
  added: string[];
  changed: string[];
  removed: string[];
  renamed: { id: string; from: string; to: string }[];
  unchanged: number;
}

/** Whose conventions a docs tree follows (heading ids, titles, URLs). */
export type DocsFlavor = 'herald' | 'github' | 'vitepress' | 'docusaurus' | 'mkdocs';

/** One docs page as read, before compiling. */
export interface PageSource {
  /** Path relative to the docs root. */
  path: string;
  /** Path shown in messages (relative to the repository). */
  file: string;
  bytes: Uint8Array;
  defaultLocale: string;
  /** Whose conventions the tree follows (heading ids, titles, URLs); default Herald's own. */
  flavor?: DocsFlavor;
}
