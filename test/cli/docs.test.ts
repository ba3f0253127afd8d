import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createDocsRepo } from '../helpers/docs-repo.js';
import type { TestRepo } from '../helpers/git-repo.js';

let repo: TestRepo;
beforeAll(() => {
  repo = createDocsRepo();
});
afterAll(() => repo.remove());

describe('herald docs', () => {
  it('check passes on the fixture tree at both releases', async () => {
    for (const ref of ['v1.0.0', 'v1.1.0']) {
      const { code, stderr } = await runCli(['docs', 'check', '--ref', ref, '--cwd', repo.dir]);
      expect(stderr).toMatch(/4[5-6] pages: 0 errors, 0 warnings\./);
      expect(code).toBe(0);
    }
  });

  it('build writes one HTML page per article with working links, the images and a manifest', async () => {
    const out = path.join(repo.dir, 'site');
    const { code, stderr } = await runCli([
      'docs',
      'build',
      '--ref',
      'v1.0.0',
      '--out',
      out,
      '--cwd',
      repo.dir,
    ]);
    expect(code, stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.pages.length).toBe(44); // 45 pages, one of them a draft
    expect(manifest.sections.map((s: { id: string }) => s.id)).toEqual([
      'getting-started',
      'guides',
      'api',
      'billing',
      'troubleshooting',
    ]);
    const boards = readFileSync(path.join(out, 'guides/projects/boards.html'), 'utf8');
    expect(boards).toContain('<title>');
    for (const [, href] of boards.matchAll(/href="([^"#:]+)(?:#[^"]*)?"/g)) {
      expect(existsSync(path.join(out, 'guides/projects', href!)), href).toBe(true);
    }
    for (const [, src] of boards.matchAll(/src="([^"]+)"/g))
      expect(existsSync(path.join(out, 'guides/projects', src!)), src).toBe(true);
    expect(readFileSync(path.join(out, 'images/board-view.png')).subarray(1, 4).toString()).toBe('PNG');
    const german = manifest.pages.filter((p: { locale: string }) => p.locale === 'de');
    expect(german.length).toBe(3);
    expect(manifest.pages.find((p: { id: string }) => p.id === 'boards')).toMatchObject({
      section: 'guides',
      locale: 'en-us',
      file: 'guides/projects/boards.html',
    });
  });

  it('reads the docs from git at the ref, never from the working tree', async () => {
    const file = path.join(repo.dir, 'docs/guides/projects/boards.md');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(/^# .*$/m, '# Edited but not committed'));
    try {
      const { stdout } = await runCli([
        'docs',
        'build',
        '--ref',
        'v1.0.0',
        '--out',
        path.join(repo.dir, 'site2'),
        '--json',
        '--cwd',
        repo.dir,
      ]);
      const boards = JSON.parse(stdout).manifest.pages.find((p: { id: string }) => p.id === 'boards');
      expect(boards.title).not.toContain('Edited');
    } finally {
      writeFileSync(file, original);
    }
  });

  it('diff lists added, changed, removed and renamed pages', async () => {
    const { code, stdout } = await runCli(['docs', 'diff', 'v1.0.0', 'v1.1.0', '--json', '--cwd', repo.dir]);
    expect(code).toBe(0);
    const diff = JSON.parse(stdout);
    expect(diff.added.sort()).toEqual(['api-comments', 'audit-log']);
    expect(diff.removed).toEqual(['sync-issues']);
    expect(diff.renamed).toEqual([
      {
        id: 'roles-permissions',
        from: 'guides/collaboration/permissions.md',
        to: 'guides/workspace/permissions.md',
      },
    ]);
    expect(diff.changed.sort()).toEqual(['invite-team', 'known-issues', 'plans']);
    const same = await runCli(['docs', 'diff', 'v1.1.0', 'v1.1.0', '--cwd', repo.dir]);
    expect(same.stdout.trim()).toBe('No page changed.');
  });

  it('caches compiled pages by content: a second build compiles nothing, another release only its changed files', async () => {
    const first = JSON.parse(
      (
        await runCli([
          'docs',
          'build',
          '--ref',
          'v1.1.0',
          '--out',
          path.join(repo.dir, 's3'),
          '--json',
          '--cwd',
          repo.dir,
        ])
      ).stdout,
    );
    expect(first.stats.pages).toBe(46);
    const again = JSON.parse(
      (
        await runCli([
          'docs',
          'build',
          '--ref',
          'v1.1.0',
          '--out',
          path.join(repo.dir, 's3'),
          '--json',
          '--cwd',
          repo.dir,
        ])
      ).stdout,
    );
    expect(again.stats).toMatchObject({ compiled: 0, cached: 46 });
    const diffRun = JSON.parse(
      (
        await runCli([
          'docs',
          'build',
          '--ref',
          'v1.0.0',
          '--out',
          path.join(repo.dir, 's3'),
          '--json',
          '--cwd',
          repo.dir,
        ])
      ).stdout,
    );
    // v1.0.0 differs from v1.1.0 in 4 page files (3 changed, 1 moved), 1 removed page comes back.
    expect(diffRun.stats.compiled).toBe(5);
  });

  it('a rebuild writes only what changed, and removes pages that are gone', async () => {
    const out = path.join(repo.dir, 'site-inc');
    const build = (ref: string) => runCli(['docs', 'build', '--ref', ref, '--out', out, '--cwd', repo.dir]);
    expect((await build('v1.1.0')).code).toBe(0);
    const overview = path.join(out, 'getting-started/overview.html');
    utimesSync(overview, new Date(0), new Date(0));
    expect((await build('v1.1.0')).code).toBe(0);
    expect(statSync(overview).mtimeMs).toBe(0);
    // v1.0.0 has other paths (a moved page): every page is written again, the new pages go.
    expect((await build('v1.0.0')).code).toBe(0);
    expect(statSync(overview).mtimeMs).toBeGreaterThan(0);
    expect(existsSync(path.join(out, 'guides/workspace/audit-log.html'))).toBe(false);
    expect(existsSync(path.join(out, 'troubleshooting/sync-issues.html'))).toBe(true);
  });
});
