import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack-faults.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

const CHANNELS = [
  { id: 'C0RELEASES', name: 'releases', audience: 'internal' },
  { id: 'C0COMMUNITY', name: 'community', audience: 'customer' },
];
const SUBSCRIBERS = ['ada@example.com', 'bob@example.com', 'cy@example.com'];

let dir: string;
let repo: string;
let postgres: TestPostgres;
let database: string;
let slack: SlackEmulator;
let smtp: TestSmtpServer;
const serves: ChildProcess[] = [];
const env = () => ({
  HERALD_DATABASE_URL: database,
  SLACK_API_URL: slack.url,
  SLACK_BOT_TOKEN: slack.token,
  SMTP_URL: smtp.url,
  HERALD_EMAIL_SECRET: 'scheduler-test-secret-0123456789',
  HERALD_PUBLIC_URL: 'https://help.acme.test',
});

/** One query against the test's store, straight through pg. */
async function query<T>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}
const storeNow = async () =>
  Number((await query<{ now: string }>('SELECT (EXTRACT(EPOCH FROM now()) * 1000)::bigint AS now'))[0]!.now);

/** `herald serve` against the shared store, once it says where it listens. */
async function startServe(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--json'], {
    cwd: repo,
    env: { ...process.env, ...env() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serves.push(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`herald serve exited with ${code}`)));
  });
  return child;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-serve-scheduler-'));
  postgres = await startPostgres();
  database = await postgres.freshDatabase();
  slack = await startSlackEmulator({
    channels: CHANNELS.map(({ id, name }) => ({ id, name })),
    postsPerSecondPerChannel: null,
  });
  smtp = await startSmtpServer();
  repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
  const file = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.herald.slack = {
    channels: CHANNELS.map((c) => ({ id: c.id, name: `#${c.name}`, audience: c.audience })),
  };
  config.herald.email = { from: 'releases@acme.example' };
  config.herald.server = { schedulerIntervalSeconds: 2 };
  writeFileSync(file, JSON.stringify(config, null, 2));
}, 120_000);

afterAll(async () => {
  for (const child of serves) if (child.exitCode === null) child.kill('SIGKILL');
  await slack?.close();
  await smtp?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Schedules `version` a few seconds ahead by the store's clock, optionally with CI's `herald
 * announce` starting as it comes due; waits for it to be announced, and checks every effect
 * happened once, never early and within 10 s of the announce time (store clock).
 */
async function announceSoon(version: string, withCi: boolean) {
  const at = (await storeNow()) + 5_000;
  const scheduled = await runCli(['schedule', version, '--at', new Date(at).toISOString()], {
    cwd: repo,
    env: env(),
  });
  expect(scheduled.code, scheduled.stderr).toBe(0);
  let ci: ReturnType<typeof runCli> | null = null;
  if (withCi) {
    // CI's cron job starts as the release comes due, racing the two servers.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
    ci = runCli(['announce'], { cwd: repo, env: { ...env(), HERALD_ACTOR: 'ci' } });
  }
  const bundleOf = async () =>
    (
      await query<{ id: string; status: string; announce_at: string; announced_at: string }>(
        `SELECT id, status, announce_at, announced_at FROM bundles WHERE version = '${version}'`,
      )
    )[0]!;
  await vi.waitFor(async () => expect((await bundleOf()).status).toBe('announced'), {
    timeout: 60_000,
    interval: 200,
  });
  if (ci) expect((await ci).code).toBe(0);

  const bundle = await bundleOf();
  const announceAt = Number(bundle.announce_at);
  const rows = await query<{
    target: string;
    target_key: string;
    state: string;
    attempts: string;
    updated_at: string;
  }>(`SELECT target, target_key, state, attempts, updated_at FROM deliveries WHERE bundle_id = ${bundle.id}`);
  expect(rows.length).toBeGreaterThan(SUBSCRIBERS.length + CHANNELS.length);
  for (const row of rows) {
    const what = `${version} ${row.target} ${row.target_key}`;
    expect(row.state, what).toBe('sent');
    expect(Number(row.attempts), what).toBe(1);
    const delay = Number(row.updated_at) - announceAt;
    expect(delay, what).toBeGreaterThanOrEqual(0);
    expect(delay, what).toBeLessThan(10_000);
  }
  expect(Number(bundle.announced_at) - announceAt).toBeLessThan(10_000);
  // Every effect once: one post per Slack channel, one email per subscriber.
  for (const { id } of CHANNELS)
    expect(slack.messages(id).filter((m) => m.metadata?.event_payload.version === version)).toHaveLength(1);
  for (const email of SUBSCRIBERS)
    expect(
      smtp.messages.filter((m) => m.envelope.to.includes(email) && m.parsed.subject?.includes(version)),
      `${version} ${email}`,
    ).toHaveLength(1);
}

describe('herald serve: the scheduler', () => {
  it('two servers, alone and then racing a CI announce, publish releases due in seconds once, within 10 s', async () => {
    for (const version of ['2.0.0', '2.1.0']) {
      const prepared = await runCli(['prepare', '--release-version', version], { cwd: repo, env: env() });
      expect(prepared.code, prepared.stderr).toBe(0);
    }
    for (const email of SUBSCRIBERS)
      expect((await runCli(['subscribers', 'add', email], { cwd: repo, env: env() })).code).toBe(0);
    await Promise.all([startServe(), startServe()]);

    // No CI at all: the servers' schedulers alone announce it.
    await announceSoon('2.0.0', false);
    await announceSoon('2.1.0', true);
    expect(existsSync(path.join(repo, '.herald', 'site', 'index.html'))).toBe(true);

    // SIGTERM drains: each server stops cleanly.
    const exits = serves.map((child) => new Promise<number | null>((resolve) => child.once('exit', resolve)));
    for (const child of serves) child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);
  }, 180_000);
});
