import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, type GitHubSeed, startGitHubEmulator } from '../emulators/github.js';
import { type GitLabEmulator, startGitLabEmulator } from '../emulators/gitlab.js';
import { type JiraEmulator, startJiraEmulator } from '../emulators/jira.js';
import { cliPath, runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/git-repo.js';
import { repoPool } from '../helpers/herald-repo.js';

/** Kill-and-rerun trials; CI runs the default, a developer can run thousands. */
const TRIALS = Number(process.env.HERALD_KILL_TRIALS ?? 6);
const TOKEN = 'ghp_tracker_test';
const SEEDS: GitHubSeed[] = [
  { number: 1, title: 'Export breaks' },
  { number: 2, title: 'Totals wrong' },
  { number: 3, title: 'Faster totals', pull: true },
  { number: 4, title: 'Slow page' },
];

const pool = repoPool();
afterAll(() => pool.removeAll());

/** A product whose next release closes GitHub issues #1, #2, #4 and merges pull request #3. */
function trackerRepo(github: GitHubEmulator, extra: Record<string, unknown> = {}): TestRepo {
  const repo = pool.make('herald-trackers-', {
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
  });
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
});

interface Trackers {
  github: GitHubEmulator;
  gitlab: GitLabEmulator;
  jira: JiraEmulator;
}

const loopEnv = {
  ...env,
  GITLAB_TOKEN: 'glpat-loop',
  JIRA_EMAIL: 'bot@acme.test',
  JIRA_API_TOKEN: 'jira-loop-token',
};

async function withTrackers<T>(faults: number, work: (t: Trackers) => Promise<T>): Promise<T> {
  const random = faults > 0 ? { rate: faults, seed: 11 } : null;
  const github = await startGitHubEmulator({
    token: TOKEN,
    issues: SEEDS.slice(0, 3).map((s) => ({ ...s, pull: false })),
    faults: random,
  });
  const gitlab = await startGitLabEmulator({
    token: loopEnv.GITLAB_TOKEN,
    project: 'group/proj',
    mergeRequests: [{ iid: 5, title: 'Fix export' }],
    faults: random,
  });
  const jira = await startJiraEmulator({
    email: loopEnv.JIRA_EMAIL,
    apiToken: loopEnv.JIRA_API_TOKEN,
    issues: [{ key: 'PROJ-7' }, { key: 'PROJ-8' }],
    faults: random,
  });
  try {
    return await work({ github, gitlab, jira });
  } finally {
    await Promise.all([github.close(), gitlab.close(), jira.close()]);
  }
}

/**
 * A GitLab-hosted product whose release merges MR !5, which closes three issues of the GitHub
 * repository acme/app and two Jira keys.
 */
function loopRepo(t: Trackers): TestRepo {
  const repo = pool.make('herald-loop-', {
    notes: {
      links: {
        repository: 'https://gitlab.example.com/group/proj',
        jira: { pattern: 'PROJ-\\d+', url: 'https://acme.atlassian.net/browse/{id}' },
      },
    },
    trackers: {
      labels: ['released'],
      github: { repository: 'acme/app', apiUrl: t.github.url, writeIntervalMs: 0 },
      gitlab: { repository: 'group/proj', apiUrl: t.gitlab.url, release: { enabled: true } },
      jira: { url: t.jira.url, projects: ['PROJ'], transition: 'Released' },
    },
  });
  repo.commit('chore: start');
  repo.tag('v1.0.0');
  repo.checkout('-b', 'fix-export');
  repo.commit('fix: export works again (PROJ-7)');
  repo.checkout('main');
  repo.git(
    'merge',
    '-q',
    '--no-ff',
    'fix-export',
    '-m',
    "Merge branch 'fix-export' into 'main'",
    '-m',
    'fix: export works again\n\nCloses acme/app#1, closes acme/app#2 and closes acme/app#3. Fixes PROJ-8.',
    '-m',
    'See merge request group/proj!5',
  );
  return repo;
}

