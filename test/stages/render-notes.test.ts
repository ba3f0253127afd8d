import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFsTemplates } from '../../src/adapters/fs-templates.js';
import { escapeMarkdownText } from '../../src/core/markdown-text.js';
import type { ReleaseNotes } from '../../src/model/index.js';
import type { TemplatePort, TemplateSource } from '../../src/ports/index.js';
import { createNotesRenderer } from '../../src/stages/render-notes.js';

const notes: ReleaseNotes = {
  schemaVersion: 1,
  product: 'Acme',
  packageName: null,
  audience: 'customer',
  version: '1.2.0',
  previousVersion: '1.1.0',
  tag: 'v1.2.0',
  previousTag: 'v1.1.0',
  date: '2026-01-02',
  compareUrl: 'javascript:alert(1)',
  sections: [
    {
      type: 'feat',
      title: 'Features',
      components: [],
      entries: [
        {
          hash: 'a'.repeat(40),
          shortHash: 'aaaaaaa',
          commitUrl: null,
          type: 'feat',
          scope: null,
          component: null,
          text: 'Add <img src=x onerror=alert(1)> support',
          breaking: false,
          pullRequest: { text: '#5', url: 'https://example.com/pull/5' },
          issues: [],
          authors: [],
        },
      ],
    },
  ],
  breaking: [],
  components: [],
  contributors: [],
  linked: [],
  counts: { entries: 1, breaking: 0, hidden: 0 },
  empty: false,
  intro: null,
};

/** An in-memory template port: counts compiles through its precompiled-template store. */
function memoryTemplates(
  files: Record<string, string>,
): TemplatePort & { store: Map<string, string>; writes: number } {
  const store = new Map<string, string>();
  const port = {
    store,
    writes: 0,
    load: async (name: string): Promise<TemplateSource> => ({ file: name, source: files[name]! }),
    find: async (name: string): Promise<TemplateSource | null> =>
      name in files ? { file: name, source: files[name]! } : null,
    list: async (dir: string) =>
      Object.keys(files)
        .filter((name) => name.startsWith(`${dir}/`))
        .map((name) => name.slice(dir.length + 1)),
    partials: async () => ({}),
    readCompiled: async (t: TemplateSource, variant: string) => store.get(`${variant}${t.source}`) ?? null,
    writeCompiled: async (t: TemplateSource, variant: string, compiled: string) => {
      port.writes++;
      store.set(`${variant}${t.source}`, compiled);
    },
  };
  return port;
}

describe('render notes', () => {
  it('renders the built-in customer template with untrusted text escaped and unsafe URLs dropped', async () => {
    const render = await (await createNotesRenderer(createFsTemplates(null)))('customer.hbs');
    const markdown = render(notes);
    expect(markdown).toBe(
      '## 1.2.0 (2026-01-02)\n\n### Features\n\n- Add \\<img src=x onerror=alert(1)\\> support ([#5](https://example.com/pull/5))\n',
    );
  });

  it('precompiles a template once and reuses the kept form; a damaged one is recompiled', async () => {
    const templates = memoryTemplates({ 't.hbs': '# {{version}}' });
    expect((await (await createNotesRenderer(templates))('t.hbs'))(notes)).toBe('# 1.2.0\n');
    expect(templates.writes).toBe(1);
    expect((await (await createNotesRenderer(templates))('t.hbs'))(notes)).toBe('# 1.2.0\n');
    expect(templates.writes).toBe(1);
    for (const key of templates.store.keys()) templates.store.set(key, 'not javascript {');
    expect((await (await createNotesRenderer(templates))('t.hbs'))(notes)).toBe('# 1.2.0\n');
    expect(templates.writes).toBe(2);
  });

  it('a kept precompiled form still reports unknown fields with their line', async () => {
    const templates = memoryTemplates({ 't.hbs': 'ok\n{{nope}}' });
    const expected = expect.objectContaining({
      code: 'ETEMPLATEFIELD',
      problems: [expect.objectContaining({ location: { file: 't.hbs', line: 2, column: 3 } })],
    });
    const first = await (await createNotesRenderer(templates))('t.hbs');
    expect(() => first(notes)).toThrow(expected);
    expect(templates.writes).toBe(1);
    const cached = await (await createNotesRenderer(templates))('t.hbs');
    expect(() => cached(notes)).toThrow(expected);
    expect(templates.writes).toBe(1);
  });
});

describe('escapeMarkdownText (property)', () => {
  it('never leaves raw HTML, link or image syntax, or a line break, in any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const escaped = escapeMarkdownText(text);
        expect(escaped).not.toMatch(/[\r\n]/);
        // Every <, >, [ and ] is preceded by an odd number of backslashes (escaped).
        for (const match of escaped.matchAll(/(\\*)[<>[\]]/g)) expect(match[1]!.length % 2).toBe(1);
      }),
      { numRuns: 2000 },
    );
  });
});
