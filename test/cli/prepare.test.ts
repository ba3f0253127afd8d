import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { runCli } from '../helpers/cli.js';

let dir: string;
let repo: string;
const env = { HERALD_ACTOR: 'Rita Release <rita@acme.example>', TZ: 'UTC' };
const herald = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  runCli(args, {
    cwd: repo,
    env: { ...env, ...options.env },
    ...(options.input ? { input: options.input } : {}),
  });
const json = async (args: string[]) => {
  const result = await herald([...args, '--json']);
  expect(result.stderr).not.toMatch(/bug/i);
  return { ...result, body: JSON.parse(result.stdout) };
};
/** A wall time a few days ahead in Berlin, as the release manager types it. */
function inDays(days: number, hour = '09:00'): string {
  return `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)} ${hour}`;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-prepare-'));
  repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('herald prepare and the release-manager commands (SQLite store)', () => {
  it('stores embargoed drafts; identical reruns change nothing', async () => {
    const first = await json(['prepare', '--to', 'v1.0.0']);
    expect(first.code).toBe(0);
    expect(first.body).toMatchObject({
      outcome: 'created',
      version: '1.0.0',
      status: 'draft',
      contentRevision: 1,
    });
    const second = await json(['prepare', '--to', 'v1.1.0']);
    expect(second.body).toMatchObject({
      outcome: 'created',
      version: '1.1.0',
      audiences: ['customer', 'internal'],
      docs: { pages: 45, assets: 6, diff: null },
    });
    const again = await json(['prepare', '--to', 'v1.1.0']);
    expect(again.body).toMatchObject({ outcome: 'unchanged', contentRevision: 1, revision: 1 });
    expect(existsSync(path.join(repo, '.herald', 'state.db'))).toBe(true);

    const listed = await json(['list']);
    expect(
      listed.body.bundles.map((b: { version: string; status: string }) => `${b.version} ${b.status}`),
    ).toEqual(['1.1.0 draft', '1.0.0 draft']);
    const table = await herald(['list']);
    expect(table.stdout).toMatch(
      /^VERSION\s+STATUS\s+ANNOUNCE AT\s+LOCAL \(UTC\)\s+WHEN\s+REV\s+DELIVERIES$/m,
    );
    expect(table.stdout).toMatch(/^1\.1\.0\s+draft \(embargoed\)\s+—/m);
  });

  it('schedules in a zone, shows both zones and the distance, and records who did it', async () => {
    const at = inDays(3);
    const scheduled = await json(['schedule', 'v1.1.0', '--at', at, '--tz', 'Europe/Berlin']);
    expect(scheduled.code).toBe(0);
    expect(scheduled.body).toMatchObject({ status: 'scheduled', timeZone: 'Europe/Berlin', revision: 2 });
    const table = await herald(['list']);
    expect(table.stdout).toContain(`${at} Europe/Berlin`);
    expect(table.stdout).toMatch(/in (2|3) days/);
    const log = await herald(['log', '1.1.0']);
    expect(log.stdout).toMatch(/prepare\s+Rita Release <rita@acme\.example>\s+\(content revision 1\)/);
    expect(log.stdout).toMatch(
      new RegExp(`schedule\\s+Rita Release .*announce ${at} Europe/Berlin, was draft`),
    );
  });

  it('refuses what would break the embargo or guess, with the fix and exit 2', async () => {
    const cases: [string[], string, RegExp][] = [
      [['schedule', '1.1.0', '--at', '2020-01-01 09:00', '--tz', 'UTC'], 'EPAST', /--now/],
      [
        ['schedule', '1.1.0', '--at', '2027-10-31 02:30', '--tz', 'Europe/Berlin'],
        'ETIMEAMBIGUOUS',
        /--at 2027-10-31T02:30\+02:00 or --at 2027-10-31T02:30\+01:00/,
      ],
      [['schedule', '1.1.0', '--at', '2027-03-28 02:30', '--tz', 'Europe/Berlin'], 'ETIMEGAP', /offset/],
      [['schedule', '1.1.0', '--at', inDays(3), '--tz', 'Europe/Atlantis'], 'ETIMEZONE', /IANA|zone name/],
      [['schedule', '1.1.0', '--at', 'next tuesday'], 'ETIME', /2026-12-01 09:00/],
      [['schedule', '9.9.9', '--now'], 'EUNKNOWNVERSION', /1\.1\.0, 1\.0\.0/],
      [['hold', '1.1.0', 'extra'], 'EUSAGE', /herald hold <version>/],
    ];
    for (const [args, code, fix] of cases) {
      const result = await herald(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(code);
      expect(result.stderr).toMatch(fix);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    // Nothing changed by the refusals.
    expect((await json(['show', '1.1.0'])).body).toMatchObject({ status: 'scheduled', revision: 2 });
  });

  it('holds, cancels and brings back a release; --now makes it due', async () => {
    expect((await json(['hold', '1.1.0'])).body).toMatchObject({
      status: 'held',
      announceAt: null,
      changed: true,
    });
    expect((await json(['hold', '1.1.0'])).body).toMatchObject({ changed: false });
    expect((await json(['cancel', '1.1.0'])).body).toMatchObject({ status: 'cancelled' });
    const back = await json(['schedule', '1.1.0', '--now']);
    expect(back.body.status).toBe('scheduled');
    expect(Date.parse(back.body.announceAt)).toBeLessThanOrEqual(Date.now() + 1000);
    const log = await herald(['log', '1.1.0']);
    expect(
      log.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s{2,}/)[1]),
    ).toEqual(['prepare', 'schedule', 'hold', 'cancel', 'schedule']);
  });

  it('edits the notes; the edits survive prepare and reach every artefact', async () => {
    const printed = await herald(['edit', '1.1.0', '--print']);
    expect(printed.code).toBe(0);
    const lines = printed.stdout.split('\n');
    const csv = lines.find((l) => l.includes('Export invoices as CSV'))!;
    const dark = lines.find((l) => l.includes('Dark mode'))!;
    const edited = printed.stdout
      .replace('=== Intro ===\n', '=== Intro ===\nOur biggest billing release this year.\n')
      .replace(csv, csv.replace('Export invoices as CSV', 'Download invoices as CSV files'))
      .replace(`${dark}\n`, '');
    const file = path.join(dir, 'edited.txt');
    writeFileSync(file, edited);
    const saved = await herald(['edit', '1.1.0', '--file', file]);
    expect(saved.code, saved.stderr).toBe(0);

    const shown = await herald(['show', '1.1.0']);
    expect(shown.stdout).toContain('Our biggest billing release this year.');
    expect(shown.stdout).toContain('Download invoices as CSV files');
    expect(shown.stdout).not.toContain('Dark mode');
    expect(shown.stdout).toContain('(edited)');

    const rerun = await json(['prepare', '--to', 'v1.1.0']);
    expect(rerun.body.outcome).toBe('unchanged');
    const body = (await json(['show', '1.1.0'])).body;
    expect(body.bundle.notes.customer.html).toContain('<p>Our biggest billing release this year.</p>');
    expect(body.bundle.notes.internal.markdown).toContain('Dark mode');

    const bad = await herald(['edit', '1.1.0', '--file', '-'], {
      input: `${edited}\nthis line is not an entry\n`,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/EEDIT[\s\S]*<stdin>:\d+:1[\s\S]*not an entry line/);
  });

  it('previews every artefact as files', async () => {
    const out = path.join(dir, 'preview');
    const result = await json(['preview', '1.1.0', '--out', out]);
    expect(result.code).toBe(0);
    for (const file of [
      'index.html',
      'help-center/release-notes.html',
      'notes/customer.md',
      'notes/internal.html',
      'bundle.json',
    ])
      expect(result.body.files).toContain(file);
    const article = readFileSync(path.join(out, 'help-center/release-notes.html'), 'utf8');
    expect(article).toContain('Download invoices as CSV files');
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).toContain('scheduled');
    const manifest = JSON.parse(readFileSync(path.join(out, 'help-center/docs/manifest.json'), 'utf8'));
    expect(manifest.pages).toHaveLength(45);
    // Assets come from the store, byte for byte what git has.
    const asset = manifest.assets.find((a: { path: string }) => a.path.endsWith('.png'));
    const fromGit = execFileSync('git', ['cat-file', 'blob', asset.hash], { cwd: repo });
    expect(readFileSync(path.join(out, 'help-center/docs', asset.path)).equals(fromGit)).toBe(true);
  });

  it('two prepares of one version at once store one revision', async () => {
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'feat(api): bulk export endpoint'], {
      cwd: repo,
      env: {
        ...process.env,
        GIT_AUTHOR_DATE: '2026-09-10T10:00:00Z',
        GIT_COMMITTER_DATE: '2026-09-10T10:00:00Z',
      },
    });
    const runs = await Promise.all([1, 2, 3].map(() => json(['prepare', '--release-version', '1.2.0'])));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(runs.map((r) => r.body.outcome).sort()).toEqual(['created', 'unchanged', 'unchanged']);
    const log = (await json(['log', '1.2.0'])).body.entries;
    expect(log).toHaveLength(1);
  });
});
