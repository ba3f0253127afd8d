import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

/**
 * Every announce-day refusal that depends only on the bundle and the config happens at prepare,
 * with the file and the fix, and nothing is stored. The few that cannot be known before announce
 * day are the outside world's: a revoked or under-scoped token, a section or article deleted on
 * Zendesk, a Slack channel archived or the bot removed from it, an SMTP relay refusing, a full
 * disk under the static site. `herald doctor` checks what it can of those ahead.
 */
const repos: TestRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) rmSync(repo.dir, { recursive: true, force: true });
});

function repoWith(herald: Record<string, unknown>, files: Record<string, string> = {}): TestRepo {
  const repo = new TestRepo('herald-preflight-');
  repos.push(repo);
  repo.commit('feat: export invoices as CSV', {
    files: {
      '.releaserc.json': JSON.stringify({ herald: { product: 'Acme', ...herald } }),
      'docs/guide/intro.md': '---\nid: intro\ntitle: Introduction\n---\n\nHello.\n',
      ...files,
    },
  });
  repo.tag('v1.0.0');
  return repo;
}

async function prepareRefused(repo: TestRepo, env: Record<string, string> = {}) {
  const result = await runCli(['prepare'], { cwd: repo.dir, env });
  expect(result.code, result.stderr).toBe(2);
  const list = await runCli(['list', '--json'], { cwd: repo.dir });
  expect(JSON.parse(list.stdout).bundles).toEqual([]);
  return result.stderr;
}

const zendesk = { provider: 'zendesk', releaseNotesSectionId: 100, docsSections: { guide: 101 } };

describe('prepare refuses what would fail on announce day', () => {
  it('a docs section Zendesk has no section for, and no release-notes section', async () => {
    const stderr = await prepareRefused(
      repoWith({ helpCenter: { provider: 'zendesk', docsSections: { other: 5 } } }),
    );
    expect(stderr).toContain('EPREFLIGHT');
    expect(stderr).toContain(
      'docs section "guide" (first used by docs/guide/intro.md) has no Zendesk section',
    );
    expect(stderr).toContain('"docsSections": { "guide": <Zendesk section id> }');
    expect(stderr).toContain('the release notes have no Zendesk section');
    expect(stderr).toContain('.releaserc.json herald.helpCenter.releaseNotesSectionId');
  });

  it('createMissingSections without a category to create them in', async () => {
    const stderr = await prepareRefused(
      repoWith({ helpCenter: { provider: 'zendesk', createMissingSections: true } }),
    );
    expect(stderr).toContain('categoryId is not set');
  });

  it('help-centre and email audiences the notes do not have', async () => {
    const stderr = await prepareRefused(
      repoWith({ helpCenter: { ...zendesk, audience: 'partners' }, email: { audience: 'press' } }),
    );
    expect(stderr).toContain('the help centre shows the "partners" notes');
    expect(stderr).toContain('release emails show the "press" notes');
    expect(stderr).toContain('Set herald.email.audience to one of: customer, internal.');
  });

  it('a release-notes title that renders empty', async () => {
    const stderr = await prepareRefused(repoWith({ helpCenter: { title: '{{nothing}}' } }));
    expect(stderr).toContain('the release-notes article would have an empty title');
  });

  it("a Slack channel's template that does not render", async () => {
    const stderr = await prepareRefused(
      repoWith(
        { slack: { channels: [{ id: 'C0RELEASES', audience: 'customer', template: 'slack.hbs' }] } },
        { 'slack.hbs': 'Shipped {{#each nope}}{{name}}{{/each}} {{vrsion}}' },
      ),
    );
    expect(stderr).toMatch(/vrsion/);
  });

  it('an email template with a field that does not exist', async () => {
    const stderr = await prepareRefused(
      repoWith({ notes: { templates: 'tpl' } }, { 'tpl/email/subject.hbs': '{{product}} {{verison}}' }),
    );
    expect(stderr).toContain('verison');
  });

  it('a page whose section the docs do not list', async () => {
    const repo = repoWith(
      {},
      {
        'docs/sections.yml': '- id: guide\n  title: Guide\n',
        'docs/guide/extra.md': '---\nid: extra\ntitle: Extra\nsection: nowhere\n---\n\nText.\n',
      },
    );
    const result = await runCli(['prepare'], { cwd: repo.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('docs/guide/extra.md');
    expect(result.stderr).toContain('nowhere');
  });

  it('prepares the same repository once the config is right, and --no-docs without any docs', async () => {
    const repo = repoWith({ helpCenter: zendesk });
    const ok = await runCli(['prepare', '--json'], { cwd: repo.dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ outcome: 'created', docs: { pages: 1 } });

    mkdirSync(path.join(repo.dir, 'docs', 'broken'), { recursive: true });
    writeFileSync(path.join(repo.dir, 'docs', 'broken', 'bad.md'), '# Bad\n\n[x](missing.md)\n');
    repo.commit('fix: rounding', { files: { 'docs/broken/bad.md': '# Bad\n\n[x](missing.md)\n' } });
    repo.tag('v1.0.1');
    expect((await runCli(['prepare'], { cwd: repo.dir })).code).toBe(1);
    const notesOnly = await runCli(['prepare', '--no-docs', '--json'], { cwd: repo.dir });
    expect(notesOnly.code, notesOnly.stderr).toBe(0);
    expect(JSON.parse(notesOnly.stdout)).toMatchObject({ version: '1.0.1', docs: { pages: 0 } });
    writeFileSync(
      path.join(repo.dir, '.releaserc.json'),
      JSON.stringify({ herald: { product: 'Acme', docs: false } }),
    );
    repo.commit('fix: totals', { files: { 'x.txt': 'x' } });
    repo.tag('v1.0.2');
    const configured = await runCli(['prepare', '--json'], { cwd: repo.dir });
    expect(configured.code, configured.stderr).toBe(0);
    expect(JSON.parse(configured.stdout)).toMatchObject({ version: '1.0.2', docs: { pages: 0 } });
  });

  it('doctor runs the preflight of every release not yet announced against the config as it is now', async () => {
    const repo = repoWith({});
    expect((await runCli(['prepare'], { cwd: repo.dir })).code).toBe(0);
    const healthy = await runCli(['doctor'], { cwd: repo.dir });
    expect(healthy.code, healthy.stdout).toBe(0);
    expect(healthy.stdout).toContain('ok   preflight: release 1.0.0 (draft): would publish as configured');
    writeFileSync(
      path.join(repo.dir, '.releaserc.json'),
      JSON.stringify({ herald: { product: 'Acme', helpCenter: { audience: 'partners' } } }),
    );
    const broken = await runCli(['doctor'], { cwd: repo.dir });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('FAIL preflight: release 1.0.0 (draft)');
    expect(broken.stdout).toContain('the help centre shows the "partners" notes');
  });
});
