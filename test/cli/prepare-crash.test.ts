import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { openPostgresStore } from '../../src/adapters/store/postgres-store.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import type { StorePort } from '../../src/ports/index.js';
import { hashBundle } from '../../src/stages/prepare.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/** Kills that must land per dialect; CI runs the default, a developer can run thousands (HERALD_KILL_TRIALS). */
const KILLS = Number(process.env.HERALD_KILL_TRIALS ?? 12);
/** A trial whose prepare finished before the kill does not count; this bounds the loop. */
const MAX_TRIALS = KILLS * 4;

let dir: string;
let repo: string;
let postgres: TestPostgres;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-crash-'));
  repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let edits = 0;
/** A new commit that changes a docs page: the next prepare of the version has new content. */
function changeDocs(): void {
  appendFileSync(path.join(repo, 'docs', 'billing', 'invoices.md'), `\nEdited for trial ${++edits}.\n`);
  execFileSync('git', ['commit', '-qam', `docs: trial ${edits}`], { cwd: repo });
}

function prepareKilledAfter(ms: number, store: string): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cliPath, 'prepare', '--release-version', '1.3.0', '--store', store],
      {
        cwd: repo,
        stdio: 'ignore',
        env: { ...process.env, HERALD_ACTOR: 'crash-test' },
      },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`prepare exited with ${code}`));
    });
  });
}

/** Every bundle points at a complete revision whose content matches its hash; no half revision. */
async function checkConsistent(store: StorePort): Promise<number> {
  const bundles = await store.listBundles({ limit: 1000 });
  for (const record of bundles) {
    const current = await store.readRevision(record.id);
    expect(current, record.key.version).not.toBeNull();
    expect(current!.number).toBe(record.contentRevision);
    expect(hashBundle(current!.bundle)).toBe(record.contentHash);
    for (let n = 1; n <= record.contentRevision; n++)
      expect(await store.readRevision(record.id, n)).not.toBeNull();
    expect(await store.readRevision(record.id, record.contentRevision + 1)).toBeNull();
    expect(await store.missingBlobs(current!.bundle.docs.assets.map((a) => a.hash))).toEqual([]);
  }
  return bundles.find((b) => b.key.version === '1.3.0')?.contentRevision ?? 0;
}

async function killLoop(storeArg: string, open: () => Promise<StorePort>, extraCheck?: () => void) {
  // How long a whole prepare takes here: kills land anywhere from start-up to commit.
  const started = Date.now();
  changeDocs();
  expect(await prepareKilledAfter(60_000, storeArg)).toBe('finished');
  // Kill anywhere from start-up to just past the commit. A run that finishes first is still
  // checked, but only landed kills count: the window shrinks after each finished run, so on a
  // loaded machine (slower or faster than the measuring run) the loop still lands KILLS kills.
  let window = (Date.now() - started) * 1.1;
  let killed = 0;
  let trials = 0;
  let lastRevision = 1;
  while (killed < KILLS && trials < MAX_TRIALS) {
    trials++;
    changeDocs();
    const outcome = await prepareKilledAfter(Math.floor(Math.random() * window), storeArg);
    if (outcome === 'killed') killed++;
    else window *= 0.7;
    extraCheck?.();
    const store = await open();
    try {
      const revision = await checkConsistent(store);
      // Either the old revision or exactly one new one: never a gap, never a half.
      expect(revision === lastRevision || revision === lastRevision + 1).toBe(true);
      lastRevision = revision;
    } finally {
      await store.close();
    }
  }
  expect(killed, `${killed} kills landed in ${trials} trials`).toBe(KILLS);
  // After all the kills, a normal run still works and stores the latest content.
  expect(await prepareKilledAfter(60_000, storeArg)).toBe('finished');
  const store = await open();
  expect(await checkConsistent(store)).toBeGreaterThanOrEqual(lastRevision);
  await store.close();
}

describe('a prepare killed at any moment leaves the old or the new revision', () => {
  it('on SQLite', async () => {
    const file = path.join(dir, 'crash.db');
    await killLoop(
      file,
      () => openSqliteStore(file),
      () => {
        const db = new Sqlite(file, { readonly: true });
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        db.close();
      },
    );
  }, 600_000);

  it('on PostgreSQL', async () => {
    const url = await postgres.freshDatabase();
    await killLoop(url, () => openPostgresStore(url));
  }, 600_000);
});

describe('PostgreSQL through the CLI', () => {
  it('two prepares of one version at once store one revision; secrets stay out of output', async () => {
    const url = await postgres.freshDatabase();
    execFileSync('git', ['tag', 'v1.4.0'], { cwd: repo });
    const runs = await Promise.all(
      [1, 2].map(() =>
        runCli(['prepare', '--to', 'v1.4.0', '--json'], { cwd: repo, env: { HERALD_DATABASE_URL: url } }),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(runs.map((r) => JSON.parse(r.stdout).outcome).sort()).toEqual(['created', 'unchanged']);
    const listed = await runCli(['list', '--json'], { cwd: repo, env: { HERALD_DATABASE_URL: url } });
    expect(JSON.parse(listed.stdout).bundles.map((b: { version: string }) => b.version)).toEqual(['1.4.0']);

    const wrong = url.replace('herald-test', 'wrong-password');
    const refused = await runCli(['list'], { cwd: repo, env: { HERALD_DATABASE_URL: wrong } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ESTORE');
    expect(refused.stderr).not.toContain('wrong-password');
  });
});
