import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeChangelog } from '../../src/core/changelog.js';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

const repos: TestRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) rmSync(repo.dir, { recursive: true, force: true });
});

/** A project that kept CHANGELOG.md by hand before Herald: a preamble, a 0.9.0 without a tag. */
function handKeptRepo(): TestRepo {
  const repo = new TestRepo('herald-changelog-');
  repos.push(repo);
  repo.commit('feat: invoices as CSV');
  repo.tag('v1.0.0');
  repo.commit('fix: rounding of totals');
  repo.tag('v1.0.1');
  repo.commit('feat: dark mode');
  repo.tag('v1.1.0');
  return repo;
}

const PREAMBLE = [
  '# Changelog',
  '',
  'All notable changes to Acme are documented here. We follow semantic versioning;',
  'see [the upgrade guide](docs/upgrade.md) before a major version.',
].join('\n');
const OLD_RELEASE =
  '## 0.9.0 (2025-06-01)\n\n- The first beta, shipped to ten customers ([a1b2c3d](https://example.test/c/a1b2c3d)).';

describe('herald changelog --rebuild keeps what people wrote', () => {
  it('keeps the preamble and sections of versions Herald does not generate; adds the rest', async () => {
    const repo = handKeptRepo();
    const file = path.join(repo.dir, 'CHANGELOG.md');
    writeFileSync(file, `${PREAMBLE}\n\n${OLD_RELEASE}\n`);
    const result = await runCli(['changelog', '--rebuild'], { cwd: repo.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('kept 1 section(s) Herald does not generate');
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`${PREAMBLE}\n\n## 1.1.0`)).toBe(true);
    expect(text.trimEnd().endsWith(OLD_RELEASE)).toBe(true);
    expect([...text.matchAll(/^## \[?(\d+\.\d+\.\d+)/gm)].map((m) => m[1])).toEqual([
      '1.1.0',
      '1.0.1',
      '1.0.0',
      '0.9.0',
    ]);
    // Rebuilding again changes nothing.
    const again = await runCli(['changelog', '--rebuild'], { cwd: repo.dir });
    expect(again.stderr).toContain('(unchanged)');
  });

  it('refuses to overwrite a generated section edited by hand; --dry-run shows the diff, --force replaces it', async () => {
    const repo = handKeptRepo();
    const file = path.join(repo.dir, 'CHANGELOG.md');
    expect((await runCli(['changelog', '--rebuild'], { cwd: repo.dir })).code).toBe(0);
    const edited = readFileSync(file, 'utf8').replace(
      'Rounding of totals',
      'Rounding of totals (thanks, Ada!)',
    );
    writeFileSync(file, edited);

    const refused = await runCli(['changelog', '--rebuild'], { cwd: repo.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ECHANGELOGEDITED');
    expect(refused.stderr).toContain('(1.0.1)');
    expect(readFileSync(file, 'utf8')).toBe(edited);

    const dry = await runCli(['changelog', '--rebuild', '--dry-run'], { cwd: repo.dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('--- a/CHANGELOG.md');
    expect(dry.stdout).toContain('+++ b/CHANGELOG.md');
    expect(dry.stdout).toMatch(/^-.*Rounding of totals \(thanks, Ada!\)/m);
    expect(dry.stdout).toMatch(/^\+.*Rounding of totals$/m);
    expect(readFileSync(file, 'utf8')).toBe(edited);

    const forced = await runCli(['changelog', '--rebuild', '--force'], { cwd: repo.dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain('thanks, Ada!');
  });
});

describe('mergeChangelog', () => {
  const compare = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  it('orders by version, generated sections win, others stay, and reports which differ', () => {
    const existing = `${PREAMBLE}\n\n## 1.0.0\n\n- by hand\n\n${OLD_RELEASE}\n`;
    const merged = mergeChangelog(
      existing,
      [
        { version: '1.1.0', markdown: '## 1.1.0\n\n- new\n' },
        { version: '1.0.0', markdown: '## 1.0.0\n\n- generated\n' },
      ],
      compare,
    );
    expect(merged.text).toBe(
      `${PREAMBLE}\n\n## 1.1.0\n\n- new\n\n## 1.0.0\n\n- generated\n\n${OLD_RELEASE}\n`,
    );
    expect(merged).toMatchObject({ differing: ['1.0.0'], kept: ['0.9.0'], added: ['1.1.0'] });
  });
  it('starts a file with a title when there is none', () => {
    expect(mergeChangelog('', [{ version: '1.0.0', markdown: '## 1.0.0\n\n- x' }], compare).text).toBe(
      '# Changelog\n\n## 1.0.0\n\n- x\n',
    );
  });
});
