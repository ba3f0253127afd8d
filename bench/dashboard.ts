// npm run bench:dashboard — the dashboard's releases page and one release's page with 1,000
// releases and 100,000 deliveries in the store (SQLite, then PostgreSQL), side by side with a
// baseline: the same pages over a store holding only that one release. Prints the median time
// per page as a client on loopback sees it (so at most the server's time plus a loopback round
// trip), the ratio to the baseline, and whether the target (under 50 ms median) is met.
// Run with vite-node (the sample repository builder and the test server are shared with the tests).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildSampleRepo } from '../scripts/sample-repo.mjs';
import { openPostgresStore } from '../src/adapters/store/postgres-store.js';
import { openSqliteStore } from '../src/adapters/store/sqlite-store.js';
import type { Output } from '../src/cli/output.js';
import { createRuntime } from '../src/cli/runtime.js';
import { decideSchedule } from '../src/core/bundle-lifecycle.js';
import type { PlannedDelivery } from '../src/model/index.js';
import type { StorePort } from '../src/ports/index.js';
import { prepare } from '../test/helpers/bundles.js';
import { SESSION_COOKIE, startDashboardServer } from '../test/helpers/dashboard-server.js';
import { startPostgres } from '../test/helpers/postgres.js';

const RELEASES = Number(process.env.BENCH_RELEASES ?? 1000);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const TARGET_MS = 50;
const PRODUCT = 'Acme Cloud';
const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const herald = path.join(root, 'dist', 'bin', 'herald.js');
const work = path.join(root, 'bench', '.work', 'dashboard');
const quiet: Output = { json: false, out() {}, info() {}, warn() {}, error() {}, bug() {} };

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const repo = buildSampleRepo(path.join(work, 'acme-cloud'));
const configFile = path.join(repo, '.releaserc.json');
const config = JSON.parse(readFileSync(configFile, 'utf8'));
config.herald.slack = { channels: [{ id: 'C0RELEASES', name: '#releases', audience: 'customer' }] };
writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
execFileSync('git', ['commit', '-qam', 'chore: announce in Slack'], { cwd: repo });
const runtime = await createRuntime({ cwd: repo }, {}, quiet);

/** `herald prepare` of the release whose page is measured, into the store at `target`. */
function prepareReal(target: string) {
  execFileSync(process.execPath, [herald, 'prepare', '--release-version', '9.9.9', '--store', target], {
    cwd: repo,
    env: { ...process.env, HERALD_ACTOR: 'bench' },
    stdio: 'pipe',
  });
}

/** Makes a release due now and plans `count` email deliveries for it: it is then announcing. */
async function planDeliveries(store: StorePort, version: string, count: number) {
  const key = { product: PRODUCT, package: '', version };
  const { record } = await store.mutateBundle(key, 'bench', (current, now) =>
    decideSchedule(current, now, { at: 'now', zone: 'UTC' }, version),
  );
  const plan: PlannedDelivery[] = Array.from({ length: count }, (_, i) => ({
    target: 'email',
    key: `email:subscriber-${i}@example.com`,
    phase: 40,
    summary: `email subscriber-${i}@example.com`,
  }));
  if (!(await store.recordPlan(record!.id, record!.revision, plan, 'bench')))
    throw new Error(`could not plan ${version}`);
}

/**
 * The other releases, oldest first: six tenths drafts, three tenths scheduled over the coming
 * weeks, and the newest tenth announcing, with the deliveries (the releases page's first page
 * is theirs, as on a real announce day).
 */
