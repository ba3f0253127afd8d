import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPostgresStore } from '../../src/adapters/store/postgres-store.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import type { TestPostgres } from './postgres.js';

/** Both store dialects for `describe.each`: a fresh store location each, and how to open it. */
export function storeDialects(postgres: () => TestPostgres) {
  return [
    {
      name: 'sqlite',
      fresh: async () => path.join(mkdtempSync(path.join(tmpdir(), 'herald-store-')), 'state.db'),
      open: (where: string) => openSqliteStore(where),
    },
    {
      name: 'postgres',
      fresh: () => postgres().freshDatabase(),
      open: (where: string) => openPostgresStore(where),
    },
  ] as const;
}
