import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startZendeskEmulator, type ZendeskEmulator } from '../emulators/zendesk.js';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

/**
 * The simplest setup a new user has: one page at the docs root, no sections file, a product name.
 * It used to pass `docs check` and `prepare` and then fail on announce day, holding back the
 * release notes, Slack and email. Now it announces everywhere, or fails at prepare with the fix.
 */
const TOKEN = 'zd-flat-token';
let emulator: ZendeskEmulator;
const repos: TestRepo[] = [];
beforeAll(async () => {
  emulator = await startZendeskEmulator({
    auth: { email: 'bot@acme.example', token: TOKEN },
    sections: [
      { id: 100, name: 'Release notes' },
      { id: 101, name: 'Flat Product' },
    ],
  });
});
afterAll(async () => {
  await emulator?.close();
  for (const repo of repos) rmSync(repo.dir, { recursive: true, force: true });
});

function flatRepo(helpCenter: Record<string, unknown> = {}): TestRepo {
  const repo = new TestRepo('herald-flat-');
  repos.push(repo);
  repo.commit('feat: export invoices as CSV', {
    files: {
      '.releaserc.json': JSON.stringify({
        herald: {
          product: 'Flat Product',
          helpCenter,
          slack: { channels: [{ id: 'C0RELEASES', name: '#releases', audience: 'customer' }] },
          email: { from: 'releases@acme.example' },
        },
      }),
      'docs/intro.md': '# Introduction\n\nWelcome to Flat Product.\n',
    },
  });
  repo.tag('v1.0.0');
  writeFileSync(
    path.join(repo.dir, 'subscribers.csv'),
    'email,name,locale,topics\nada@example.com,Ada,en,all\n',
  );
  return repo;
}

const env = {
  ZENDESK_URL: '',
  SMTP_URL: '',
  SLACK_BOT_TOKEN: '',
  HERALD_EMAIL_SECRET: 'k1:flat-secret-flat-secret-flat-secret',
  HERALD_PUBLIC_URL: 'https://help.acme.test',
};
const zendeskEnv = () => ({
  ...env,
  ZENDESK_URL: emulator.url,
  ZENDESK_EMAIL: 'bot@acme.example',
  ZENDESK_API_TOKEN: TOKEN,
});

async function announceAll(repo: TestRepo, runEnv: Record<string, string>) {
  const herald = (...args: string[]) => runCli(args, { cwd: repo.dir, env: runEnv });
  expect((await herald('subscribers', 'import', 'subscribers.csv')).code).toBe(0);
  const check = await herald('docs', 'check');
  expect(check.code, check.stderr).toBe(0);
  const prepared = await herald('prepare');
  expect(prepared.code, prepared.stderr).toBe(0);
  expect((await herald('schedule', '1.0.0', '--now')).code).toBe(0);
  const run = await herald('announce');
  expect(run.code, run.stderr).toBe(0);
  const status = JSON.parse((await herald('status', '1.0.0', '--json', '--all')).stdout);
  expect(status.status).toBe('announced');
  const outbox = (dir: string) => readdirSync(path.join(repo.dir, '.herald', 'outbox', dir));
  expect(outbox('slack/C0RELEASES').filter((f) => f.endsWith('.json'))).toHaveLength(1);
  expect(outbox('email').filter((f) => f.endsWith('.eml'))).toHaveLength(1);
}

describe('a docs folder with one page at its root', () => {
  it('announces on the static help centre, the page in a section named after the product', async () => {
    const repo = flatRepo();
    await announceAll(repo, env);
    const site = path.join(repo.dir, '.herald', 'site');
    expect(readFileSync(path.join(site, 'index.html'), 'utf8')).toContain('Flat Product');
    const pages = readdirSync(path.join(site, 'articles')).map((f) =>
      readFileSync(path.join(site, 'articles', f), 'utf8'),
    );
    expect(pages.some((html) => html.includes('Welcome to Flat Product.'))).toBe(true);
  });

  it('on Zendesk, names the section to map at prepare, and announces once it is mapped', async () => {
    const unmapped = flatRepo({ provider: 'zendesk', releaseNotesSectionId: 100, permissionGroupId: 1 });
    const refused = await runCli(['prepare'], { cwd: unmapped.dir, env: zendeskEnv() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'docs section "flat-product" (first used by docs/intro.md) has no Zendesk section',
    );
    expect(emulator.requests).toHaveLength(0);

    const repo = flatRepo({
      provider: 'zendesk',
      releaseNotesSectionId: 100,
      docsSections: { 'flat-product': 101 },
      permissionGroupId: 1,
      requestsPerMinute: 1_000_000,
    });
    await announceAll(repo, zendeskEnv());
    const live = emulator.articles().filter((a) => !a.archived);
    expect(live.map((a) => [a.section_id, a.title]).sort()).toEqual([
      [100, expect.stringContaining('1.0.0')],
      [101, 'Introduction'],
    ]);
  });
});
