import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';

/** A plain connection to a store (a SQLite file or a Postgres URL), beside the store's own. */
export interface RawStore {
  query<T = Record<string, unknown>>(text: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function openRaw(where: string): Promise<RawStore> {
  if (where.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    return {
      query: async <T>(text: string) => (await client.query(text)).rows as T[],
      close: () => client.end(),
    };
  }
  const database = new Sqlite(where);
  return {
    query: async <T>(text: string) => {
      const statement = database.prepare(text);
      if (statement.reader) return statement.all() as T[];
      statement.run();
      return [];
    },
    close: async () => {
      database.close();
    },
  };
}

type Counts = Record<string, number>;

const countsOf = (rows: { bundle_id: unknown; target: string; state: string; n: unknown }[]): Counts =>
  Object.fromEntries(
    rows
      .filter((r) => Number(r.n) !== 0)
      .map((r) => [`${Number(r.bundle_id)} ${r.target} ${r.state}`, Number(r.n)])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );

/** What a fresh count of every ledger row says, per bundle, target and state. */
export async function countedRows(raw: RawStore): Promise<Counts> {
  return countsOf(
    await raw.query(
      'SELECT bundle_id, target, state, COUNT(*) AS n FROM deliveries GROUP BY bundle_id, target, state',
    ),
  );
}

/** What the kept counts say, summed over their shards. */
export async function keptCounts(raw: RawStore): Promise<Counts> {
  return countsOf(
    await raw.query(
      'SELECT bundle_id, target, state, SUM(n) AS n FROM delivery_counts GROUP BY bundle_id, target, state',
    ),
  );
}

/** The kept counts equal a fresh GROUP BY over `deliveries`; the fresh counts, for more checks. */
export async function expectCountsExact(raw: RawStore, step: string): Promise<Counts> {
  const counted = await countedRows(raw);
  expect(await keptCounts(raw), step).toEqual(counted);
  return counted;
}
