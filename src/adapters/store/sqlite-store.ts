import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { StorePort } from '../../ports/store.js';
import { createKyselyStore, migrate } from './kysely-store.js';
import type { Database, DialectOps } from './schema.js';
import { createCheckpointer } from './sqlite-checkpointer.js';

/** How long a writer waits for another process's write transaction before giving up. */
const BUSY_TIMEOUT_MS = 15_000;

/**
 * BEGIN IMMEDIATE, waiting for the write lock without blocking the event loop: SQLite's own busy
 * timeout sleeps in this thread, which would stall every other task of the process (and
 * deadlock two connections of one process). So: try without waiting, back off, try again.
 */
async function beginImmediate(database: Sqlite.Database, begin: Sqlite.Statement): Promise<void> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    // Not a prepared statement: SQLite applies some pragmas when preparing, not when running.
    database.pragma('busy_timeout = 0');
    try {
      begin.run();
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
    } finally {
      database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
  }
}

/**
 * Kysely prepares every query it runs; preparing is a good part of a small statement's cost, and
 * the engine runs the same few statements for every delivery (100,000 emails). Statements are
 * reusable, so they are kept by their SQL text.
 */
function withStatementCache(database: Sqlite.Database) {
  const statements = new Map<string, Sqlite.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        // Queries built with IN lists of varying length make new texts: bounded, not a leak.
        if (statements.size >= 500) statements.clear();
        statement = database.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/**
 * The embedded store: one SQLite file (default `.herald/state.db`). WAL lets readers run beside
 * the one writer; every write transaction starts with BEGIN IMMEDIATE, so it takes the write
 * lock up front and waits (busy timeout) instead of failing with SQLITE_BUSY halfway through.
 */
export async function openSqliteStore(file: string): Promise<StorePort> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const database = new Sqlite(file, { timeout: BUSY_TIMEOUT_MS });
  database.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a killed process never loses a committed transaction; only an OS crash
  // or power loss can drop the last ones, and never corrupts the file.
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  const begin = database.prepare('BEGIN IMMEDIATE');
  const checkpointer = createCheckpointer(file, (pages) => database.pragma(`wal_autocheckpoint = ${pages}`));
  // SQLite has one writer at a time: every write transaction, whatever its lock key, is the same.
  const transaction: DialectOps['transaction'] = (kysely, work) =>
    kysely.connection().execute(async (connection) => {
      await beginImmediate(database, begin);
      try {
        const result = await work(connection);
        await sql`COMMIT`.execute(connection);
        checkpointer.committed();
        return result;
      } catch (error) {
        if (database.inTransaction) await sql`ROLLBACK`.execute(connection);
        throw error;
      }
    });
  const ops: DialectOps = {
    dialect: 'sqlite',
    now: sql<number>`CAST(unixepoch('subsec') * 1000 AS INTEGER)`,
    writeTransaction: (kysely, _lockKey, work) => transaction(kysely, work),
    transaction,
  };
  await migrate(db, ops);
  const store = createKyselyStore(db, ops);
  return {
    ...store,
    async close() {
      await checkpointer.close();
      await store.close();
    },
  };
}
