import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

const repos: TestRepo[] = [];
function repo(): TestRepo {
  const r = new TestRepo();
  repos.push(r);
  return r;
}
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

async function notesJson(r: TestRepo, ...args: string[]) {
  const { code, stdout, stderr } = await runCli([
    'notes',
    '--json',
    '--audience',
    'internal',
    '--cwd',
    r.dir,
    ...args,
  ]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout);
}
const texts = (result: { notes: { sections: { entries: { text: string }[] }[] } }) =>
  result.notes.sections.flatMap((s) => s.entries.map((e) => e.text));

describe('range selection', () => {
  it('with no tag yet, starts at the root commit and proposes 1.0.0', async () => {
    const r = repo();
    r.commit('feat: first');
    r.commit('fix: second');
    const result = await notesJson(r);
    expect(result.range.from).toBeNull();
    expect(result.release.version).toBe('1.0.0');
    expect(texts(result)).toEqual(['First', 'Second']);
  });

  it('a stable release compares against the previous stable one, skipping prereleases', async () => {
    const r = repo();
    r.commit('feat: one');
    r.tag('v1.0.0');
    r.commit('feat: beta work');
    r.tag('v1.1.0-beta.1');
    r.commit('fix: beta fix');
    r.tag('v1.1.0-beta.2');
    r.commit('fix: final polish');
    r.tag('v1.1.0');
    const stable = await notesJson(r, '--to', 'v1.1.0');
    expect(stable.range.from.tag).toBe('v1.0.0');
    expect(texts(stable)).toEqual(['Beta work', 'Final polish', 'Beta fix']);
    // A prerelease compares against the previous tag of any kind.
    const beta = await notesJson(r, '--to', 'v1.1.0-beta.2');
    expect(beta.range.from.tag).toBe('v1.1.0-beta.1');
    expect(texts(beta)).toEqual(['Beta fix']);
  });

  it('"previousRelease": "any" compares a stable release against the last prerelease', async () => {
    const r = repo();
    r.commit('feat: one');
    r.tag('v1.0.0');
    r.commit('feat: beta work');
    r.tag('v1.1.0-beta.1');
    r.commit('fix: final polish');
    r.tag('v1.1.0');
    writeFileSync(
      path.join(r.dir, '.releaserc.json'),
      JSON.stringify({ herald: { notes: { previousRelease: 'any' } } }),
    );
    const stable = await notesJson(r, '--to', 'v1.1.0');
    expect(stable.range.from.tag).toBe('v1.1.0-beta.1');
  });

  it('ignores tags of other formats and tags on other branches, even newer ones', async () => {
    const r = repo();
    r.commit('feat: base');
    r.tag('v1.0.0');
    r.tag('nightly-2026-01-01');
    r.checkout('-b', 'next');
    r.commit('feat!: big rewrite');
    r.tag('v2.0.0');
    r.checkout('main');
    r.commit('fix: patch on main');
    const main = await notesJson(r);
    expect(main.range.from.tag).toBe('v1.0.0');
    expect(main.release.version).toBe('1.0.1');
    expect(texts(main)).toEqual(['Patch on main']);
  });

  it('finds the right tag when many newer tags are not ancestors (falls back to one merged query)', async () => {
    const r = repo();
    r.commit('feat: base');
    r.tag('v1.0.0');
    r.checkout('-b', 'maintenance');
    r.checkout('main');
    for (let i = 1; i <= 5; i++) {
      r.commit(`feat: main ${i}`);
      r.tag(`v1.${i}.0`);
    }
    r.checkout('maintenance');
    r.commit('fix: backport');
    const result = await notesJson(r);
    expect(result.range.from.tag).toBe('v1.0.0');
    expect(result.release.version).toBe('1.0.1');
  });

  it('monorepo: each package gets its own tags and only the commits touching its directory', async () => {
    const r = repo();
    r.write(
      '.releaserc.json',
      JSON.stringify({
        tagFormat: '${name}@${version}',
        herald: {
          packages: [
            { name: 'web', path: 'packages/web' },
            { name: 'api', path: 'packages/api' },
          ],
        },
      }),
    );
    r.commit('chore: set up', { files: { 'README.md': 'x' } });
    r.commit('feat(web): landing page', { files: { 'packages/web/index.html': '1' } });
    r.commit('feat(api): projects endpoint', { files: { 'packages/api/projects.ts': '1' } });
    r.tag('web@1.0.0');
    r.tag('api@1.0.0');
    r.commit('fix(web): header spacing', { files: { 'packages/web/index.html': '2' } });
    r.commit('feat(api): pagination', { files: { 'packages/api/projects.ts': '2' } });
    r.commit('fix: both at once', { files: { 'packages/web/a.txt': 'a', 'packages/api/a.txt': 'a' } });
    const web = await notesJson(r, '--package', 'web');
    expect(web.release).toEqual({ version: '1.0.1', tag: 'web@1.0.1' });
    expect(texts(web)).toEqual(['Both at once', 'Header spacing']);
    const api = await notesJson(r, '--package', 'api');
    expect(api.release).toEqual({ version: '1.1.0', tag: 'api@1.1.0' });
    expect(texts(api)).toEqual(['Pagination', 'Both at once']);
    const unknown = await runCli(['notes', '--cwd', r.dir, '--package', 'mobile']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Use one of: web, api');
    const noPackage = await runCli(['notes', '--cwd', r.dir]);
    expect(noPackage.code).toBe(2);
    expect(noPackage.stderr).toContain('--package');
    const changelog = await runCli([
      'changelog',
      '--rebuild',
      '--stdout',
      '--package',
      'web',
      '--audience',
      'internal',
      '--cwd',
      r.dir,
    ]);
    expect(changelog.stdout).toContain('## 1.0.0');
    expect(changelog.stdout).toContain('Landing page');
    expect(changelog.stdout).not.toContain('Projects endpoint');
  });

  it('--path filters commits without a package config', async () => {
    const r = repo();
    r.commit('feat: root thing', { files: { 'a.txt': '1' } });
    r.commit('feat: docs thing', { files: { 'docs/b.md': '1' } });
    const result = await notesJson(r, '--path', 'docs');
    expect(texts(result)).toEqual(['Docs thing']);
  });

  it('groups entries by type in config order, and by component when scopes are mapped', async () => {
    const r = repo();
    r.write(
      '.releaserc.json',
      JSON.stringify({ herald: { notes: { components: { db: 'Database', ui: 'Interface' } } } }),
    );
    r.commit('fix(ui): a');
    r.commit('feat(db): b');
    r.commit('feat(ui): c');
    r.commit('feat: d');
    const result = await notesJson(r);
    const [features, fixes] = result.notes.sections;
    expect([features.title, fixes.title]).toEqual(['Features', 'Bug fixes']);
    expect(features.components.map((c: { component: string }) => c.component)).toEqual([
      'Database',
      'Interface',
      'General',
    ]);
  });
});
