import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { startZendeskEmulator, type ZendeskEmulator } from '../emulators/zendesk.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'zd-followers-token-0123';
const FOLLOWERS = 250;

let dir: string;
let zendesk: ZendeskEmulator;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-followers-'));
  // 250 followers of the release-notes section (three pages of 100), every 50th without an
  // address, every 10th following in German; one follower of another section.
  const users = Array.from({ length: FOLLOWERS + 1 }, (_, i) => ({
    id: 9000 + i,
    name: `Follower ${i}`,
    email: i % 50 === 49 ? null : `Follower${i}@Customer.Example`,
  }));
  zendesk = await startZendeskEmulator({
    auth: { email: 'bot@acme.example', token: TOKEN },
    users,
    followers: [
      ...users
        .slice(0, FOLLOWERS)
        .map((u, i) => ({ sectionId: 100, userId: u.id, locale: i % 10 === 0 ? 'de' : 'en-us' })),
      { sectionId: 101, userId: users[FOLLOWERS]!.id },
    ],
  });
});
afterAll(async () => {
  await zendesk?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ZENDESK_URL: zendesk.url, ZENDESK_EMAIL: 'bot@acme.example', ZENDESK_API_TOKEN: TOKEN });

describe('herald subscribers import --zendesk-section', () => {
  it("imports a section's followers page by page, through a rate limit, once", async () => {
    const repo = buildSampleRepo(path.join(dir, 'repo'));
    zendesk.failNext(1, 429);
    const first = await runCli(['subscribers', 'import', '--zendesk-section', '100', '--json'], {
      cwd: repo,
      env: env(),
    });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, sectionId: 100, created: 245, skipped: 5 });
    const list = JSON.parse((await runCli(['subscribers', 'list', '--json'], { cwd: repo })).stdout);
    expect(list.subscribers).toHaveLength(245);
    const one = list.subscribers.find((s: { email: string }) => s.email === 'follower10@customer.example');
    expect(one).toMatchObject({ name: 'Follower 10', locale: 'de', topics: 'all', status: 'confirmed' });
    expect(
      list.subscribers.some((s: { email: string }) => s.email === `follower${FOLLOWERS}@customer.example`),
    ).toBe(false);
    // Three pages of subscriptions, one users/show_many each, and the 429 answered once more.
    const reads = zendesk.requests.filter(
      (r) => r.path.includes('subscriptions') || r.path.includes('show_many'),
    );
    expect(reads.length).toBe(7);

    // Again: nothing changes, and someone who left stays out.
    await runCli(['subscribers', 'unsubscribe', 'follower3@customer.example'], { cwd: repo });
    const again = await runCli(['subscribers', 'import', '--zendesk-section', '100'], {
      cwd: repo,
      env: env(),
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/0 added, 0 updated, 244 unchanged, 1 left unsubscribed or bounced/);
    expect(again.stderr).toMatch(/notifySubscribers/);
  });

  it('says what is wrong with the section or the credentials, and never shows the token', async () => {
    const repo = buildSampleRepo(path.join(dir, 'repo-errors'));
    const missing = await runCli(['subscribers', 'import', '--zendesk-section', '4242'], {
      cwd: repo,
      env: env(),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/EFOLLOWERS.*section 4242 does not exist/s);
    const refused = await runCli(['subscribers', 'import', '--zendesk-section', '100'], {
      cwd: repo,
      env: { ...env(), ZENDESK_API_TOKEN: 'zd-wrong-token-9876' },
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/credentials were refused.*agent or admin/s);
    expect(refused.stderr + refused.stdout).not.toContain('zd-wrong-token-9876');
    const none = await runCli(['subscribers', 'import', '--zendesk-section', '100'], {
      cwd: repo,
      env: {
        ZENDESK_URL: '',
        ZENDESK_SUBDOMAIN: '',
        ZENDESK_EMAIL: '',
        ZENDESK_API_TOKEN: '',
        ZENDESK_OAUTH_TOKEN: '',
      },
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/ZENDESK_SUBDOMAIN/);
    const bad = await runCli(['subscribers', 'import', '--zendesk-section', 'releases'], {
      cwd: repo,
      env: env(),
    });
    expect(bad.code).toBe(2);
  });
});
