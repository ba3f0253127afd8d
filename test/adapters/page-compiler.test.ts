import { describe, expect, it } from 'vitest';
import { createPageCompiler } from '../../src/adapters/page-compiler.js';
import type { PageSource } from '../../src/core/docs/compile-page.js';

const filler = `${'Plain words in a paragraph. '.repeat(40)}\n\n`.repeat(20); // over 16 KB: compiled on a worker
const source = (name: string, body: string): PageSource => ({
  path: `guide/${name}.md`,
  file: `docs/guide/${name}.md`,
  bytes: new TextEncoder().encode(`---\nid: ${name}\ntitle: ${name}\n---\n${body}\n\n${filler}`),
  defaultLocale: 'en-us',
});

describe('page compiler worker pool', () => {
  it('stops a page that runs past its budget, reports it as too complex, and still compiles the others', async () => {
    const compiler = createPageCompiler({
      workers: 1,
      pageBudgetMs: 3_000,
      workerUrl: new URL('../helpers/hanging-page-worker.mjs', import.meta.url),
    });
    const pages = await compiler.compile([
      source('first', 'Before.'),
      source('stuck', 'HANG'),
      source('after', '[a link](first.md)'),
    ]);
    expect(pages.map((p) => p.path)).toEqual(['guide/first.md', 'guide/stuck.md', 'guide/after.md']);
    expect(pages[1]!.messages).toMatchObject([
      { file: 'docs/guide/stuck.md', ruleId: 'too-complex', severity: 'error' },
    ]);
    expect(pages[1]!.messages[0]!.message).toContain('took over 3 s to compile');
    expect(pages[0]!.messages).toEqual([]);
    expect(pages[2]!.links).toMatchObject([{ path: 'guide/first.md' }]);
  }, 60_000);

  it('compiles large pages of a small job on a worker with the same result as in this thread', async () => {
    const sources = [source('one', '## Part {#part}\n\n[self](#part)'), source('two', 'Two.')];
    const { compilePage } = await import('../../src/core/docs/compile-page.js');
    const inThisThread = sources.map(compilePage);
    const onWorker = await createPageCompiler({
      workers: 2,
      workerUrl: new URL('../../dist/adapters/page-compiler-worker.js', import.meta.url),
    }).compile(sources);
    expect(onWorker).toEqual(inThisThread);
  }, 60_000);

  it('lets go of each page it compiled, in this thread and on workers (a big job does not hold all the Markdown)', async () => {
    for (const count of [3, 48]) {
      const sources = Array.from({ length: count }, (_, i) => source(`p${i}`, `Page ${i}.`));
      const pages = await createPageCompiler({
        workers: 1,
        workerUrl: new URL('../../dist/adapters/page-compiler-worker.js', import.meta.url),
      }).compile(sources);
      expect(pages.map((p) => p.meta.id)).toEqual(sources.map((_, i) => `p${i}`));
      expect(sources.map((s) => s.bytes.length)).toEqual(sources.map(() => 0));
      expect(sources.map((s) => s.path)).toEqual(pages.map((p) => p.path));
    }
  }, 60_000);

  it('says as each page finishes, in this thread and on workers, up to the total', async () => {
    for (const count of [3, 48]) {
      const seen: [number, number][] = [];
      // Three small pages compile in this thread; a job of 48 goes to the workers.
      const sources = Array.from({ length: count }, (_, i) => ({
        ...source(`p${i}`, ''),
        bytes: new TextEncoder().encode(`# Page ${i}\n`),
      }));
      await createPageCompiler({
        workers: 2,
        workerUrl: new URL('../../dist/adapters/page-compiler-worker.js', import.meta.url),
        onCompiled: (done, total) => seen.push([done, total]),
      }).compile(sources);
      expect(seen).toEqual(Array.from({ length: count }, (_, i) => [i + 1, count]));
    }
  }, 60_000);
});
