import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github.js';
import { startGitLabEmulator } from '../emulators/gitlab.js';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function repoWithPullRequests(provider: 'github' | 'gitlab'): TestRepo {
  const r = new TestRepo();
  cleanups.push(() => r.remove());
  r.git(
    'remote',
    'add',
    'origin',
    provider === 'github' ? 'git@github.com:acme/app.git' : 'https://gitlab.com/acme/app.git',
  );
  r.write('.releaserc.json', JSON.stringify({ herald: { issues: { provider } } }));
  r.commit('feat: base');
  r.tag('v1.0.0');
  r.commit('feat: public search (#21)');
  r.commit('fix: cache warm-up (#22)');
  r.commit('feat: exports\n\nCloses #30');
  return r;
}

async function github(): Promise<GitHubEmulator> {
  const emulator = await startGitHubEmulator({
    repository: 'acme/app',
    token: 'ghp_emulatortoken',
    issues: [
      {
        number: 21,
        title: 'Public search',
        pull: true,
        user: 'ada',
        body: '## Release note\n\nSearch now finds archived projects too.\n',
      },
      { number: 22, title: 'Warm the cache', pull: true, labels: ['internal'] },
      { number: 30, title: 'Export to CSV', labels: ['customer-request'] },
    ],
  });
  cleanups.push(() => emulator.close());
  return emulator;
}

describe('notes with an issue tracker', () => {
  it('GitHub: PR wording replaces the subject, an internal label hides a change from customers', async () => {
    const r = repoWithPullRequests('github');
    const emulator = await github();
    const env = { GITHUB_API_URL: emulator.url, GITHUB_TOKEN: 'ghp_emulatortoken' };
    const customer = await runCli(['notes', '--cwd', r.dir], { env });
    expect(customer.stderr).toBe('');
    expect(customer.stdout).toContain(
      '- Search now finds archived projects too. ([#21](https://github.com/acme/app/pull/21))',
    );
    expect(customer.stdout).not.toContain('Cache warm-up');
    const internal = await runCli(['notes', '--cwd', r.dir, '--audience', 'internal', '--json'], { env });
    const notes = JSON.parse(internal.stdout).notes;
    expect(
      notes.sections.flatMap((s: { entries: { text: string }[] }) => s.entries.map((e) => e.text)),
    ).toContain('Cache warm-up');
    expect(emulator.requests.every((req) => req.headers.authorization === 'Bearer ghp_emulatortoken')).toBe(
      true,
    );
    // Cached: a second run asks nothing.
    const before = emulator.requests.length;
    await runCli(['notes', '--cwd', r.dir], { env });
    expect(emulator.requests.length).toBe(before);
  });

  it('GitHub failing: the notes still render, with one warning, and the token is never printed', async () => {
    const r = repoWithPullRequests('github');
    const emulator = await github();
    const { code, stdout, stderr } = await runCli(['notes', '--cwd', r.dir], {
      env: { GITHUB_API_URL: emulator.url, GITHUB_TOKEN: 'ghp_wrongtoken' },
    });
    expect(code).toBe(0);
    expect(stdout).toContain('- Public search');
    expect(stderr).toMatch(/warning github: .*GITHUB_TOKEN/);
    expect(stderr).not.toContain('ghp_wrongtoken');
  });

  it('GitLab: merge request labels and titles come from batched requests', async () => {
    const r = repoWithPullRequests('gitlab');
    const emulator = await startGitLabEmulator({
      project: 'acme/app',
      mergeRequests: [
        {
          iid: 21,
          title: 'Public search',
          description: '### Release notes\nArchived projects are searchable.',
        },
        { iid: 22, title: 'Warm the cache', labels: ['internal'] },
      ],
      issues: [{ iid: 30, title: 'Export to CSV' }],
    });
    cleanups.push(() => emulator.close());
    const { stdout, stderr } = await runCli(['notes', '--cwd', r.dir], {
      env: { GITLAB_API_URL: emulator.url },
    });
    expect(stderr).toBe('');
    // The tracker's own web URL for the merge request wins over the one built from the remote.
    expect(stdout).toContain(
      '- Archived projects are searchable. ([#21](https://gitlab.example.com/acme/app/-/merge_requests/21))',
    );
    expect(stdout).not.toContain('Cache warm-up');
    expect(emulator.requests.filter((req) => req.url.includes('iids')).length).toBeLessThanOrEqual(2);
  });
});
