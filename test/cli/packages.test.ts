import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

// A monorepo with two packages whose tags interleave (a@1.0.0, b@1.0.0, a@1.1.0, b@1.1.0,
// b@1.1.1): the release manager's commands act on the package --package names, and a version
// asked for without the package it belongs to is found with a hint.

const env = { HERALD_ACTOR: 'Rita Release <rita@acme.example>', TZ: 'UTC', SMTP_URL: '' };
let repo: TestRepo;
const herald = (...args: string[]) => runCli(args, { cwd: repo.dir, env });
const ok = async (...args: string[]) => {
  const result = await herald(...args);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
};
const json = async (...args: string[]) => JSON.parse((await ok(...args, '--json')).stdout);
const future = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

/** The monorepo: packages a and b, with tags of both in one history. */
function monorepo(herald: Record<string, unknown> = { product: 'Acme' }): TestRepo {
  const r = new TestRepo('herald-packages-');
  const config = {
    tagFormat: '${name}@${version}',
    herald: {
      ...herald,
      packages: [
        { name: 'a', path: 'packages/a' },
        { name: 'b', path: 'packages/b' },
      ],
      docs: false,
    },
  };
  r.commit('chore: set up', { files: { '.releaserc.json': JSON.stringify(config, null, 2) } });
  r.commit('feat(a): the first of a', { files: { 'packages/a/index.ts': '1' } });
  r.tag('a@1.0.0');
  r.commit('feat(b): the first of b', { files: { 'packages/b/index.ts': '1' } });
  r.tag('b@1.0.0');
  r.commit('feat(a): search in a', { files: { 'packages/a/index.ts': '2' } });
  r.tag('a@1.1.0');
  r.commit('feat(b): export in b', { files: { 'packages/b/index.ts': '2' } });
  r.tag('b@1.1.0');
  r.commit('fix(b): rounding in b', { files: { 'packages/b/index.ts': '3' } });
  r.tag('b@1.1.1');
  return r;
}

beforeAll(async () => {
  repo = monorepo();
  await ok('prepare', '--package', 'a', '--to', 'a@1.1.0');
  await ok('prepare', '--package', 'b', '--to', 'b@1.1.0');
  await ok('prepare', '--package', 'b', '--to', 'b@1.1.1');
});
afterAll(() => repo?.remove());

describe('herald list with packages', () => {
  it('shows a package column and filters by --package', async () => {
    const list = await ok('list');
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PACKAGE\s+VERSION\s+STATUS/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join('@'))).toEqual([
      'b@1.1.1',
      'b@1.1.0',
      'a@1.1.0',
    ]);
    const onlyB = await ok('list', '--package', 'b');
    expect(onlyB.stdout).toMatch(/^b\s+1\.1\.1/m);
    expect(onlyB.stdout).toMatch(/^b\s+1\.1\.0/m);
    expect(onlyB.stdout).not.toMatch(/^a\s/m);
    const listed = await json('list', '--package', 'a');
    expect(
      listed.bundles.map((b: { package: string; version: string }) => `${b.package}@${b.version}`),
    ).toEqual(['a@1.1.0']);
  });
});

