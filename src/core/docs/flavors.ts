import type { DocMessage } from '../../model/index.js';

/**
 * The site generators whose docs trees Herald reads. A flavor only sets defaults: how heading ids
 * are made, where static files live, what a page is titled when it names no title, and which
 * Herald-only rules stay quiet (another tool's tree has no Herald ids, and its frontmatter keys
 * belong to that tool and its plugins).
 */
export type { DocsFlavor } from '../../model/index.js';

import type { DocsFlavor } from '../../model/index.js';
export type RuleSeverity = DocMessage['severity'] | 'off';

export interface FlavorDefaults {
  /** Folders (relative to the docs dir, `..` allowed) whose files a site serves from its root. */
  assetDirs: string[];
  /** URL prefix of the docs in the site (Docusaurus serves `docs/intro.md` at `/docs/intro`). */
  routeBase: string;
  /** `/x` means the repository root (GitHub renders files in place), not the docs root. */
  rootIsRepository: boolean;
  /** Relative URLs in a page resolve against its folder URL too (MkDocs' `use_directory_urls`). */
  directoryUrls: boolean;
  /** A page with no title and no `# Heading` is titled after its file, as the generator does. */
  titleFromFileName: boolean;
  rules: Record<string, RuleSeverity>;
}

const foreignTree: Record<string, RuleSeverity> = {
  'missing-id': 'off',
  'frontmatter-unknown': 'off',
  'empty-page': 'warning',
};

export const flavorDefaults: Record<DocsFlavor, FlavorDefaults> = {
  herald: {
    assetDirs: [],
    routeBase: '',
    rootIsRepository: false,
    directoryUrls: false,
    titleFromFileName: false,
    rules: {},
  },
  github: {
    assetDirs: [],
    routeBase: '',
    rootIsRepository: true,
    directoryUrls: false,
    titleFromFileName: true,
    rules: foreignTree,
  },
  // VitePress serves `<srcDir>/public/*` at the site root.
  vitepress: {
    assetDirs: ['public'],
    routeBase: '',
    rootIsRepository: false,
    directoryUrls: false,
    titleFromFileName: true,
    rules: foreignTree,
  },
  // Docusaurus serves `static/` (beside `docs/` in the site folder) at the site root.
  docusaurus: {
    assetDirs: ['../static', 'static'],
    routeBase: 'docs',
    rootIsRepository: false,
    directoryUrls: false,
    titleFromFileName: true,
    rules: foreignTree,
  },
  // MkDocs copies every non-Markdown file of docs_dir; pages are served as folders.
  mkdocs: {
    assetDirs: [],
    routeBase: '',
    rootIsRepository: false,
    directoryUrls: true,
    titleFromFileName: true,
    rules: foreignTree,
  },
};

/** Applies `docs.rules` over the flavor's defaults: a message is kept, re-graded or dropped. */
export function applyRuleSeverities(
  messages: DocMessage[],
  rules: Record<string, RuleSeverity>,
): DocMessage[] {
  const kept: DocMessage[] = [];
  for (const message of messages) {
    const severity = rules[message.ruleId] ?? message.severity;
    if (severity !== 'off') kept.push(severity === message.severity ? message : { ...message, severity });
  }
  return kept;
}
