import { appendFile, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CompiledPage } from '../model/index.js';
import type { DocsCachePort } from '../ports/index.js';

type Entry = [string, CompiledPage];

/**
 * Compiled pages in one JSON file (`docs.json`) plus a journal of entries added since
 * (`docs.journal.jsonl`, one line each): a rebuild after one changed page appends one line instead
 * of rewriting tens of megabytes. The journal is folded into the main file when it grows past a
 * tenth of it, which also drops entries no longer used. A missing, old or damaged file just means
 * compiling again; a torn last journal line is ignored. What was loaded or saved stays in memory:
 * a second compile in the same run (`docs diff` compiles two releases) does not parse the file again.
 */
export function createFsDocsCache(file: string | null): DocsCachePort {
  const journal = file === null ? null : file.replace(/\.json$/, '.journal.jsonl');
  let loadedMain = new Set<string>();
  let journaled = new Set<string>();
  let memory: Map<string, CompiledPage> | null = null;
  return {
    async load() {
      if (memory) return new Map(memory);
      const entries = new Map<string, CompiledPage>();
      if (file === null || journal === null) return entries;
      try {
        const data = JSON.parse(await readFile(file, 'utf8')) as { version?: number; entries?: Entry[] };
        if (data.version === 1 && Array.isArray(data.entries))
          for (const [key, page] of data.entries) entries.set(key, page);
      } catch {
        // No usable main file.
      }
      loadedMain = new Set(entries.keys());
      journaled = new Set<string>();
      try {
        for (const line of (await readFile(journal, 'utf8')).split('\n')) {
          if (line === '') continue;
          try {
            const [key, page] = JSON.parse(line) as Entry;
            entries.set(key, page);
            journaled.add(key);
          } catch {
            // A line cut short by a crash.
          }
        }
      } catch {
        // No journal yet.
      }
      memory = new Map(entries);
      return entries;
    },
    async save(entries) {
      if (file === null || journal === null) return;
      memory = new Map(entries);
      try {
        await mkdir(path.dirname(file), { recursive: true });
        const added = [...entries].filter(([key]) => !loadedMain.has(key));
        const fresh = added.filter(([key]) => !journaled.has(key));
        if (fresh.length > 0 && added.length <= Math.max(16, entries.size / 10)) {
          await appendFile(journal, fresh.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
          for (const [key] of fresh) journaled.add(key);
          return;
        }
        const temp = `${file}.${process.pid}.tmp`;
        await writeMainFile(temp, entries);
        await rename(temp, file);
        await rm(journal, { force: true });
        loadedMain = new Set(entries.keys());
        journaled = new Set<string>();
      } catch {
        // A read-only checkout compiles every time.
      }
    },
  };
}

/** Below this many characters of JSON, entries are gathered before one write. */
const WRITE_CHUNK = 1 << 20;

/**
 * The same text as JSON.stringify({ version: 1, entries: [...entries] }), written a megabyte at a
 * time: one string of every compiled page (tens of MB for thousands of pages, twice that once
 * encoded) was the peak of a big build's memory.
 */
async function writeMainFile(target: string, entries: Map<string, CompiledPage>): Promise<void> {
  const handle = await open(target, 'w');
  try {
    let chunk = '{"version":1,"entries":[';
    let first = true;
    for (const entry of entries) {
      chunk += `${first ? '' : ','}${JSON.stringify(entry)}`;
      first = false;
      if (chunk.length >= WRITE_CHUNK) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    await handle.write(`${chunk}]}`);
  } finally {
    await handle.close();
  }
}
