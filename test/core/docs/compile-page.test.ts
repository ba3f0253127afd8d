import { describe, expect, it } from 'vitest';
import { compilePage } from '../../../src/core/docs/compile-page.js';

const page = (text: string | Uint8Array, path = 'guides/setup.md') =>
  compilePage({
    path,
    file: `docs/${path}`,
    bytes: typeof text === 'string' ? new TextEncoder().encode(text) : text,
    defaultLocale: 'en-us',
  });

describe('compilePage', () => {
  it('reads frontmatter, drops the leading title heading, gives headings ids', () => {
    const result = page(
      '---\nid: setup\ntitle: Set up\nsection: guides\nlabels: [a, b]\nposition: 2\n---\n\n# Set up\n\n## Install it\n\nText.\n',
    );
    expect(result.meta).toEqual({
      id: 'setup',
      title: 'Set up',
      section: 'guides',
      locale: 'en-us',
      labels: ['a', 'b'],
      position: 2,
      draft: false,
    });
    expect(result.html).toBe('<h2 id="install-it">Install it</h2>\n<p>Text.</p>');
    expect(result.anchors).toEqual(['set-up', 'install-it']);
    expect(result.messages).toEqual([]);
  });

  it('renders GFM: tables, task lists, footnotes with matching ids, code with language', () => {
    const result = page(
      '---\nid: x\ntitle: X\n---\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\nA note[^1].\n\n[^1]: The footnote.\n\n```js\nlet a = 1;\n```\n',
    );
    expect(result.html).toContain('<table>');
    expect(result.html).toContain('<input type="checkbox" checked disabled>');
    expect(result.html).toContain('href="#user-content-fn-1"');
    expect(result.html).toContain('id="user-content-fn-1"');
    expect(result.html).not.toContain('user-content-user-content');
    expect(result.html).toContain('<code class="language-js">');
  });

  it('turns GitHub alerts into admonitions', () => {
    const result = page('---\nid: x\ntitle: X\n---\n> [!WARNING]\n> Back up first.\n');
    expect(result.html).toBe(
      '<div class="admonition admonition-warning">\n<p class="admonition-title">Warning</p>\n<p>Back up first.</p>\n</div>',
    );
  });

  it('keeps relative page links and images as references, external links as they are', () => {
    const result = page(
      '---\nid: x\ntitle: X\n---\n[a](../api/limits.md#per-plan) [b](#local) [c](https://x.test) ![d](../images/d.png)\n',
    );
    expect(result.links).toMatchObject([
      { path: 'api/limits.md', scope: 'docs', anchor: 'per-plan', line: 5, column: 1 },
      { path: 'guides/setup.md', scope: 'docs', anchor: 'local', line: 5, column: 32 },
    ]);
    expect(result.assets).toMatchObject([{ path: 'images/d.png', scope: 'docs', line: 5, column: 64 }]);
    expect(result.html).toContain('href="herald:link/0"');
    expect(result.html).toContain('src="herald:img/0"');
    expect(result.html).toContain('href="https://x.test"');
  });

  it('strips script, event handlers and javascript: URLs; allow-listed HTML stays', () => {
    const result = page(
      '---\nid: x\ntitle: X\n---\n<script>alert(1)</script>\n\n<div onclick="x()">hi</div> <kbd>Ctrl</kbd>\n\n[x](javascript:alert(1)) ![y](data:image/png;base64,AAAA)\n\n<details><summary>More</summary>\n\nHidden\n\n</details>\n',
    );
    expect(result.html).not.toMatch(/<script|onclick|javascript:|data:/);
    expect(result.html).toContain('<kbd>Ctrl</kbd>');
    expect(result.html).toContain('<details><summary>More</summary>');
  });

  it('reports located frontmatter problems and still compiles', () => {
    const result = page('---\nid: Bad Id\ntitle: 3\ncolour: red\nposition: first\n---\n# Hello\n\nBody\n');
    expect(result.messages.map((m) => [m.line, m.ruleId, m.severity])).toEqual([
      [4, 'frontmatter-unknown', 'warning'],
      [2, 'frontmatter-field', 'error'],
      [3, 'frontmatter-field', 'error'],
      [5, 'frontmatter-field', 'error'],
    ]);
    expect(result.meta.title).toBe('Hello');
  });

  it('reports invalid YAML with its line', () => {
    const result = page('---\nid: x\ntitle: [unclosed\n---\nBody\n');
    expect(result.messages[0]).toMatchObject({ ruleId: 'frontmatter-yaml', line: 3, severity: 'error' });
  });

  it('rejects binary files, invalid UTF-8 (with the position), and reports empty pages', () => {
    expect(page(new Uint8Array([0x23, 0x20, 0x41, 0x00, 0x01])).messages[0]).toMatchObject({
      ruleId: 'binary-file',
      line: 1,
      column: 4,
    });
    const latin1 = new Uint8Array([
      ...new TextEncoder().encode('---\nid: x\n---\nline two\ncaf'),
      0xe9,
      0x0a,
    ]);
    expect(page(latin1).messages[0]).toMatchObject({ ruleId: 'encoding', line: 5, column: 4 });
    expect(page('---\nid: x\ntitle: X\n---\n# X\n').messages).toContainEqual(
      expect.objectContaining({ ruleId: 'empty-page' }),
    );
  });

  it('refuses deeply nested content and pages over 2 MB with located errors; large pages compile', () => {
    const nested = `---\nid: x\ntitle: X\n---\n${Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n')}\n`;
    expect(page(nested).messages).toEqual([expect.objectContaining({ ruleId: 'too-deep', line: 134 })]);
    const quotes = page(`---\nid: x\ntitle: X\n---\n${'>'.repeat(20000)} deep\n`);
    expect(quotes.messages).toEqual([expect.objectContaining({ ruleId: 'too-deep', line: 5 })]);
    // 100 levels are fine.
    const fine = page(
      `---\nid: x\ntitle: X\n---\n${Array.from({ length: 100 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n')}\n`,
    );
    expect(fine.messages).toEqual([]);
    expect(fine.html.match(/<ul>/g)).toHaveLength(100);
    const huge = page(
      `---\nid: big\ntitle: Big\n---\n${'Some **bold** words and a [link](https://x.test).\n\n'.repeat(100_000)}`,
    );
    expect(huge.messages).toEqual([expect.objectContaining({ ruleId: 'page-too-large', line: 1 })]);
    const large = page(
      `---\nid: big\ntitle: Big\n---\n${'Some **bold** words and a [link](https://x.test).\n\n'.repeat(5_000)}`,
    );
    expect(large.messages).toEqual([]);
    expect(large.html.match(/<strong>/g)).toHaveLength(5_000);
  });
});

