import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import {
  type EmulatedSlackMessage,
  type SlackEmulator,
  type SlackEmulatorOptions,
  startSlackEmulator,
} from '../emulators/slack-faults.js';
import { launchBrowser } from '../helpers/browser.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/** Kill-and-rerun trials; CI runs the default, a developer can run thousands. */
const TRIALS = Number(process.env.HERALD_KILL_TRIALS ?? 12);
const CHANNELS = [
  { id: 'C0RELEASES', name: 'releases', audience: 'internal' },
  { id: 'C0COMMUNITY', name: 'community', audience: 'customer' },
];
const slackConfig = {
  channels: CHANNELS.map((c) => ({ id: c.id, name: `#${c.name}`, audience: c.audience })),
};

let dir: string;
let postgres: TestPostgres;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-announce-slack-'));
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Empty commits on top of main, written in one go (a long release without a long test). */
function addCommits(repo: string, subjects: string[]): void {
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  const stream = subjects
    .map((subject, i) => {
      const data = Buffer.byteLength(subject);
      return `commit refs/heads/main\ncommitter Test <test@example.com> ${1_790_000_000 + i} +0000\ndata ${data}\n${subject}\n${i === 0 ? `from ${head}\n` : ''}\n`;
    })
    .join('');
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo, input: stream });
}

let repos = 0;
/** The sample repository posting to both channels; `entries` more features make a long release. */
function slackRepo(entries = 0): string {
  const repo = buildSampleRepo(path.join(dir, `repo-${++repos}`));
  const file = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.herald.slack = structuredClone(slackConfig);
  writeFileSync(file, JSON.stringify(config, null, 2));
  addCommits(repo, [
    'feat(api): ping <!channel> <!here> @everyone and <@U0BOSS> <#C0SECRET> from *untrusted* text',
    'feat(billing): cache invoice totals\n\nAudience: internal',
    ...Array.from(
      { length: entries },
      (_, i) => `feat(api): bulk export number ${i} for invoices, reports and audit trails in one request`,
    ),
  ]);
  return repo;
}

async function prepareDue(repo: string, version = '2.0.0', store: string[] = []) {
  const prepared = await runCli(['prepare', '--release-version', version, ...store], { cwd: repo });
  expect(prepared.code, prepared.stderr).toBe(0);
  expect((await runCli(['schedule', version, '--now', ...store], { cwd: repo })).code).toBe(0);
}

async function withEmulator<T>(
  options: SlackEmulatorOptions,
  work: (emulator: SlackEmulator) => Promise<T>,
): Promise<T> {
  const emulator = await startSlackEmulator({
    channels: CHANNELS.map(({ id, name }) => ({ id, name })),
    postsPerSecondPerChannel: null,
    ...options,
  });
  try {
    return await work(emulator);
  } finally {
    await emulator.close();
  }
}

const envFor = (emulator: SlackEmulator, token = emulator.token) => ({
  SLACK_API_URL: emulator.url,
  SLACK_BOT_TOKEN: token,
  HERALD_PUBLIC_URL: 'https://help.acme.test',
  HERALD_ACTOR: 'slack-test',
});

const textsOf = (m: EmulatedSlackMessage): string[] => [
  m.text,
  ...JSON.stringify(m.blocks ?? [])
    .split('"text":"')
    .slice(1)
    .map((t) => t.split('"')[0]!),
];
const allMessages = (emulator: SlackEmulator, channel: string) =>
  emulator.messages(channel).flatMap((m) => [m, ...m.replies]);

/**
 * After any number of runs, crashes and faults: per version and channel exactly one announcement,
 * and exactly one reply per thread part the ledger planned.
 */
async function expectPostedOnce(
  emulator: SlackEmulator,
  repo: string,
  versions: string[],
  store: string[] = [],
) {
  for (const version of versions) {
    const status = JSON.parse((await runCli(['status', version, '--json', ...store], { cwd: repo })).stdout);
    expect(status.status, version).toBe('announced');
    for (const { id } of CHANNELS) {
      const rows = status.deliveries.filter((d: { target: string }) => d.target === `slack:${id}`);
      const parts = rows.filter((d: { key: string }) => d.key.startsWith('post:reply:')).length;
      const tops = emulator.messages(id).filter((m) => m.metadata?.event_payload.version === version);
      expect(tops, `${version} in ${id}`).toHaveLength(1);
      expect(tops[0]!.replies, `${version} thread in ${id}`).toHaveLength(parts);
      const deliveries = tops[0]!.replies.map((r) => r.metadata?.event_payload.delivery);
      expect(new Set(deliveries).size).toBe(parts);
    }
  }
}

