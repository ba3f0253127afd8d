import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

let origin: TestRepo;
let dir: string;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
/** A clone as CI makes one, from the bare remote over file:// (so --depth applies). */
const clone = (name: string, ...flags: string[]) => {
  const target = path.join(dir, name);
  git(dir, 'clone', '-q', ...flags, `file://${path.join(dir, 'remote.git')}`, target);
  return target;
};

beforeAll(() => {
  origin = new TestRepo('herald-shallow-');
  origin.commit('feat: invoices as CSV');
  origin.commit('feat: dark mode');
  origin.tag('v1.0.0');
  origin.commit('fix: rounding of totals');
  origin.commit('fix: timezone of reports');
  origin.tag('v1.1.0');
  origin.commit('feat: audit log export');
  origin.commit('fix: empty page after login');
  dir = mkdtempSync(path.join(tmpdir(), 'herald-clones-'));
  git(dir, 'clone', '-q', '--bare', origin.dir, 'remote.git');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(origin.dir, { recursive: true, force: true });
});

describe('clones that lack history or tags', () => {
  it('refuses a depth-1 clone for every command that reads history, with the fix', async () => {
    const repo = clone('depth1', '--depth', '1');
    for (const args of [['notes'], ['prepare'], ['changelog', '--rebuild', '--stdout']]) {
      // Outside any CI (the hint then names each CI's setting), whatever CI runs these tests.
      const result = await runCli(args, { cwd: repo, env: { CI: 'false' } });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('ESHALLOW');
      expect(result.stderr).toContain('git fetch --unshallow --tags');
      expect(result.stderr).toContain('fetch-depth: 0');
      expect(result.stdout).toBe('');
    }
    const list = await runCli(['list', '--json'], { cwd: repo });
    expect(JSON.parse(list.stdout).bundles).toEqual([]);
  });

  it('accepts a shallow clone deep enough to hold the range since the previous release', async () => {
    const repo = clone('depth3', '--depth', '3');
    const result = await runCli(['notes', '--json'], { cwd: repo });
    expect(result.code, result.stderr).toBe(0);
    const { notes } = JSON.parse(result.stdout);
    expect(notes.previousTag).toBe('v1.1.0');
    expect(notes.counts.entries).toBe(2);
  });

  it('refuses a clone without the tags origin has, and gives the right notes once they are fetched', async () => {
    const repo = clone('notags', '--no-tags');
    const refused = await runCli(['notes'], { cwd: repo });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('EMISSINGTAGS');
    expect(refused.stderr).toContain('v1.1.0, v1.0.0');
    expect(refused.stderr).toContain('git fetch --tags');
    git(repo, 'fetch', '-q', '--tags');
    const fetched = await runCli(['notes', '--json'], { cwd: repo });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(JSON.parse(fetched.stdout).notes).toMatchObject({ previousTag: 'v1.1.0', version: '1.2.0' });
  });

  it('takes a first release from the first commit when origin has no release tags either', async () => {
    const first = new TestRepo('herald-first-');
    try {
      first.commit('feat: the first feature');
      const bare = path.join(dir, 'first.git');
      git(dir, 'clone', '-q', '--bare', first.dir, bare);
      const repo = path.join(dir, 'first');
      git(dir, 'clone', '-q', `file://${bare}`, repo);
      const result = await runCli(['notes', '--json'], { cwd: repo });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).notes).toMatchObject({ previousTag: null, counts: { entries: 1 } });
    } finally {
      rmSync(first.dir, { recursive: true, force: true });
    }
  });
});
