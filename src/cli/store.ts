import path from 'node:path';
import { redactUrl } from '../core/redact.js';
import { errors, HeraldError } from '../errors/index.js';
import type { StorePort } from '../ports/index.js';

export interface StoreChoice {
  kind: 'sqlite' | 'postgres';
  /** A file path or a URL. */
  target: string;
  /** For messages: the URL without its password. */
  label: string;
}

/** --store, else HERALD_DATABASE_URL, else the embedded SQLite file in the repository's .herald/. */
export function chooseStore(flag: string | undefined, root: string, env = process.env): StoreChoice {
  const value = flag ?? (env.HERALD_DATABASE_URL || undefined);
  if (value !== undefined && /^postgres(ql)?:\/\//i.test(value))
    return { kind: 'postgres', target: value, label: redactUrl(value) };
  if (value !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.startsWith('file://'))
    throw errors.usage(
      `unsupported store "${redactUrl(value)}"`,
      'Use postgres://user@host/db for PostgreSQL, or a file path for SQLite (default .herald/state.db).',
    );
  const file = value === undefined ? path.join(root, '.herald', 'state.db') : value.replace(/^file:\/\//, '');
  const resolved = file === ':memory:' ? file : path.resolve(root, file);
  return { kind: 'sqlite', target: resolved, label: resolved };
}

/** Opens (and migrates) the chosen store; connection problems become ESTORE, secrets redacted. */
export async function openStore(choice: StoreChoice): Promise<StorePort> {
  try {
    if (choice.kind === 'postgres') {
      const { openPostgresStore } = await import('../adapters/store/postgres-store.js');
      return await openPostgresStore(choice.target);
    }
    const { openSqliteStore } = await import('../adapters/store/sqlite-store.js');
    return await openSqliteStore(choice.target);
  } catch (error) {
    if (error instanceof HeraldError) throw error;
    throw errors.store(choice.label, (error as Error).message.split(choice.target).join(choice.label));
  }
}
