import { describe, expect, it } from 'vitest';
import { compilePage } from '../../../src/core/docs/compile-page.js';
import type { DocsFlavor } from '../../../src/core/docs/flavors.js';
import { slugifyMkdocs, slugifyVitepress } from '../../../src/core/docs/heading-ids.js';

const compile = (markdown: string, flavor: DocsFlavor) =>
  compilePage({
    path: 'guide/page.md',
    file: 'docs/guide/page.md',
    bytes: new TextEncoder().encode(`---\nid: page\ntitle: Page\n---\n${markdown}`),
    defaultLocale: 'en-us',
    flavor,
  });

describe('heading ids the way each generator makes them', () => {
  const headings = '## build.target\n\n## Options & Flags\n\n## Usage\n\n## Usage\n\n## Café au lait\n';

  it.each<[DocsFlavor, string[]]>([
    ['github', ['buildtarget', 'options--flags', 'usage', 'usage-1', 'café-au-lait']],
    ['docusaurus', ['buildtarget', 'options--flags', 'usage', 'usage-1', 'café-au-lait']],
    ['vitepress', ['build-target', 'options-flags', 'usage', 'usage-1', 'cafe-au-lait']],
    ['mkdocs', ['buildtarget', 'options-flags', 'usage', 'usage_1', 'cafe-au-lait']],
  ])('%s', (flavor, ids) => {
    expect(compile(headings, flavor).anchors).toEqual(ids);
  });

  it('takes an explicit {#id} or attribute list off the heading text', () => {
    const page = compile(
      '## Install the CLI {#install-cli}\n\n### with pip <small>recommended</small> { #with-pip data-toc-label="with pip" }\n\n## 9.7.0 { id="9.7.0" }\n\n## Only a class { .wide }\n\n## Set {braces} here\n',
      'mkdocs',
    );
    expect(page.anchors).toEqual(['install-cli', 'with-pip', '9.7.0', 'only-a-class', 'set-braces-here']);
    expect(page.html).toContain('<h2 id="install-cli">Install the CLI</h2>');
    expect(page.html).toContain('<h2 id="only-a-class">Only a class</h2>');
    expect(page.html).toContain('Set {braces} here</h2>');
    expect(page.html).not.toContain('data-toc-label');
  });

  it('slugifies like VitePress and Python-Markdown on their edge cases', () => {
    expect(slugifyVitepress('1. Install `vite`!')).toBe('_1-install-vite');
    expect(slugifyVitepress('server.fs.allow')).toBe('server-fs-allow');
    expect(slugifyMkdocs('Hello -- World!')).toBe('hello-world');
  });

  it('reads a long unclosed attribute list in linear time, as plain heading text', () => {
    const text = `## a {${'a=b '.repeat(20_000)}!}\n`;
    const page = compile(text, 'vitepress');
    expect(page.anchors[0]).toMatch(/^a-a-b/);
  });
});