describe('a version asked for without its package', () => {
  it('names the one package that has it', async () => {
    const result = await herald('schedule', '1.1.1', '--at', future());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('EUNKNOWNVERSION');
    expect(result.stderr).toContain('no prepared release 1.1.1 without a package; b@1.1.1 is prepared');
    expect(result.stderr).toContain('did you mean `--package b`?'.replace('did', 'Did'));
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
  it('names both packages when two have it', async () => {
    const result = await herald('show', '1.1.0');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('a@1.1.0 and b@1.1.0 are prepared');
    expect(result.stderr).toContain('Did you mean `--package a` or `--package b`?');
  });
  it('names the other package when --package names the wrong one', async () => {
    const result = await herald('status', '1.1.1', '--package', 'a');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no prepared release 1.1.1 of package a; b@1.1.1 is prepared');
    expect(result.stderr).toContain('`--package b`');
  });
});

describe('every release-manager command acts on the package --package names', () => {
  it('show, edit --print and log read the right release', async () => {
    const showA = await ok('show', '1.1.0', '--package', 'a');
    expect(showA.stdout).toContain('Acme (a) 1.1.0');
    expect(showA.stdout).toContain('Search in a');
    expect(showA.stdout).not.toContain('Export in b');
    const shownB = await json('show', '1.1.0', '--package', 'b');
    expect(shownB).toMatchObject({ package: 'b', version: '1.1.0' });
    expect(shownB.bundle.tag).toBe('b@1.1.0');
    // As Herald prints a package's release, so it may be named.
    expect((await ok('show', 'b@1.1.1')).stdout).toContain('Acme (b) 1.1.1');
    const editB = await ok('edit', '1.1.0', '--package', 'b', '--print');
    expect(editB.stdout).toContain('Export in b');
    expect(editB.stdout).not.toContain('Search in a');
  });

  it('schedule, hold and cancel change only that package’s release; log records it there', async () => {
    const scheduled = await ok('schedule', '1.1.0', '--package', 'a', '--at', future());
    expect(scheduled.stderr).toContain('Scheduled a@1.1.0');
    const statuses = async () =>
      Object.fromEntries(
        (await json('list')).bundles.map((b: { package: string; version: string; status: string }) => [
          `${b.package}@${b.version}`,
          b.status,
        ]),
      );
    expect(await statuses()).toEqual({ 'a@1.1.0': 'scheduled', 'b@1.1.0': 'draft', 'b@1.1.1': 'draft' });
    expect((await ok('hold', '1.1.0', '--package', 'a')).stderr).toContain('Held a@1.1.0');
    expect((await ok('cancel', '1.1.1', '--package', 'b')).stderr).toContain('Cancelled b@1.1.1');
    expect(await statuses()).toEqual({ 'a@1.1.0': 'held', 'b@1.1.0': 'draft', 'b@1.1.1': 'cancelled' });

    const logA = (await ok('log', '1.1.0', '--package', 'a')).stdout;
    expect(logA).toMatch(/prepare .*\n.*schedule .*\n.*hold /);
    const logB = (await ok('log', '1.1.0', '--package', 'b')).stdout;
    expect(logB).toContain('prepare');
    expect(logB).not.toContain('schedule');
  });

  it('preview writes the package’s files apart from the other package of the same version', async () => {
    const a = await json('preview', '1.1.0', '--package', 'a', '--channel', 'helpcenter');
    const b = await json('preview', '1.1.0', '--package', 'b', '--channel', 'helpcenter');
    expect(a.out).toBe(path.join(repo.dir, '.herald', 'preview', 'a@1.1.0'));
    expect(b.out).toBe(path.join(repo.dir, '.herald', 'preview', 'b@1.1.0'));
    const article = readFileSync(path.join(a.out, 'help-center', 'release-notes.html'), 'utf8');
    expect(article).toContain('<title>a 1.1.0 release notes</title>');
  });

  it('status and retry name the package’s release', async () => {
    const status = await ok('status', '1.1.0', '--package', 'b');
    expect(status.stdout).toContain('b@1.1.0: draft, 0 deliveries');
    expect((await json('status', '1.1.0', '--package', 'b')).package).toBe('b');
    const retry = await ok('retry', '1.1.0', '--package', 'a');
    expect(retry.stdout).toContain('a@1.1.0: no failed deliveries');
  });
});

describe('a package’s release is announced under the package’s name', () => {
  it('names the package in the article title, the static help centre, the Slack header and the email subject', async () => {
    const file = path.join(repo.dir, '.releaserc.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.herald.slack = { channels: [{ id: 'C0RELEASES', audience: 'customer' }] };
    config.herald.email = { from: 'releases@acme.example', publicUrl: 'https://releases.acme.test/' };
    writeFileSync(file, JSON.stringify(config, null, 2));
    const csv = path.join(repo.dir, '.git', 'subscribers.csv');
    writeFileSync(csv, 'email,name,locale,topics\nerin@example.com,Erin,,all\n');
    const emailEnv = { ...env, HERALD_EMAIL_SECRET: 'packages-test-secret-0123456789' };
    expect((await runCli(['subscribers', 'import', csv], { cwd: repo.dir, env: emailEnv })).code).toBe(0);
    // Prepared again with the channels configured, then due at once.
    await ok('prepare', '--package', 'b', '--to', 'b@1.1.0');
    await ok('schedule', '1.1.0', '--package', 'b', '--now');
    const run = await runCli(['announce'], { cwd: repo.dir, env: emailEnv });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Announced b@1.1.0');

    const site = path.join(repo.dir, '.herald', 'site');
    const articles = readdirSync(path.join(site, '_data', 'articles')).map((f) =>
      JSON.parse(readFileSync(path.join(site, '_data', 'articles', f), 'utf8')),
    );
    expect(
      articles.flatMap((a) => Object.values(a.translations).map((t) => (t as { title: string }).title)),
    ).toEqual(['b 1.1.0 release notes']);
    expect(readFileSync(path.join(site, 'feed.xml'), 'utf8')).toContain('b 1.1.0 release notes');
    expect(readFileSync(path.join(site, 'release-notes.html'), 'utf8')).toContain('b 1.1.0 release notes');

    const slackDir = path.join(repo.dir, '.herald', 'outbox', 'slack', 'C0RELEASES');
    const posts = readdirSync(slackDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(path.join(slackDir, f), 'utf8')));
    expect(posts[0].blocks[0]).toMatchObject({ type: 'header', text: { text: 'b 1.1.0' } });

    const emailDir = path.join(repo.dir, '.herald', 'outbox', 'email');
    const [eml] = readdirSync(emailDir).filter((f) => f.endsWith('.eml'));
    const message = readFileSync(path.join(emailDir, eml!), 'utf8');
    expect(message).toMatch(/^Subject: b 1\.1\.0: what's new$/m);
  });
});

describe('packages without herald.product', () => {
  it('lists every package’s releases and finds them with the hint', async () => {
    const bare = monorepo({});
    try {
      const run = (...args: string[]) => runCli(args, { cwd: bare.dir, env });
      expect((await run('prepare', '--package', 'a', '--to', 'a@1.0.0')).code).toBe(0);
      expect((await run('prepare', '--package', 'b', '--to', 'b@1.0.0')).code).toBe(0);
      const list = await run('list');
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^a\s+1\.0\.0/m);
      expect(list.stdout).toMatch(/^b\s+1\.0\.0/m);
      const hinted = await run('hold', '1.0.0');
      expect(hinted.code).toBe(2);
      expect(hinted.stderr).toContain('Did you mean `--package a` or `--package b`?');
    } finally {
      rmSync(bare.dir, { recursive: true, force: true });
    }
  });
});