/** After any number of runs, kills and faults: for each version exactly one comment per item, once labelled and moved. */
function expectClosedLoop(t: Trackers, versions: string[]) {
  for (const version of versions) {
    const mark = `Acme ${version} `;
    for (const n of [1, 2, 3])
      expect(
        t.github.comments.filter((c) => c.issue === n && c.body.includes(mark)),
        `acme/app#${n} ${version}`,
      ).toHaveLength(1);
    expect(
      t.gitlab.notes.filter((n) => n.kind === 'merge_requests' && n.iid === 5 && n.body.includes(mark)),
      `!5 ${version}`,
    ).toHaveLength(1);
    for (const key of ['PROJ-7', 'PROJ-8'])
      expect(
        t.jira.comments.filter((c) => c.key === key && JSON.stringify(c.body).includes(mark)),
        `${key} ${version}`,
      ).toHaveLength(1);
    expect(t.gitlab.releases.filter((r) => r.tag_name === `v${version}`)).toHaveLength(1);
  }
  for (const n of [1, 2, 3]) expect(t.github.labelsOf(n)).toEqual(['released']);
  expect(t.gitlab.labelsOf('merge_requests', 5)).toEqual(['released']);
  for (const key of ['PROJ-7', 'PROJ-8']) {
    expect(t.jira.labelsOf(key)).toEqual(['released']);
    expect(t.jira.statusOf(key)).toBe('Released');
  }
  // Moved once each: the transition is not offered again once the issue is released.
  expect(t.jira.transitions).toHaveLength(2);
}

async function prepareLoop(repo: TestRepo, version: string, when: string[] = ['--now']) {
  const prepared = await runCli(['prepare', '--release-version', version], { cwd: repo.dir, env: loopEnv });
  expect(prepared.code, prepared.stderr).toBe(0);
  const scheduled = await runCli(['schedule', version, ...when], { cwd: repo.dir, env: loopEnv });
  expect(scheduled.code, scheduled.stderr).toBe(0);
}

describe('herald announce: closing the loop on GitHub, GitLab and Jira at once', () => {
  it('3 GitHub issues, a GitLab MR and 2 Jira keys: one comment, label and transition each; the GitLab release', async () => {
    await withTrackers(0, async (t) => {
      const repo = loopRepo(t);
      await prepareLoop(repo, '1.1.0');
      const run = await runCli(['announce'], { cwd: repo.dir, env: loopEnv });
      expect(run.code, run.stderr).toBe(0);
      expectClosedLoop(t, ['1.1.0']);
      const status = JSON.parse(
        (await runCli(['status', '1.1.0', '--json'], { cwd: repo.dir, env: loopEnv })).stdout,
      );
      expect(status.status).toBe('announced');
      const output = run.stdout + run.stderr;
      for (const secret of [TOKEN, loopEnv.GITLAB_TOKEN, loopEnv.JIRA_API_TOKEN])
        expect(output).not.toContain(secret);
    });
  });

  it('an embargoed release makes zero calls to any tracker or code host', async () => {
    await withTrackers(0, async (t) => {
      const repo = loopRepo(t);
      await prepareLoop(repo, '1.1.0', ['--at', '2099-01-01T09:00', '--tz', 'UTC']);
      const run = await runCli(['announce'], { cwd: repo.dir, env: loopEnv });
      expect(run.code, run.stderr).toBe(0);
      expect([...t.github.requests, ...t.gitlab.requests, ...t.jira.requests]).toEqual([]);
    });
  });

  it('survives kill -9 at the crash points and at random times: one comment per item', async () => {
    await withTrackers(0, async (t) => {
      const repo = loopRepo(t);
      const killEnv = { ...loopEnv, HERALD_LEASE_SECONDS: '3' };
      const versions: string[] = [];
      const log: string[] = [];
      let kills = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        // A fresh release each trial, so every kill lands in tracker deliveries; leftovers ride along.
        const version = `1.1.${trial}`;
        versions.push(version);
        await prepareLoop(repo, version);
        const crash =
          trial % 4 === 3
            ? null
            : `${['fenced', 'delivered', 'settled'][trial % 4]}:${1 + Math.floor(Math.random() * 6)}@tracker`;
        const afterMs = crash ? null : 300 + Math.floor(Math.random() * 1200);
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
      expectClosedLoop(t, versions);
    });
  }, 600_000);

  it('with 20% of requests failing (429 with and without Retry-After, 5xx, resets, lost answers): one comment each', async () => {
    await withTrackers(0.2, async (t) => {
      const repo = loopRepo(t);
      await prepareLoop(repo, '1.1.0');
      // Besides the random faults: the first comment on each tracker is made and its answer lost.
      t.github.failNext(1, 'reset-after', 'POST');
      t.gitlab.failNext(1, 'reset-after', 'POST');
      t.jira.failNext(1, 'reset-after', 'POST');
      const run = await runCli(['announce', '--wait', '180'], { cwd: repo.dir, env: loopEnv });
      expect(run.code, run.stderr).toBe(0);
      expectClosedLoop(t, ['1.1.0']);
      const faults = [...t.github.requests, ...t.gitlab.requests, ...t.jira.requests].flatMap((r) =>
        r.fault === undefined ? [] : [r.fault],
      );
      expect(faults.filter((f) => f === 'reset-after')).toHaveLength(3);
      expect(faults.length).toBeGreaterThan(6);
    });
  }, 300_000);
});
