import { afterAll, describe, expect, it } from 'vitest';
import { startGitHubEmulator } from '../emulators/github.js';
import { startGitLabEmulator } from '../emulators/gitlab.js';
import { startJiraEmulator } from '../emulators/jira.js';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/git-repo.js';
import { repoPool } from '../helpers/herald-repo.js';

const pool = repoPool();
afterAll(() => pool.removeAll());

function repoWith(trackers: Record<string, unknown>): TestRepo {
  const repo = pool.make('herald-tracker-preview-', {
    notes: {
      links: {
        repository: 'https://github.com/acme/app',
        jira: { pattern: 'PROJ-\\d+', url: 'https://acme.atlassian.net/browse/{id}' },
      },
    },
    trackers,
  });
  repo.commit('chore: start');
  repo.tag('v1.0.0');
  repo.commit('fix: export works again (PROJ-7)\n\nCloses #1');
  repo.commit('feat: totals (#3)');
  return repo;
}

describe('herald preview --channel trackers', () => {
  it('lists every comment and release page with its text, calling no tracker', async () => {
    const repo = repoWith({
      labels: ['released:{{version}}'],
      github: {
        repository: 'acme/app',
        apiUrl: 'http://127.0.0.1:9/unreachable',
        release: { enabled: true, latest: true },
      },
      jira: { url: 'http://127.0.0.1:9', transition: 'Released' },
    });
    expect((await runCli(['prepare', '--release-version', '1.1.0'], { cwd: repo.dir })).code).toBe(0);
    const preview = await runCli(['preview', '1.1.0', '--channel', 'trackers'], {
      cwd: repo.dir,
      env: { GITHUB_TOKEN: 'ghp_x' },
    });
    expect(preview.code, preview.stderr).toBe(0);
    // In the order of the notes: features (#3) before fixes (#1).
    expect(preview.stdout).toContain(
      'github: 2 comments\n  acme/app#3: Released in Acme 1.1.0 — <the release-notes article>\n    labels: released:1.1.0\n  acme/app#1: Released in Acme 1.1.0 — <the release-notes article>\n',
    );
    expect(preview.stdout).toContain(
      '  release page v1.1.0 "Acme 1.1.0" (latest) (an existing page is left alone):\n    ',
    );
    expect(preview.stdout).toContain('Totals');
    expect(preview.stdout).toContain(
      'jira: 1 comment\n  PROJ-7: Released in Acme 1.1.0 — <the release-notes article>\n    labels: released:1.1.0\n    transition: Released',
    );
    const json = JSON.parse(
      (await runCli(['preview', '1.1.0', '--channel', 'trackers', '--json'], { cwd: repo.dir })).stdout,
    );
    expect(
      json.trackers.map((t: { tracker: string; comments: unknown[] }) => [t.tracker, t.comments.length]),
    ).toEqual([
      ['github', 2],
      ['jira', 1],
    ]);
  });
});

describe('herald doctor: trackers', () => {
  it('checks each tracker’s token and scopes, and says which fails and how to fix it', async () => {
    const github = await startGitHubEmulator({ token: 'ghp_ok', scopes: 'repo, read:org' });
    const gitlab = await startGitLabEmulator({
      token: 'glpat-ok',
      project: 'acme/app',
      scopes: ['read_api'],
    });
    const jira = await startJiraEmulator({ email: 'bot@acme.test', apiToken: 'jira-ok' });
    try {
      const repo = repoWith({
        github: { repository: 'acme/app', apiUrl: github.url },
        gitlab: { repository: 'acme/app', apiUrl: gitlab.url },
        jira: { url: jira.url },
      });
      const doctor = await runCli(['doctor'], {
        cwd: repo.dir,
        env: {
          GITHUB_TOKEN: 'ghp_ok',
          GITLAB_TOKEN: 'glpat-ok',
          JIRA_EMAIL: 'bot@acme.test',
          JIRA_API_TOKEN: 'jira-ok',
        },
      });
      expect(doctor.code).toBe(1);
      expect(doctor.stdout).toContain(
        'ok   tracker:github: GitHub acme/app: GITHUB_TOKEN reaches acme/app (scopes: repo, read:org)',
      );
      expect(doctor.stdout).toContain(
        'FAIL tracker:gitlab: GitLab acme/app: GITLAB_TOKEN has the scopes read_api, not "api"',
      );
      expect(doctor.stdout).toContain('ok   tracker:jira: Jira');
      expect(doctor.stdout).not.toMatch(/ghp_ok|glpat-ok|jira-ok/);
      const revoked = await runCli(['doctor'], {
        cwd: repo.dir,
        env: { GITHUB_TOKEN: 'ghp_revoked', GITLAB_TOKEN: '', JIRA_EMAIL: '', JIRA_API_TOKEN: '' },
      });
      expect(revoked.stdout).toContain(
        'FAIL tracker:github: GitHub acme/app: GitHub acme/app: 401 Bad credentials',
      );
      expect(revoked.stdout).toContain('fix: Check GITHUB_TOKEN');
      expect(revoked.stdout).toContain('gitlab: gitlab outbox');
    } finally {
      await Promise.all([github.close(), gitlab.close(), jira.close()]);
    }
  });
});
