import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFsDocsCache } from '../../src/adapters/fs-docs-cache.js';
import type { CompiledPage } from '../../src/model/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const page = (name: string) =>
  ({ path: `${name}.md`, html: `<p>${name}</p>`, messages: [] }) as unknown as CompiledPage;

describe('docs cache file', () => {
  it('a second compile in the same run (docs diff) gets the pages from memory, not by reading the file again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'herald-docs-cache-'));
    dirs.push(dir);
    const file = path.join(dir, 'docs.json');
    const cache = createFsDocsCache(file);
    expect((await cache.load()).size).toBe(0);
    await cache.save(new Map([['a', page('a')]]));
    expect(existsSync(dir)).toBe(true);
    // Gone from disk: only memory can answer now.
    rmSync(dir, { recursive: true, force: true });
    const again = await cache.load();
    expect([...again.keys()]).toEqual(['a']);
    // What the caller does to the map it got does not change the cache's memory.
    again.clear();
    expect((await cache.load()).size).toBe(1);
    // Another run reads the disk.
    expect((await createFsDocsCache(file).load()).size).toBe(0);
  });

  it('writes the main file a piece at a time, as the same JSON, and reads every entry back', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'herald-docs-cache-'));
    dirs.push(dir);
    const file = path.join(dir, 'docs.json');
    // About 3 MB of pages with quotes, non-ASCII text and line breaks: several pieces.
    const entries = new Map(
      Array.from({ length: 300 }, (_, i) => [
        `key-${i}`,
        { ...page(`p${i}`), html: `<p title="x">${'Grüße → "quoted"\n'.repeat(500)}${i}</p>` },
      ]),
    );
    await createFsDocsCache(file).save(entries);
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify({ version: 1, entries: [...entries] }));
    const loaded = await createFsDocsCache(file).load();
    expect(loaded).toEqual(entries);
  });
});
