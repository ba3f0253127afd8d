import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { StorePort } from '../../ports/store.js';
import { createKyselyStore, migrate } from './kysely-store.js';
import type { Database, DialectOps } from './schema.js';

const INT8_OID = 20;

/**
 * The shared store for teams and several runners: PostgreSQL through `pg`. Writers to one bundle
 * serialise on a transaction-level advisory lock (released by COMMIT, ROLLBACK or a dropped
 * connection, so a killed process never leaves it held); the clock is the server's `now()`.
 */
export async function openPostgresStore(url: string): Promise<StorePort> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    // Epoch-ms columns are BIGINT; they fit a JS number, so read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? Number
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops (restart, failover) must not crash the process: the
  // next query opens a new one.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const ops: DialectOps = {
    dialect: 'postgres',
    now: sql<number>`(EXTRACT(EPOCH FROM now()) * 1000)::bigint`,
    writeTransaction: (kysely, lockKey, work) =>
      kysely.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`.execute(trx);
        return work(trx);
      }),
    transaction: (kysely, work) => kysely.transaction().execute(work),
  };
  try {
    await migrate(db, ops);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw error;
  }
  return createKyselyStore(db, ops);
}
