import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { runCli } from '../helpers/cli.js';

let dir: string;
let repo: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-sample-'));
  repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A changelog without the commit links each entry ends with: the release notes as printed. */
const withoutCommitLinks = (text: string) => text.replace(/ \(\[[0-9a-f]{7,}\]\([^)\s]+\)\)$/gm, '');

describe('herald notes on the sample repository', () => {
  it('renders customer notes for a tagged release: grouped by component, internal work hidden', async () => {
    const { code, stdout, stderr } = await runCli(['notes', '--to', 'v1.1.0', '--cwd', repo]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('## [1.1.0](https://github.com/acme/cloud/compare/v1.0.0...v1.1.0)');
    expect(stdout).toContain(
      '### Features\n\n#### Billing\n\n- Export invoices as CSV ([#12](https://github.com/acme/cloud/pull/12))',
    );
    expect(stdout).toContain('- Dark mode for the web app ([#18](https://github.com/acme/cloud/pull/18))');
    // The PR's branch commits are folded into the PR; the revert cancelled the bulk endpoint.
    expect(stdout).not.toMatch(/dark mode toggle|wip|bulk endpoint/i);
    // Release-Note wording replaces the subject; Audience: internal, chores and [skip changelog] are hidden.
    expect(stdout).toContain('- Project pages load up to 3x faster.');
    expect(stdout).not.toMatch(/split invoice|lodash|CONTRIBUTING|escape/i);
  });

  it('renders internal notes with everything, hashes, links and contributors incl. co-authors', async () => {
    const { code, stdout } = await runCli([
      'notes',
      '--to',
      'v1.1.0',
      '--audience',
      'internal',
      '--cwd',
      repo,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /- \*\*billing:\*\* Split invoice module \(\[[0-9a-f]{7}\]\(https:\/\/github\.com\/acme\/cloud\/commit\/[0-9a-f]{40}\)\)/,
    );
    expect(stdout).toContain('[PROJ-7](https://acme.atlassian.net/browse/PROJ-7)');
    expect(stdout).toContain('### Chores');
    expect(stdout).toContain('### Other changes\n\n- Update CONTRIBUTING');
    expect(stdout).toContain('- Margaret Hamilton');
    expect(stdout).toContain('- Grace Hopper');
  });

  it('computes the next version from unreleased commits and calls out breaking changes first', async () => {
    const { code, stdout } = await runCli(['notes', '--cwd', repo]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^## \[2\.0\.0\]\(https:\/\/github\.com\/acme\/cloud\/compare\/v1\.1\.0\.\.\.v2\.0\.0\)/,
    );
    const breaking = stdout.indexOf('### ⚠ Breaking changes');
    expect(breaking).toBeGreaterThan(0);
    expect(breaking).toBeLessThan(stdout.indexOf('### Features'));
    expect(stdout).toContain(
      '- **api:** Every request must send `Acme-Version: 2026-10-01`.\n  Requests without it get HTTP 400.',
    );
  });

  it('never lets commit text inject HTML or links', async () => {
    const { stdout } = await runCli(['notes', '--cwd', repo]);
    expect(stdout).toContain('Keep filters when paging \\<b\\>bold\\</b\\> \\[click\\](javascript:alert(1))');
    // Escaped with backslashes: Markdown renders them as text, never as a tag or a link.
    expect(stdout).not.toMatch(/(?<!\\)<b>|(?<!\\)\]\(javascript:/);
  });

  it('uses the nearest ancestor tag: a maintenance release compares against its own line', async () => {
    const { stdout } = await runCli(['notes', '--to', 'v1.0.1', '--json', '--cwd', repo]);
    const result = JSON.parse(stdout);
    expect(result.release).toEqual({ version: '1.0.1', tag: 'v1.0.1' });
    expect(result.range.from.tag).toBe('v1.0.0');
    expect(result.notes.sections.map((s: { title: string }) => s.title)).toEqual(['Bug fixes']);
    expect(result.notes.sections[0].entries[0].text).toBe('Round invoice totals to cents');
    // v1.1.0 sits on main, after the maintenance fix was branched: not part of 1.0.1.
    const main = JSON.parse((await runCli(['notes', '--to', 'v1.1.0', '--json', '--cwd', repo])).stdout);
    expect(main.range.from.tag).toBe('v1.0.0');
  });

  it('prints the JSON notes model with every field', async () => {
    const { stdout } = await runCli(['notes', '--json', '--audience', 'internal', '--cwd', repo]);
    const { notes } = JSON.parse(stdout);
    expect(Object.keys(notes).sort()).toEqual(
      [
        'audience',
        'breaking',
        'compareUrl',
        'components',
        'contributors',
        'counts',
        'date',
        'empty',
        'intro',
        'linked',
        'packageName',
        'previousTag',
        'previousVersion',
        'product',
        'schemaVersion',
        'sections',
        'tag',
        'version',
      ].sort(),
    );
    expect(notes).toMatchObject({
      product: 'Acme Cloud',
      version: '2.0.0',
      previousVersion: '1.1.0',
      audience: 'internal',
    });
    expect(notes.linked).toContainEqual({ text: '#45', url: 'https://github.com/acme/cloud/issues/45' });
  });

  it('takes --release-version and explicit --from/--to', async () => {
    const { stdout } = await runCli([
      'notes',
      '--from',
      'v1.0.0',
      '--to',
      'v1.1.0',
      '--release-version',
      '1.1.0-rc.1',
      '--json',
      '--cwd',
      repo,
    ]);
    const result = JSON.parse(stdout);
    expect(result.release).toEqual({ version: '1.1.0-rc.1', tag: 'v1.1.0-rc.1' });
    expect(result.notes.sections.length).toBeGreaterThan(0);
  });

  it('--write writes release-notes/<version>.md and CHANGELOG.md; a second run changes nothing', async () => {
    const first = await runCli(['notes', '--to', 'v1.1.0', '--write', '--cwd', repo]);
    expect(first.code).toBe(0);
    const notes = readFileSync(path.join(repo, 'release-notes', '1.1.0.md'), 'utf8');
    const changelog = readFileSync(path.join(repo, 'CHANGELOG.md'), 'utf8');
    expect(changelog.startsWith('# Changelog\n\n## [1.1.0]')).toBe(true);
    // CHANGELOG.md is the release notes with each entry's commit linked (notes.changelog.commitLinks).
    expect(changelog).toMatch(
      /^- .+ \(\[[0-9a-f]{7,}\]\(https:\/\/github\.com\/acme\/cloud\/commit\/[0-9a-f]{40}\)\)$/m,
    );
    expect(withoutCommitLinks(changelog)).toContain(notes.trim());
    const second = await runCli(['notes', '--to', 'v1.1.0', '--write', '--cwd', repo]);
    expect(second.stderr).toContain('(unchanged)');
    expect(readFileSync(path.join(repo, 'CHANGELOG.md'), 'utf8')).toBe(changelog);
    await runCli(['notes', '--to', 'v1.0.0', '--write', '--cwd', repo]);
    const both = readFileSync(path.join(repo, 'CHANGELOG.md'), 'utf8');
    expect(both.indexOf('## [1.1.0]')).toBeLessThan(both.indexOf('## 1.0.0'));
  });

  it('changelog --rebuild writes one section per release tag reachable from the target', async () => {
    const { code, stdout } = await runCli(['changelog', '--rebuild', '--stdout', '--cwd', repo]);
    expect(code).toBe(0);
    const headings = stdout.split('\n').filter((l) => l.startsWith('## '));
    expect(headings.map((h) => /\d+\.\d+\.\d+/.exec(h)![0])).toEqual(['1.1.0', '1.0.0']);
    // The maintenance line's own releases (a file rebuilt from it keeps the newer line's sections).
    const maintenance = await runCli(['changelog', '--rebuild', '--json', '--to', '1.0.x', '--cwd', repo]);
    const generated = JSON.parse(maintenance.stdout).sections as { version: string; markdown: string }[];
    expect(generated.map((s) => s.version)).toEqual(['1.0.1', '1.0.0']);
    expect(generated[0]!.markdown).toContain('Round invoice totals to cents');
    // The same section as `herald notes` renders for that release.
    const single = await runCli(['notes', '--to', 'v1.1.0', '--cwd', repo]);
    expect(withoutCommitLinks(stdout)).toContain(single.stdout.trim());
  });
});

describe("herald notes on Herald's own repository", () => {
  it('renders notes for this checkout', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const { code, stdout, stderr } = await runCli([
      'notes',
      '--audience',
      'internal',
      '--json',
      '--cwd',
      root,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    // Herald's own commits are conventional: something is always there to release or released.
    expect(result.ok).toBe(true);
    if (result.release) expect(result.notes.counts.entries).toBeGreaterThan(0);
    else expect(result.reason).toMatch(/since/);
  });
});

describe('herald notes --html', () => {
  it('compiles the notes through the docs pipeline: sanitised HTML with heading ids', async () => {
    const { code, stdout } = await runCli(['notes', '--html', '--cwd', repo]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      '<h2 id="200-2026-09-04"><a href="https://github.com/acme/cloud/compare/v1.1.0...v2.0.0">2.0.0</a> (2026-09-04)</h2>',
    );
    expect(stdout).toContain('<h3 id="-breaking-changes">⚠ Breaking changes</h3>');
    expect(stdout).toContain('Keep filters when paging &#x3C;b>bold&#x3C;/b> [click](javascript:alert(1))');
    expect(stdout).not.toMatch(/<b>|href="javascript/);
  });
});
