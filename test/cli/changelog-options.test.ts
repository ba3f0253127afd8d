import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

// The changelog options users of conventional-changelog expect: each entry's short hash linked to
// its commit, a compare link per release, a contributors line on or off (herald.notes.changelog).

const repos: TestRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

const REPO_URL = 'https://github.com/acme/app';

/** Three releases by two people, on GitHub (origin) unless told otherwise. */
function project(options: { remote?: boolean; changelog?: Record<string, boolean> } = {}) {
  const repo = new TestRepo('herald-changelog-options-');
  repos.push(repo);
  if (options.remote !== false) repo.git('remote', 'add', 'origin', `${REPO_URL}.git`);
  const herald = options.changelog ? { notes: { changelog: options.changelog } } : {};
  repo.commit('chore: set up', { files: { '.releaserc.json': JSON.stringify({ herald }) } });
  const invoices = repo.commit('feat: invoices as CSV', { author: 'Ada Lovelace', email: 'ada@example.com' });
  repo.tag('v1.0.0');
  const rounding = repo.commit('fix: rounding of totals', {
    author: 'Grace Hopper',
    email: 'grace@example.com',
  });
  repo.tag('v1.0.1');
  const dark = repo.commit('feat: dark mode (#12)', { author: 'Ada Lovelace', email: 'ada@example.com' });
  repo.tag('v1.1.0');
  return { repo, hashes: { invoices, rounding, dark } };
}

async function rebuild(repo: TestRepo, ...args: string[]): Promise<string> {
  const result = await runCli(['changelog', '--rebuild', '--stdout', ...args], { cwd: repo.dir });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

const commitLink = (hash: string) => `([${hash.slice(0, 7)}](${REPO_URL}/commit/${hash}))`;

describe('herald changelog: the default template', () => {
  it('links each entry to its commit and each release to the comparison with the previous one', async () => {
    const { repo, hashes } = project();
    const text = await rebuild(repo);
    expect(text).toContain(
      `## [1.1.0](${REPO_URL}/compare/v1.0.1...v1.1.0) (2026-01-01)\n\n### Features\n\n- Dark mode ([#12](${REPO_URL}/pull/12)) ${commitLink(hashes.dark)}\n`,
    );
    expect(text).toContain(
      `## [1.0.1](${REPO_URL}/compare/v1.0.0...v1.0.1) (2026-01-01)\n\n### Bug fixes\n\n- Rounding of totals ${commitLink(hashes.rounding)}\n`,
    );
    // The first release has nothing to compare with.
    expect(text).toContain(
      `## 1.0.0 (2026-01-01)\n\n### Features\n\n- Invoices as CSV ${commitLink(hashes.invoices)}\n`,
    );
    expect(text).not.toContain('Contributors');
  });

  it('writes no hash when the repository URL is unknown (no remote, no links.repository)', async () => {
    const { repo } = project({ remote: false });
    const text = await rebuild(repo);
    expect(text).toContain('## 1.1.0 (2026-01-01)\n\n### Features\n\n- Dark mode (#12)\n');
    expect(text).not.toMatch(/\[[0-9a-f]{7}\]/);
  });

  it('keeps the release notes without hashes: `herald notes` prints them as before', async () => {
    const { repo } = project();
    const notes = await runCli(['notes', '--to', 'v1.1.0'], { cwd: repo.dir });
    expect(notes.stdout).toContain(`- Dark mode ([#12](${REPO_URL}/pull/12))\n`);
    expect(notes.stdout).not.toContain('/commit/');
  });

  it('notes --write puts the same section in CHANGELOG.md as --rebuild does: a rebuild finds no edits', async () => {
    const { repo, hashes } = project();
    for (const to of ['v1.0.0', 'v1.0.1', 'v1.1.0'])
      expect((await runCli(['notes', '--to', to, '--write'], { cwd: repo.dir })).code).toBe(0);
    const written = readFileSync(path.join(repo.dir, 'CHANGELOG.md'), 'utf8');
    expect(written).toContain(commitLink(hashes.dark));
    expect(readFileSync(path.join(repo.dir, 'release-notes', '1.1.0.md'), 'utf8')).not.toContain('/commit/');
    const rebuilt = await runCli(['changelog', '--rebuild'], { cwd: repo.dir });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toContain('(unchanged)');
  });
});

describe('herald.notes.changelog options', () => {
  it('turns commit links and compare links off, and the contributors line on', async () => {
    const { repo } = project({ changelog: { commitLinks: false, compareLinks: false, contributors: true } });
    const text = await rebuild(repo);
    expect(text).toContain(
      `## 1.1.0 (2026-01-01)\n\n### Features\n\n- Dark mode ([#12](${REPO_URL}/pull/12))\n\nContributors: Ada Lovelace\n`,
    );
    expect(text).toContain(
      '## 1.0.1 (2026-01-01)\n\n### Bug fixes\n\n- Rounding of totals\n\nContributors: Grace Hopper\n',
    );
    expect(text).not.toContain('/commit/');
    expect(text).not.toContain('/compare/');
  });

  it('is checked against the schema: a misspelt option is named', async () => {
    const { repo } = project({ changelog: { commitLink: false } });
    const result = await runCli(['changelog', '--rebuild', '--stdout'], { cwd: repo.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('EINVALIDCONFIG');
    expect(result.stderr).toContain('commitLink');
  });

  it('links a package release to the comparison of its own tags', async () => {
    const repo = new TestRepo('herald-changelog-options-');
    repos.push(repo);
    repo.git('remote', 'add', 'origin', `${REPO_URL}.git`);
    const config = {
      tagFormat: '${name}@${version}',
      herald: { packages: [{ name: 'a', path: 'packages/a' }] },
    };
    repo.commit('chore: set up', { files: { '.releaserc.json': JSON.stringify(config) } });
    repo.commit('feat(a): first', { files: { 'packages/a/x.ts': '1' } });
    repo.tag('a@1.0.0');
    repo.commit('feat(a): second', { files: { 'packages/a/x.ts': '2' } });
    repo.tag('a@1.1.0');
    const text = await rebuild(repo, '--package', 'a');
    expect(text).toContain(`## [1.1.0](${REPO_URL}/compare/a%401.0.0...a%401.1.0) (2026-01-01)`);
  });
});
