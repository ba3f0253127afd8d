import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';
import { noCi } from './ci-env.js';

/**
 * The real semantic-release (its CLI, `--no-ci`) against a real repository whose origin is a local
 * bare repository over file://, with the commit analyzer and Herald's plugin loaded by its package
 * name (`herald-release/semantic-release`, resolved through a node_modules link to this checkout).
 */
const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const semanticRelease = path.join(root, 'node_modules', 'semantic-release', 'bin', 'semantic-release.js');
let dir: string;
let repo: TestRepo;
let remote: string;
const notesFile = () => path.join(dir, 'notes.md');

function releaseConfig(herald: object, extraPlugins: string[] = []) {
  return `${JSON.stringify(
    {
      branches: ['main'],
      tagFormat: 'v${version}',
      plugins: [
        '@semantic-release/commit-analyzer',
        ['herald-release/semantic-release', herald],
        path.join(dir, 'record-notes.mjs'),
        ...extraPlugins,
      ],
      herald: { product: 'Acme Cloud', notes: { links: { repository: 'https://github.com/acme/cloud' } } },
    },
    null,
    2,
  )}\n`;
}

function runSemanticRelease(env: Record<string, string | undefined> = {}) {
  return new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [semanticRelease, '--no-ci'], {
      cwd: repo.dir,
      env: { ...process.env, ...noCi, NO_COLOR: '1', NOTES_FILE: notesFile(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

const remoteTags = () =>
  execFileSync('git', ['ls-remote', '--tags', remote], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l && !l.endsWith('^{}'))
    .map((l) => l.replace(/^.*refs\/tags\//, ''));

async function bundles() {
  const list = await runCli(['list', '--json', '--all'], { cwd: repo.dir, env: noCi });
  return JSON.parse(list.stdout).bundles as { version: string; status: string; announceAt: string | null }[];
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-semrel-'));
  remote = path.join(dir, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '--initial-branch=main', remote]);
  writeFileSync(
    path.join(dir, 'record-notes.mjs'),
    "import { writeFileSync } from 'node:fs';\nexport async function success(_c, context) { writeFileSync(process.env.NOTES_FILE, context.nextRelease.notes); }\n",
  );
  writeFileSync(
    path.join(dir, 'fail-publish.mjs'),
    "export async function publish() { const e = new Error('the registry refused the package'); e.semanticRelease = true; e.code = 'EPUBLISHTEST'; throw e; }\n",
  );
  repo = new TestRepo('herald-semrel-repo-');
  // How a project that installed Herald resolves the plugin's name (untracked, as node_modules is).
  mkdirSync(path.join(repo.dir, 'node_modules'));
  symlinkSync(root, path.join(repo.dir, 'node_modules', 'herald-release'), 'dir');
  repo.git('remote', 'add', 'origin', `file://${remote}`);
  repo.commit('chore: release config', { files: { '.releaserc.json': releaseConfig({ docs: false }) } });
  repo.commit('feat(billing): export invoices as CSV');
  repo.tag('v1.0.0');
  repo.commit('feat: dark mode for the web app');
  repo.commit('fix(api): return 404 instead of 500 for unknown projects');
  repo.git('push', '-q', '--follow-tags', 'origin', 'main');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  repo.remove();
});

describe('semantic-release with the Herald plugin', () => {
  it('tags the release, gives Herald’s notes, and prepares the bundle under embargo', {
    timeout: 120_000,
  }, async () => {
    const run = await runSemanticRelease();
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('Herald: config, store and channels are ready.');
    expect(remoteTags()).toContain('v1.1.0');

    const notes = await runCli(['notes', '--to', 'v1.1.0'], { cwd: repo.dir, env: noCi });
    expect(notes.code, notes.stderr).toBe(0);
    expect(notes.stdout).toContain('Dark mode for the web app');
    expect(readFileSync(notesFile(), 'utf8').trim()).toBe(notes.stdout.trim());

    expect(await bundles()).toEqual([
      expect.objectContaining({ version: '1.1.0', status: 'draft', announceAt: null }),
    ]);
  });

  it('schedules the bundle from HERALD_ANNOUNCE_AT, never announces it, and takes the template option', {
    timeout: 120_000,
  }, async () => {
    repo.commit('feat: audit log export', {
      files: {
        'templates/short.hbs': 'Acme Cloud {{version}}: {{counts.entries}} change(s).\n',
        '.releaserc.json': releaseConfig({ docs: false, template: 'short.hbs' }),
      },
    });
    repo.git('push', '-q', 'origin', 'main');
    const at = '2099-03-01T09:00:00+01:00';
    const run = await runSemanticRelease({ HERALD_ANNOUNCE_AT: at, HERALD_ANNOUNCE_TZ: 'Europe/Berlin' });
    expect(run.code, run.output).toBe(0);
    const prepared = (await bundles()).find((b) => b.version === '1.2.0');
    expect(prepared).toMatchObject({ status: 'scheduled', announceAt: '2099-03-01T08:00:00.000Z' });
    expect(readFileSync(notesFile(), 'utf8')).toBe('Acme Cloud 1.2.0: 1 change(s).');
  });

  it('prepares nothing when a later step fails, and says so', { timeout: 120_000 }, async () => {
    repo.commit('fix: empty page after login', {
      files: { '.releaserc.json': releaseConfig({ docs: false }, [path.join(dir, 'fail-publish.mjs')]) },
    });
    repo.git('push', '-q', 'origin', 'main');
    const run = await runSemanticRelease();
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('EPUBLISHTEST');
    expect(run.output).toContain('Herald prepared nothing for 1.2.1');
    expect((await bundles()).map((b) => b.version)).not.toContain('1.2.1');
  });

  it('stops before tagging when the Herald config or the plugin options are invalid', {
    timeout: 120_000,
  }, async () => {
    const config = JSON.parse(releaseConfig({ docs: 'no', audience: 'partners' }));
    config.herald.email = { from: 'Acme <releases@acme.example>' };
    repo.commit('fix: timezone of reports', { files: { '.releaserc.json': `${JSON.stringify(config)}\n` } });
    repo.git('push', '-q', 'origin', 'main');
    const before = remoteTags();
    const run = await runSemanticRelease();
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('EPLUGINOPTION');
    expect(remoteTags()).toEqual(before);
    // Options fixed, the config is checked next.
    config.plugins[1][1] = { docs: false };
    repo.commit('chore: plugin options', { files: { '.releaserc.json': `${JSON.stringify(config)}\n` } });
    repo.git('push', '-q', 'origin', 'main');
    const second = await runSemanticRelease();
    expect(second.code).not.toBe(0);
    expect(second.output).toContain('EINVALIDCONFIG');
    expect(second.output).toContain('herald.email.from');
    expect(remoteTags()).toEqual(before);
  });

  it('announces at once only when told to (`announce: true`)', { timeout: 120_000 }, async () => {
    repo.commit('chore: announce from the release job', {
      files: { '.releaserc.json': releaseConfig({ docs: false, announce: true }) },
    });
    repo.git('push', '-q', 'origin', 'main');
    const run = await runSemanticRelease();
    expect(run.code, run.output).toBe(0);
    // v1.2.1 was tagged by the failed run above: this is the next patch.
    expect((await bundles()).find((b) => b.version === '1.2.2')).toMatchObject({ status: 'announced' });
    expect(readFileSync(path.join(repo.dir, '.herald', 'site', 'feed.xml'), 'utf8')).toContain('1.2.2');
  });
});
