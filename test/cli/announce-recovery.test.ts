import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { startZendeskEmulator, type ZendeskEmulator } from '../emulators/zendesk.js';
import { runCli } from '../helpers/cli.js';

/**
 * "When announce fails", step by step as the README tells it: a section deleted on Zendesk
 * refuses the docs of one section; the release notes, Slack and email still go out; hold stops
 * the rest and says what went out; the fixed config and a new date finish the release, with
 * every article, post and email once.
 */
const TOKEN = 'zd-recovery-token';
let dir: string;
let emulator: ZendeskEmulator;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-recovery-'));
  emulator = await startZendeskEmulator({
    auth: { email: 'bot@acme.example', token: TOKEN },
    sections: [
      { id: 100, name: 'Release notes' },
      { id: 201, name: 'API reference' },
      { id: 202, name: 'Billing' },
      { id: 203, name: 'Getting started' },
      { id: 204, name: 'Guides' },
      { id: 205, name: 'Troubleshooting' },
    ],
  });
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({
  ZENDESK_URL: emulator.url,
  ZENDESK_EMAIL: 'bot@acme.example',
  ZENDESK_API_TOKEN: TOKEN,
  HERALD_ACTOR: 'Rita Release',
  SMTP_URL: '',
  HERALD_EMAIL_SECRET: 'k1:recovery-secret-recovery-secret',
  HERALD_PUBLIC_URL: 'https://help.acme.test',
  TZ: 'UTC',
});

function setGuidesSection(repo: string, id: number) {
  const file = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.herald.helpCenter = {
    provider: 'zendesk',
    releaseNotesSectionId: 100,
    // 999: a section someone deleted on Zendesk. Only Zendesk can tell.
    docsSections: { api: 201, billing: 202, 'getting-started': 203, guides: id, troubleshooting: 205 },
    permissionGroupId: 1,
    requestsPerMinute: 1_000_000,
  };
  config.herald.slack = { channels: [{ id: 'C0RELEASES', name: '#releases', audience: 'customer' }] };
  config.herald.email = { from: 'releases@acme.example' };
  writeFileSync(file, JSON.stringify(config, null, 2));
}

describe('when announce fails', () => {
  it('publishes what it can, holds the rest on request, and finishes once the cause is fixed', async () => {
    const repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
    const herald = (...args: string[]) => runCli(args, { cwd: repo, env: env() });
    setGuidesSection(repo, 999);
    const csv = path.join(dir, 'subscribers.csv');
    writeFileSync(csv, 'email,name,locale,topics\nada@example.com,Ada,en,all\n');
    expect((await herald('subscribers', 'import', csv)).code).toBe(0);
    expect((await herald('prepare', '--release-version', '2.0.0')).code).toBe(0);
    expect((await herald('schedule', '2.0.0', '--now')).code).toBe(0);

    // 1. The announce run: the guides fail alone.
    const failed = await herald('announce');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('EDELIVERY');
    const status = JSON.parse((await herald('status', '2.0.0', '--json', '--all')).stdout);
    const rows = status.deliveries as { target: string; key: string; state: string }[];
    const stateOf = (key: string) => rows.find((r) => r.key === key)?.state;
    expect(stateOf('article:notes')).toBe('sent');
    expect(rows.filter((r) => r.target === 'slack:C0RELEASES').map((r) => r.state)).toEqual(['sent']);
    expect(rows.filter((r) => r.target === 'email').map((r) => r.state)).toEqual(['sent']);
    const failedKeys = rows.filter((r) => r.state === 'failed').map((r) => r.key);
    expect(failedKeys.length).toBeGreaterThan(0);
    expect(failedKeys.every((k) => /^(article|draft):doc:/.test(k))).toBe(true);
    const notesArticles = () => emulator.articles().filter((a) => a.section_id === 100);
    expect(notesArticles()).toHaveLength(1);

    // 2. Hold: allowed on a release that is half out, and it says which half.
    const held = await herald('hold', '2.0.0');
    expect(held.code, held.stderr).toBe(0);
    const wentOut = /went out before it, and stay out: \d+ deliveries \((.*)\)/.exec(held.stderr)?.[1];
    expect(wentOut?.split(', ').sort()).toEqual([
      'email 1',
      expect.stringMatching(/^helpcenter \d+$/),
      'slack:C0RELEASES 1',
    ]);
    expect(held.stderr).toMatch(/stopped until it is scheduled again: \d+ deliver/);
    const list = await herald('list');
    expect(list.stdout).toMatch(/2\.0\.0 +held \(partly out\)/);
    // Held, nothing moves, however often announce runs.
    const requestsBefore = emulator.requests.length;
    expect((await herald('announce')).code).toBe(0);
    expect(emulator.requests.length).toBe(requestsBefore);

    // 3. The cause fixed (the section that exists), a new date: the rest goes out, nothing twice.
    setGuidesSection(repo, 204);
    expect((await herald('schedule', '2.0.0', '--now')).code).toBe(0);
    const finished = await herald('announce');
    expect(finished.code, finished.stderr).toBe(0);
    const done = JSON.parse((await herald('status', '2.0.0', '--json')).stdout);
    expect(done.status).toBe('announced');
    expect(notesArticles()).toHaveLength(1);
    const guides = emulator.articles().filter((a) => a.section_id === 204 && !a.archived);
    expect(guides.length).toBe(new Set(guides.map((a) => a.title)).size);
    expect(guides.length).toBeGreaterThan(0);
    const slackPosts = readdirSync(path.join(repo, '.herald', 'outbox', 'slack', 'C0RELEASES')).filter((f) =>
      f.endsWith('.json'),
    );
    expect(slackPosts).toHaveLength(1);
    const mails = readdirSync(path.join(repo, '.herald', 'outbox', 'email')).filter((f) =>
      f.endsWith('.eml'),
    );
    expect(mails).toHaveLength(1);
    const log = (await herald('log', '2.0.0')).stdout;
    expect(log).toMatch(/hold/);
  });

  it('cancels a release before anything went out, and refuses to hold one that is all out', async () => {
    const repo = buildSampleRepo(path.join(dir, 'acme-cancel'));
    const herald = (...args: string[]) => runCli(args, { cwd: repo, env: env() });
    setGuidesSection(repo, 204);
    expect((await herald('prepare', '--release-version', '2.0.0')).code).toBe(0);
    expect((await herald('schedule', '2.0.0', '--at', '2099-01-01 09:00', '--tz', 'UTC')).code).toBe(0);
    const cancelled = await herald('cancel', '2.0.0');
    expect(cancelled.code).toBe(0);
    expect(cancelled.stderr).not.toContain('went out');
    expect((await herald('schedule', '2.0.0', '--now')).code).toBe(0);
    expect((await herald('announce')).code).toBe(0);
    const refused = await herald('hold', '2.0.0');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Every delivery has gone out');
  });
});
