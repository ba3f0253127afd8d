import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack-faults.js';
import { runCli } from '../helpers/cli.js';

// The release report: one Slack thread per release, updated in place after each announce run.

const REPORTS = 'C0REPORTS';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-announce-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let repos = 0;
/** The sample repository announcing to #releases and reporting to `reportChannel`. */
function reportRepo(reportChannel = REPORTS): string {
  const repo = buildSampleRepo(path.join(dir, `repo-${++repos}`));
  const file = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.herald.slack = { channels: [{ id: 'C0RELEASES', name: '#releases', audience: 'internal' }] };
  config.herald.report = { slack: { channel: reportChannel }, remindAfterHours: 1 };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return repo;
}

async function prepareDue(repo: string) {
  const prepared = await runCli(['prepare', '--release-version', '2.0.0'], { cwd: repo });
  expect(prepared.code, prepared.stderr).toBe(0);
  expect((await runCli(['schedule', '2.0.0', '--now'], { cwd: repo })).code).toBe(0);
}

async function withEmulator<T>(work: (emulator: SlackEmulator) => Promise<T>): Promise<T> {
  const emulator = await startSlackEmulator({
    channels: [
      { id: 'C0RELEASES', name: 'releases' },
      { id: REPORTS, name: 'release-reports' },
    ],
    postsPerSecondPerChannel: null,
  });
  try {
    return await work(emulator);
  } finally {
    await emulator.close();
  }
}

const envFor = (emulator: SlackEmulator) => ({
  SLACK_API_URL: emulator.url,
  SLACK_BOT_TOKEN: emulator.token,
  HERALD_PUBLIC_URL: 'https://help.acme.test',
  HERALD_ACTOR: 'report-test',
});

