import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, type GitHubSeed, startGitHubEmulator } from '../emulators/github.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

/** Kill-and-rerun trials; CI runs the default, a developer can run thousands. */
const TRIALS = Number(process.env.HERALD_KILL_TRIALS ?? 6);
const TOKEN = 'ghp_tracker_test';
const SEEDS: GitHubSeed[] = [
  { number: 1, title: 'Export breaks' },
  { number: 2, title: 'Totals wrong' },
  { number: 3, title: 'Faster totals', pull: true },
  { number: 4, title: 'Slow page' },
];

const repos: TestRepo[] = [];
afterAll(() => {
  for (const repo of repos) rmSync(repo.dir, { recursive: true, force: true });
});

/** A product whose next release closes GitHub issues #1, #2, #4 and merges pull request #3. */
function trackerRepo(github: GitHubEmulator, extra: Record<string, unknown> = {}): TestRepo {
  const repo = new TestRepo('herald-trackers-');
  repos.push(repo);
  repo.write(
    '.releaserc.json',
    JSON.stringify({
      herald: {
        product: 'Acme',
        docs: false,
        notes: { links: { repository: 'https://github.com/acme/app' } },
        trackers: {
          labels: ['released', 'released:{{version}}'],
          github: {
            repository: 'acme/app',
            apiUrl: github.url,
            writeIntervalMs: 0,
            release: { enabled: true, latest: true },
          },
          ...extra,
        },
      },
    }),
  );
  repo.commit('chore: start');
  repo.tag('v1.0.0');
  repo.commit('fix(api): export works again\n\nCloses #1, fixes #2');
  repo.commit('feat: faster totals (#3)');
  repo.commit('fix: the page loads quickly\n\nFixes #4');
  return repo;
}

const env = {
  GITHUB_TOKEN: TOKEN,
  HERALD_PUBLIC_URL: 'https://help.acme.test',
  HERALD_ACTOR: 'tracker-test',
};

async function prepareAt(repo: TestRepo, version: string, when: string[] = ['--now']) {
  const prepared = await runCli(['prepare', '--release-version', version], { cwd: repo.dir, env });
  expect(prepared.code, prepared.stderr).toBe(0);
  const scheduled = await runCli(['schedule', version, ...when], { cwd: repo.dir, env });
  expect(scheduled.code, scheduled.stderr).toBe(0);
}

/** Exactly one Herald comment on each item, linking to the notes article. */
function expectOneCommentEach(github: GitHubEmulator, version: string) {
  for (const n of [1, 2, 3, 4]) {
    const ours = github.comments.filter((c) => c.issue === n && c.body.includes(`Acme ${version}`));
    expect(ours, `#${n}`).toHaveLength(1);
    expect(ours[0]?.body).toMatch(/— https:\/\/help\.acme\.test\/help\/.+\n\n<!-- herald:[0-9a-f]{32} -->$/);
  }
}

describe('herald announce: GitHub comments and release page', () => {
  it('comments once on each referenced issue and pull request, labels them, makes the release page', async () => {
    const github = await startGitHubEmulator({ token: TOKEN, issues: SEEDS });
    try {
      const repo = trackerRepo(github);
      await prepareAt(repo, '1.1.0');
      const run = await runCli(['announce'], { cwd: repo.dir, env });
      expect(run.code, run.stderr).toBe(0);
      expectOneCommentEach(github, '1.1.0');
      for (const n of [1, 2, 3, 4]) expect(github.labelsOf(n)).toEqual(['released', 'released:1.1.0']);
      expect(github.releases).toEqual([
        expect.objectContaining({ tag_name: 'v1.1.0', name: 'Acme 1.1.0', make_latest: 'true' }),
      ]);
      const again = await runCli(['announce'], { cwd: repo.dir, env });
      expect(again.code, again.stderr).toBe(0);
      expect(github.comments).toHaveLength(4);
      // The token is never printed.
      expect(run.stdout + run.stderr + again.stdout + again.stderr).not.toContain(TOKEN);
    } finally {
      await github.close();
    }
  });

  it('makes zero calls to GitHub while the release is embargoed', async () => {
    const github = await startGitHubEmulator({ token: TOKEN, issues: SEEDS });
    try {
      const repo = trackerRepo(github);
      await prepareAt(repo, '1.1.0', ['--at', '2099-01-01T09:00', '--tz', 'UTC']);
      const run = await runCli(['announce'], { cwd: repo.dir, env });
      expect(run.code, run.stderr).toBe(0);
      expect(github.requests).toEqual([]);
    } finally {
      await github.close();
    }
  });

  it('survives kill -9 at the crash points and at random times: one comment per item and release', async () => {
    const github = await startGitHubEmulator({ token: TOKEN, issues: SEEDS });
    try {
      const repo = trackerRepo(github);
      const killEnv = { ...env, HERALD_LEASE_SECONDS: '3' };
      const versions: string[] = [];
      const log: string[] = [];
      let kills = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        // A fresh release each trial, so every kill lands in tracker deliveries; leftovers ride along.
        const version = `1.1.${trial}`;
        versions.push(version);
        await prepareAt(repo, version);
        const crash =
          trial % 4 === 3
            ? null
            : `${['fenced', 'delivered', 'settled'][trial % 4]}:${1 + Math.floor(Math.random() * 8)}@tracker`;
        const afterMs = crash ? null : 300 + Math.floor(Math.random() * 1500);
        const outcome = await new Promise<'killed' | number>((resolve, reject) => {
          const child = spawn(process.execPath, [cliPath, 'announce'], {
            cwd: repo.dir,
            stdio: 'ignore',
            env: { ...process.env, ...killEnv, ...(crash ? { HERALD_CRASH_AT: crash } : {}) },
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
      const final = await runCli(['announce', '--wait', '60'], { cwd: repo.dir, env: killEnv });
      expect(final.code, `${log.join('\n')}\n${final.stderr}`).toBe(0);
      for (const version of versions) {
        expectOneCommentEach(github, version);
        expect(github.releases.filter((r) => r.tag_name === `v${version}`)).toHaveLength(1);
      }
    } finally {
      await github.close();
    }
  }, 600_000);

  it('with 20% of requests failing (rate limits, 5xx, resets, lost answers) still ends with one comment each', async () => {
    const github = await startGitHubEmulator({ token: TOKEN, issues: SEEDS, faults: { rate: 0.2, seed: 7 } });
    try {
      const repo = trackerRepo(github);
      await prepareAt(repo, '1.1.0');
      // Besides the random ones: the first comment is made and its answer lost.
      github.failNext(1, 'reset-after', 'POST');
      const run = await runCli(['announce', '--wait', '120'], { cwd: repo.dir, env });
      expect(run.code, run.stderr).toBe(0);
      expectOneCommentEach(github, '1.1.0');
      expect(github.releases).toHaveLength(1);
      const faults = github.requests.filter((r) => r.fault !== undefined).map((r) => r.fault);
      expect(faults).toContain('reset-after');
      expect(faults.length).toBeGreaterThan(3);
    } finally {
      await github.close();
    }
  }, 300_000);
});