async function fill(store: StorePort) {
  const announcing = Math.ceil(RELEASES / 10);
  const firstAnnouncing = RELEASES - announcing;
  const firstScheduled = firstAnnouncing - 3 * announcing;
  // The measured release has its share of deliveries too.
  const perRelease = Math.floor(DELIVERIES / (announcing + 1));
  await planDeliveries(store, '9.9.9', DELIVERIES - perRelease * announcing);
  const now = await store.now();
  for (let i = 1; i < RELEASES; i++) {
    const version = `1.${Math.floor(i / 100)}.${i % 100}`;
    const scheduled = i >= firstScheduled && i < firstAnnouncing;
    await prepare(store, version, {
      product: PRODUCT,
      text: `Change ${i}`,
      schedule: scheduled
        ? { at: now + 3_600_000 + (i - firstScheduled) * 3 * 3_600_000, zone: 'Europe/Berlin' }
        : null,
    });
    if (i >= firstAnnouncing) await planDeliveries(store, version, perRelease);
  }
}

async function median(url: string, session: string): Promise<number> {
  const headers = { cookie: `${SESSION_COOKIE}=${session}` };
  for (let i = 0; i < 5; i++) await (await fetch(url, { headers, redirect: 'manual' })).text();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers, redirect: 'manual' });
    await response.text();
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const PAGES = [
  ['releases page', '/releases'],
  ['one release', '/releases/9.9.9'],
  ['calendar', '/releases/calendar'],
  ['delivery status', '/releases/9.9.9/status'],
] as const;

async function measure(store: StorePort) {
  // The server `herald serve` runs, with one manager signed in through the login form.
  const server = await startDashboardServer({ store, runtime }, { bench: 'manager' });
  try {
    const session = await server.signIn('bench');
    const result: Record<string, number> = {};
    for (const [name, route] of PAGES) result[name] = await median(`${server.url}${route}`, session);
    return result;
  } finally {
    await server.close();
  }
}

function report(title: string, loaded: Record<string, number>, baseline: Record<string, number>) {
  console.log(title);
  for (const [page] of PAGES) {
    const ms = loaded[page]!;
    const target = page === 'releases page' || page === 'one release';
    console.log(
      `  ${page.padEnd(16)} ${ms.toFixed(1).padStart(7)} ms   baseline (1 release) ${baseline[page]!.toFixed(1).padStart(6)} ms   ratio ${(ms / baseline[page]!).toFixed(2)}${target ? `   ${ms < TARGET_MS ? 'under' : 'OVER'} the ${TARGET_MS} ms target` : ''}`,
    );
  }
}

/**
 * One dialect: the baseline, then the full store as filled, then (PostgreSQL) once more after
 * `settle`, what the database's own maintenance does after bulk inserts (autovacuum).
 */
async function benchDialect(
  name: string,
  open: () => Promise<{ store: StorePort; target: string }>,
  settle?: { what: string; run: (target: string) => Promise<void> },
) {
  const base = await open();
  prepareReal(base.target);
  const baseline = await measure(base.store);
  await base.store.close();
  const full = await open();
  prepareReal(full.target);
  const started = performance.now();
  await fill(full.store);
  const filled = ((performance.now() - started) / 1000).toFixed(1);
  report(
    `\n${name}: ${RELEASES.toLocaleString('en')} releases, ${DELIVERIES.toLocaleString('en')} deliveries (filled in ${filled} s); median of ${RUNS}`,
    await measure(full.store),
    baseline,
  );
  if (settle) {
    await settle.run(full.target);
    report(`${name}, after ${settle.what}:`, await measure(full.store), baseline);
  }
  await full.store.close();
}

let n = 0;
await benchDialect('SQLite', async () => {
  const target = path.join(work, `state-${n++}.db`);
  return { store: await openSqliteStore(target), target };
});
const postgres = await startPostgres();
try {
  await benchDialect(
    'PostgreSQL',
    async () => {
      const target = await postgres.freshDatabase();
      return { store: await openPostgresStore(target), target };
    },
    {
      what: 'VACUUM ANALYZE (as autovacuum does after bulk inserts)',
      async run(target) {
        const client = new pg.Client(target);
        await client.connect();
        await client.query('VACUUM ANALYZE');
        await client.end();
      },
    },
  );
} finally {
  await postgres.stop();
  rmSync(work, { recursive: true, force: true });
}