describe('compilePage on input the Markdown parser needs super-linear time for', () => {
  it.each([
    ['100 KB of *a in one paragraph', '*a'.repeat(50_000), 7, 'paragraph has over 1000 runs of * or _'],
    ['50,000 nested brackets', '['.repeat(50_000), 7, 'paragraph has over 1000 [ brackets'],
    // 900² per paragraph: the fifth one passes the page's budget.
    [
      'many long emphasis paragraphs',
      `${'*a'.repeat(900)}\n\n`.repeat(6),
      15,
      'page has too many runs of * or _',
    ],
  ])('refuses %s with a located too-complex error', (_, body, line, message) => {
    const result = page(`---\nid: x\ntitle: X\n---\nIntro.\n\n${body}\n`);
    const error = result.messages.find((m) => m.severity === 'error');
    expect(error).toMatchObject({ ruleId: 'too-complex', line, file: 'docs/guides/setup.md' });
    expect(error?.message).toContain(message);
    expect(result.html).toBe('');
  });

  it('compiles what real pages hold: emphasis in many paragraphs, stars in code blocks', () => {
    const prose =
      `${'Some **bold** and *italic* text with [a link](https://x.test). '.repeat(40)}\n\n`.repeat(50);
    const code = `\`\`\`c\n${'int **p = *q * *r;\n'.repeat(2_000)}\`\`\`\n`;
    const result = page(`---\nid: x\ntitle: X\n---\n${prose}${code}`);
    expect(result.messages.filter((m) => m.severity === 'error')).toEqual([]);
  });
});
