import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompiledPage } from '../model/index.js';
import type { DocsCachePort } from '../ports/index.js';

/**
 * Compiled pages in one JSON file (`.herald/cache/docs.json`): one read and one write per build,
 * however many pages. A missing, old or damaged file just means compiling again.
 */
export function createFsDocsCache(file: string | null): DocsCachePort {
  return {
    async load() {
      if (file === null) return new Map();
      try {
        const data = JSON.parse(await readFile(file, 'utf8')) as {
          version?: number;
          entries?: [string, CompiledPage][];
        };
        return data.version === 1 && Array.isArray(data.entries) ? new Map(data.entries) : new Map();
      } catch {
        return new Map();
      }
    },
    async save(entries) {
      if (file === null) return;
      try {
        await mkdir(path.dirname(file), { recursive: true });
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, JSON.stringify({ version: 1, entries: [...entries] }));
        await rename(temp, file);
      } catch {
        // A read-only checkout compiles every time.
      }
    },
  };
}