const blocksOf = (m: { text: string; blocks?: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
const reportWrites = (emulator: SlackEmulator) =>
  emulator.requests.filter((r) => r.apiMethod.startsWith('chat.') && r.args.channel === REPORTS && r.ok)
    .length;

/** A failed announcement in #releases: the first post is refused (the app is not in the channel). */
async function announceWithFailure(emulator: SlackEmulator, repo: string) {
  emulator.failNext(1, 'not_in_channel', 'chat.postMessage');
  const run = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('EDELIVERY');
}

describe('herald announce: the release report', () => {
  it('posts one parent, updates it in place with a reply when a retry succeeds, and stays quiet when nothing changed', async () => {
    await withEmulator(async (emulator) => {
      const repo = reportRepo();
      await prepareDue(repo);
      await announceWithFailure(emulator, repo);
      const [parent] = emulator.messages(REPORTS);
      expect(emulator.messages(REPORTS)).toHaveLength(1);
      expect(blocksOf(parent!)).toContain('Acme Cloud 2.0.0');
      expect(blocksOf(parent!)).toContain('1 failed');
      expect(blocksOf(parent!)).toContain('slack:C0RELEASES');
      expect(blocksOf(parent!)).toContain('/invite');

      // Nothing changed: no write to the report channel.
      const writes = reportWrites(emulator);
      expect((await runCli(['announce'], { cwd: repo, env: envFor(emulator) })).code).toBe(1);
      expect(reportWrites(emulator)).toBe(writes);

      expect((await runCli(['retry', '2.0.0', '--channel', 'slack'], { cwd: repo })).code).toBe(0);
      const rerun = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(rerun.code, rerun.stderr).toBe(0);
      const after = emulator.messages(REPORTS);
      expect(after).toHaveLength(1);
      expect(after[0]!.ts).toBe(parent!.ts);
      expect(after[0]!.updates).toBe(1);
      expect(blocksOf(after[0]!)).not.toContain('failed');
      expect(after[0]!.text).not.toBe(parent!.text);
      expect(after[0]!.replies).toHaveLength(1);
      expect(after[0]!.replies[0]!.text).toContain('resolved');

      const status = await runCli(['status', '2.0.0'], { cwd: repo });
      expect(status.stdout).toContain(`report: `);
      expect(status.stdout).not.toContain('report:slack');
      const json = JSON.parse((await runCli(['status', '2.0.0', '--json'], { cwd: repo })).stdout);
      expect(json.report).toMatchObject({ channel: REPORTS, ts: parent!.ts, error: null });
    });
  });

  it('reminds of a failure unresolved past remindAfterHours once, not at every run', async () => {
    await withEmulator(async (emulator) => {
      const repo = reportRepo();
      await prepareDue(repo);
      await announceWithFailure(emulator, repo);
      expect(emulator.messages(REPORTS)[0]!.replies).toHaveLength(0);

      // The failure was first reported two hours ago (remindAfterHours is 1): the store says so.
      const db = new Sqlite(path.join(repo, '.herald', 'state.db'));
      const row = db.prepare("SELECT id, receipt FROM deliveries WHERE target = 'report:slack'").get() as {
        id: number;
        receipt: string;
      };
      const state = JSON.parse(row.receipt);
      for (const problem of Object.values(state.problems) as { since: number }[])
        problem.since -= 2 * 3_600_000;
      db.prepare('UPDATE deliveries SET receipt = ? WHERE id = ?').run(JSON.stringify(state), row.id);
      db.close();

      expect((await runCli(['announce'], { cwd: repo, env: envFor(emulator) })).code).toBe(1);
      const replies = emulator.messages(REPORTS)[0]!.replies;
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text).toContain('Still failing');
      expect(replies[0]!.text).toContain('/invite');

      expect((await runCli(['announce'], { cwd: repo, env: envFor(emulator) })).code).toBe(1);
      expect(emulator.messages(REPORTS)[0]!.replies).toHaveLength(1);
      expect(emulator.messages(REPORTS)).toHaveLength(1);
    });
  });

  it('a report Slack refuses (channel_not_found) leaves the announce as it was, and status shows it', async () => {
    await withEmulator(async (emulator) => {
      const repo = reportRepo('C0GONE');
      await prepareDue(repo);
      const run = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('Release report for 2.0.0 not sent to C0GONE');
      expect(emulator.messages('C0RELEASES')).toHaveLength(1);
      const json = JSON.parse((await runCli(['status', '2.0.0', '--json'], { cwd: repo })).stdout);
      expect(json.status).toBe('announced');
      expect(json.report).toMatchObject({ channel: 'C0GONE', ts: null });
      expect(json.report.error).toContain('Slack has no');
      const status = await runCli(['status', '2.0.0'], { cwd: repo });
      expect(status.stdout).toContain('the last report failed');
      expect(status.stdout).toContain('herald.report.slack.channel');
    });
  });

  it('a parent whose ts was never saved (a run killed after the post) is found by its metadata, not posted again', async () => {
    await withEmulator(async (emulator) => {
      const repo = reportRepo();
      await prepareDue(repo);
      await announceWithFailure(emulator, repo);
      const [parent] = emulator.messages(REPORTS);
      const db = new Sqlite(path.join(repo, '.herald', 'state.db'));
      db.prepare("DELETE FROM deliveries WHERE target = 'report:slack'").run();
      db.close();

      expect((await runCli(['retry', '2.0.0', '--channel', 'slack'], { cwd: repo })).code).toBe(0);
      const rerun = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(rerun.code, rerun.stderr).toBe(0);
      const after = emulator.messages(REPORTS);
      expect(after).toHaveLength(1);
      expect(after[0]!.ts).toBe(parent!.ts);
      expect(after[0]!.updates).toBe(1);
      expect(blocksOf(after[0]!)).not.toContain('failed');
    });
  });

  it('goes to the Slack outbox without a token, one parent however many runs', async () => {
    const repo = reportRepo();
    await prepareDue(repo);
    for (let run = 0; run < 2; run++) {
      const result = await runCli(['announce'], { cwd: repo, env: { SLACK_BOT_TOKEN: '' } });
      expect(result.code, result.stderr).toBe(0);
    }
    const dir = path.join(repo, '.herald', 'outbox', 'slack', REPORTS);
    const payloads = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(payloads).toHaveLength(1);
    expect(readFileSync(path.join(dir, payloads[0]!), 'utf8')).toContain('Acme Cloud 2.0.0');
    expect((await runCli(['status', '2.0.0'], { cwd: repo })).stdout).toContain(`in ${REPORTS}`);
  });

  it('says nothing of a release before its announce time', async () => {
    await withEmulator(async (emulator) => {
      const repo = reportRepo();
      expect((await runCli(['prepare', '--release-version', '2.0.0'], { cwd: repo })).code).toBe(0);
      // An hour ahead: no loaded machine reaches it while the run is checked.
      const later = new Date(Date.now() + 3_600_000).toISOString();
      expect((await runCli(['schedule', '2.0.0', '--at', later], { cwd: repo })).code).toBe(0);
      expect((await runCli(['announce'], { cwd: repo, env: envFor(emulator) })).code).toBe(0);
      expect(emulator.requests.filter((r) => r.apiMethod.startsWith('chat.'))).toEqual([]);
    });
  });
});