describe('herald announce: Slack', () => {
  it('writes each channel its own notes to the outbox without a token, once', async () => {
    const repo = slackRepo();
    await prepareDue(repo);
    const run = await runCli(['announce'], { cwd: repo, env: { SLACK_BOT_TOKEN: '' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('no SLACK_BOT_TOKEN: the embedded default');
    const outbox = path.join(repo, '.herald', 'outbox', 'slack');
    const payloads = (channel: string) =>
      readdirSync(path.join(outbox, channel))
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(path.join(outbox, channel, f), 'utf8')));
    const internal = payloads('C0RELEASES');
    const customer = payloads('C0COMMUNITY');
    expect(internal).toHaveLength(1);
    expect(customer).toHaveLength(1);
    expect(internal[0].metadata).toMatchObject({
      event_type: 'herald_release_announced',
      event_payload: { product: 'Acme Cloud', version: '2.0.0' },
    });
    // The internal audience sees internal-only changes; the community channel does not.
    expect(JSON.stringify(internal[0].blocks)).toContain('Cache invoice totals');
    expect(JSON.stringify(customer[0].blocks)).not.toContain('Cache invoice totals');
    expect(readFileSync(path.join(outbox, 'C0COMMUNITY.html'), 'utf8')).toContain('Acme Cloud 2.0.0');
    expect(readdirSync(path.join(outbox, 'C0COMMUNITY')).some((f) => f.endsWith('.txt'))).toBe(true);

    const rerun = await runCli(['announce'], { cwd: repo, env: { SLACK_BOT_TOKEN: '' } });
    expect(rerun.code).toBe(0);
    expect(payloads('C0RELEASES')).toHaveLength(1);
    expect(payloads('C0COMMUNITY')).toHaveLength(1);
  });

  it('posts nothing before the announce time, then one message per channel that pings no one', async () => {
    await withEmulator({}, async (emulator) => {
      const repo = slackRepo();
      expect((await runCli(['prepare', '--release-version', '2.0.0'], { cwd: repo })).code).toBe(0);
      // An hour ahead: no loaded machine reaches it while the early run is checked.
      const later = new Date(Date.now() + 3_600_000).toISOString();
      expect((await runCli(['schedule', '2.0.0', '--at', later], { cwd: repo })).code).toBe(0);
      const early = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(early.code).toBe(0);
      expect(emulator.requests.filter((r) => r.apiMethod.startsWith('chat.'))).toEqual([]);

      // Then due: the store's clock decides, with no window for a slow machine to miss.
      expect((await runCli(['schedule', '2.0.0', '--now'], { cwd: repo })).code).toBe(0);
      const run = await runCli(['announce', '--json'], { cwd: repo, env: envFor(emulator) });
      expect(run.code, run.stderr).toBe(0);
      await expectPostedOnce(emulator, repo, ['2.0.0']);
      for (const { id } of CHANNELS) {
        const [top] = emulator.messages(id);
        const texts = textsOf(top!).join('\n');
        expect(texts).toMatch(/<https:\/\/help\.acme\.test\/help\/[^|>]+\|Read the release notes>/);
        for (const m of allMessages(emulator, id))
          for (const text of textsOf(m)) {
            expect(text).not.toMatch(/<[!@#]/);
            expect(text).not.toMatch(/@(channel|here|everyone)/);
          }
      }
      const writes = emulator.writeCount();
      expect((await runCli(['announce'], { cwd: repo, env: envFor(emulator) })).code).toBe(0);
      expect(emulator.writeCount()).toBe(writes);
    });
  });

  it('previews exactly what was posted, as JSON and as a page Chromium shows like Slack', async () => {
    await withEmulator({}, async (emulator) => {
      const repo = slackRepo();
      await prepareDue(repo);
      expect((await runCli(['announce'], { cwd: repo, env: envFor(emulator) })).code).toBe(0);
      const preview = await runCli(['preview', '2.0.0', '--channel', 'slack', '--json'], { cwd: repo });
      expect(preview.code, preview.stderr).toBe(0);
      const { out, files } = JSON.parse(preview.stdout);
      expect(files).toEqual(expect.arrayContaining(['slack/C0COMMUNITY.json', 'slack/C0COMMUNITY.html']));
      expect(files.some((f: string) => f.startsWith('help-center/'))).toBe(false);
      for (const { id } of CHANNELS) {
        const [planned] = JSON.parse(readFileSync(path.join(out, 'slack', `${id}.json`), 'utf8'));
        const [posted] = emulator.messages(id);
        expect({ text: planned.text, blocks: planned.blocks }).toEqual({
          text: posted!.text,
          blocks: posted!.blocks,
        });
      }
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('pageerror', (e) => problems.push(String(e)));
        page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
        await page.goto(pathToFileURL(path.join(out, 'slack', 'C0COMMUNITY.html')).href);
        expect(await page.$eval('.header', (e) => e.textContent)).toBe('Acme Cloud 2.0.0');
        const links = await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')));
        expect(links.length).toBeGreaterThan(0);
        for (const href of links) expect(href).toMatch(/^https:\/\//);
        expect(await page.$$('script')).toHaveLength(0);
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
      const unknown = await runCli(['preview', '2.0.0', '--channel', 'fax'], { cwd: repo });
      expect(unknown.code).toBe(2);
    });
  });

  it('threads a long release, and edits it in place after a correction', async () => {
    await withEmulator({ postsPerSecondPerChannel: 1 }, async (emulator) => {
      const repo = slackRepo(250);
      await prepareDue(repo);
      const run = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(run.code, run.stderr).toBe(0);
      await expectPostedOnce(emulator, repo, ['2.0.0']);
      const [top] = emulator.messages('C0COMMUNITY');
      expect(top!.replies.length).toBeGreaterThanOrEqual(2);
      // Every entry exactly once across the thread.
      const all = allMessages(emulator, 'C0COMMUNITY').flatMap(textsOf).join('\n');
      for (const i of [0, 125, 249]) expect(all.split(`export number ${i} `)).toHaveLength(2);
      expect(emulator.requests.filter((r) => r.status === 429)).toEqual([]);

      addCommits(repo, ['fix(api): a late fix that belongs in 2.0.0']);
      const corrected = await runCli(['prepare', '--release-version', '2.0.0', '--force'], { cwd: repo });
      expect(corrected.code, corrected.stderr).toBe(0);
      const posts = emulator.requests.filter((r) => r.apiMethod === 'chat.postMessage').length;
      const again = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(again.code, again.stderr).toBe(0);
      expect(emulator.requests.filter((r) => r.apiMethod === 'chat.postMessage')).toHaveLength(posts);
      const [edited] = emulator.messages('C0COMMUNITY');
      expect(edited!.ts).toBe(top!.ts);
      expect(edited!.updates).toBe(1);
      expect(textsOf(edited!).join('\n')).toMatch(/2 bug fixes/);
      expect(allMessages(emulator, 'C0COMMUNITY').flatMap(textsOf).join('\n')).toContain('A late fix');
      await expectPostedOnce(emulator, repo, ['2.0.0']);
    });
  });

  it('reports a refused channel with its fix, posts to the other, and posts after retry', async () => {
    await withEmulator({}, async (emulator) => {
      const repo = slackRepo();
      await prepareDue(repo);
      emulator.failNext(1, 'not_in_channel', 'chat.postMessage');
      const run = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('EDELIVERY');
      expect(run.stderr).toContain('is not a member of channel');
      expect(run.stderr).toContain('/invite');
      const posted = CHANNELS.filter(({ id }) => emulator.messages(id).length === 1);
      expect(posted).toHaveLength(1);

      const retry = await runCli(['retry', '2.0.0', '--channel', 'slack'], { cwd: repo });
      expect(retry.code, retry.stderr).toBe(0);
      const rerun = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(rerun.code, rerun.stderr).toBe(0);
      await expectPostedOnce(emulator, repo, ['2.0.0']);
    });
  });

  it('doctor checks the token and every channel, and never prints the token', async () => {
    await withEmulator(
      {
        channels: [
          { id: 'C0RELEASES', name: 'releases' },
          { id: 'C0COMMUNITY', name: 'community', member: false },
        ],
      },
      async (emulator) => {
        const repo = slackRepo();
        const doctor = await runCli(['doctor'], { cwd: repo, env: envFor(emulator) });
        expect(doctor.code).toBe(1);
        const out = doctor.stdout + doctor.stderr;
        expect(out).toMatch(/ok\s+slack:C0RELEASES: Slack channel C0RELEASES: #releases/);
        expect(out).toMatch(
          /FAIL slack:C0COMMUNITY: Slack channel C0COMMUNITY: the Slack app is not a member/,
        );
        expect(out).toContain('/invite');

        const bad = 'xoxb-wrong-secret-0042';
        const refused = await runCli(['doctor'], { cwd: repo, env: envFor(emulator, bad) });
        expect(refused.code).toBe(1);
        expect(refused.stdout + refused.stderr).toContain('Slack refused the token (invalid_auth)');
        expect(refused.stdout + refused.stderr).not.toContain(bad);
        expect(emulator.requests.filter((r) => r.apiMethod.startsWith('chat.'))).toEqual([]);
      },
    );
  });

  it('posts each message once through rate limits, errors and lost answers', async () => {
    await withEmulator(
      {
        postsPerSecondPerChannel: 1,
        faults: {
          rate: 0.3,
          kinds: [429, 500, 'reset', 'reset-after', 'slow'],
          seed: Number(process.env.HERALD_FAULT_SEED ?? 11),
          onlyWrites: true,
        },
      },
      async (emulator) => {
        const repo = slackRepo(250);
        await prepareDue(repo);
        // At least one post that Slack makes but whose answer is lost, besides the random faults.
        emulator.failNext(1, 'reset-after', 'chat.postMessage');
        let code = 1;
        for (let run = 0; run < 6 && code !== 0; run++)
          code = (await runCli(['announce', '--wait', '120'], { cwd: repo, env: envFor(emulator) })).code;
        expect(code).toBe(0);
        expect(emulator.requests.some((r) => r.fault === 'reset-after')).toBe(true);
        await expectPostedOnce(emulator, repo, ['2.0.0']);
      },
    );
  }, 240_000);

  it('survives kill -9 at the crash points and at random times: one message per channel and part', async () => {
    await withEmulator({}, async (emulator) => {
      // Long enough for a thread: three posts per channel and release.
      const repo = slackRepo(250);
      const env = { ...envFor(emulator), HERALD_LEASE_SECONDS: '4' };
      const versions: string[] = [];
      let kills = 0;
      const log: string[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        // A fresh release each trial, so every kill lands in Slack deliveries; earlier leftovers ride along.
        const version = `2.0.${trial}`;
        versions.push(version);
        await prepareDue(repo, version);
        const crash =
          trial % 4 === 3
            ? null
            : `${['fenced', 'delivered', 'settled'][trial % 4]}:${1 + Math.floor(Math.random() * 5)}@slack`;
        const afterMs = crash ? null : 300 + Math.floor(Math.random() * 2000);
        const outcome = await new Promise<'killed' | number>((resolve, reject) => {
          const child = spawn(process.execPath, [cliPath, 'announce'], {
            cwd: repo,
            stdio: 'ignore',
            env: { ...process.env, ...env, ...(crash ? { HERALD_CRASH_AT: crash } : {}) },
          });
          const timer = afterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), afterMs);
          child.on('error', reject);
          child.on('exit', (code, signal) => {
            if (timer) clearTimeout(timer);
            resolve(signal === 'SIGKILL' ? 'killed' : (code ?? -1));
          });
        });
        if (outcome === 'killed') kills++;
        log.push(`${version} ${crash ?? `after ${afterMs} ms`} → ${outcome}`);
      }
      expect(kills, log.join('\n')).toBeGreaterThan(TRIALS / 2);
      const final = await runCli(['announce', '--wait', '60'], { cwd: repo, env });
      expect(final.code, final.stderr).toBe(0);
      await expectPostedOnce(emulator, repo, versions);
    });
  }, 600_000);

  it('3 announcers at once on Postgres post every message once', async () => {
    await withEmulator({ delayMs: 5 }, async (emulator) => {
      const store = ['--store', await postgres.freshDatabase()];
      const repo = slackRepo(120);
      await prepareDue(repo, '2.0.0', store);
      const runs = await Promise.all(
        [1, 2, 3].map(() =>
          runCli(['announce', ...store], {
            cwd: repo,
            env: { ...envFor(emulator), HERALD_LEASE_SECONDS: '10' },
          }),
        ),
      );
      expect(
        runs.map((r) => r.code),
        runs.map((r) => r.stderr).join('\n'),
      ).toEqual([0, 0, 0]);
      await expectPostedOnce(emulator, repo, ['2.0.0'], store);
    });
  }, 120_000);
});
