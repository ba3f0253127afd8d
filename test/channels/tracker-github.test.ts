import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import { createGitHubTracker } from '../../src/adapters/tracker-github.js';
import { createTrackerChannel, type TrackerSettings } from '../../src/channels/trackers/index.js';
import type { StorePort } from '../../src/ports/index.js';
import { announce } from '../../src/stages/announce.js';
import { type GitHubEmulator, type GitHubSeed, startGitHubEmulator } from '../emulators/github.js';
import { entryReferencing, prepareReferencing } from '../helpers/tracker-bundles.js';

const TOKEN = 'ghp_test_token';
const settings: TrackerSettings = {
  selection: { tracker: 'github', audiences: ['customer'], repository: 'acme/app', home: true, projects: [] },
  comment: (bundle, url) => `Released in ${bundle.product} ${bundle.version} — ${url || 'see the notes'}`,
  labels: (bundle) => ['released', `released:${bundle.version}`],
  skipLabels: ['no-herald'],
  transition: null,
  release: { audience: 'customer', updateExisting: false, latest: true },
};
const seeds: GitHubSeed[] = [
  { number: 1, title: 'Export breaks' },
  { number: 2, title: 'Totals wrong' },
  { number: 3, title: 'Slow page' },
  { number: 10, title: 'Fix export', pull: true },
  { number: 4, title: 'Internal only' },
];
/** Three issues and the PR that closed two of them, in the customer's notes; #4 only in the internal ones. */
const entries = {
  customer: [
    entryReferencing('Export works again', '#10', ['#1', '#2']),
    entryReferencing('Totals add up', null, ['#3', 'other/repo#9']),
  ],
  internal: [entryReferencing('Cache warmed', null, ['#4'])],
};

let dir: string;
let store: StorePort;
let github: GitHubEmulator;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-tracker-github-'));
  store = await openSqliteStore(path.join(dir, 'state.db'));
});
afterEach(async () => {
  await store.close();
  await github?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(overrides: Partial<TrackerSettings> = {}, maxWaitMs = 20_000) {
  const port = createGitHubTracker({
    repository: 'acme/app',
    apiUrl: github.url,
    token: TOKEN,
    tokenVariable: 'GITHUB_TOKEN',
    writeIntervalMs: 0,
    timeoutMs: 5000,
  });
  const channel = createTrackerChannel(port, store, { ...settings, ...overrides }, null);
  return announce({
    store,
    channels: [channel],
    owner: `run-${Math.random()}`,
    actor: 'tester',
    dryRun: false,
    maxWaitMs,
  });
}

const commentsOn = (n: number) => github.comments.filter((c) => c.issue === n);

describe('GitHub as an announce target', () => {
  it('comments once on each issue and pull request the customer notes reference, labels them and makes the release page', async () => {
    github = await startGitHubEmulator({ token: TOKEN, issues: seeds });
    await prepareReferencing(store, '2.0.0', entries);
    const report = await run();
    expect(report.failures).toEqual([]);
    for (const n of [1, 2, 3, 10]) {
      expect(commentsOn(n)).toHaveLength(1);
      expect(commentsOn(n)[0]?.body).toMatch(
        /^Released in Acme 2\.0\.0 — see the notes\n\n<!-- herald:[0-9a-f]{32} -->$/,
      );
      expect(github.labelsOf(n)).toEqual(['released', 'released:2.0.0']);
    }
    // The internal audience's items and other repositories' are not this channel's.
    expect(commentsOn(4)).toEqual([]);
    expect(github.comments).toHaveLength(4);
    expect(github.releases).toEqual([
      expect.objectContaining({ tag_name: 'v2.0.0', name: 'Acme 2.0.0', make_latest: 'true' }),
    ]);
    expect(github.releases[0]?.body).toContain('Export works again');

    // A second run finds everything done and writes nothing.
    const before = github.writes().length;
    await run();
    expect(github.writes()).toHaveLength(before);
  });

  it('makes no call at all to GitHub for a release whose announce time has not come', async () => {
    github = await startGitHubEmulator({ token: TOKEN, issues: seeds });
    await prepareReferencing(store, '2.0.0', entries, { at: (await store.now()) + 3_600_000, zone: 'UTC' });
    const report = await run();
    expect(report.planned).toEqual([]);
    expect(github.requests).toEqual([]);
  });

  it('includes the internal audience when configured, and skips items with a skip label', async () => {
    github = await startGitHubEmulator({
      token: TOKEN,
      issues: seeds.map((s) => (s.number === 2 ? { ...s, labels: ['no-herald'] } : s)),
    });
    await prepareReferencing(store, '2.0.0', entries);
    const report = await run({ selection: { ...settings.selection, audiences: ['customer', 'internal'] } });
    expect(report.failures).toEqual([]);
    expect(github.comments.map((c) => c.issue).sort((a, b) => a - b)).toEqual([1, 3, 4, 10]);
    expect(github.labelsOf(2)).toEqual(['no-herald']);
    expect(report.results['tracker:github']?.skipped).toBe(2);
  });

  it('fails a locked issue alone with GitHub’s reason; the others get their comment', async () => {
    github = await startGitHubEmulator({
      token: TOKEN,
      issues: seeds.map((s) => (s.number === 2 ? { ...s, locked: true } : s)),
    });
    await prepareReferencing(store, '2.0.0', entries);
    const report = await run();
    expect(report.failures.map((f) => [f.key, f.message])).toEqual([
      ['comment:issue:2', expect.stringContaining('locked')],
      ['label:issue:2', expect.stringContaining('locked')],
    ]);
    expect(github.comments.map((c) => c.issue).sort((a, b) => a - b)).toEqual([1, 3, 10]);
  });

  it('fails an item GitHub does not have alone, with its 404', async () => {
    github = await startGitHubEmulator({ token: TOKEN, issues: seeds.filter((s) => s.number !== 3) });
    await prepareReferencing(store, '2.0.0', entries);
    const report = await run({ labels: () => [] });
    expect(report.failures).toEqual([
      expect.objectContaining({ key: 'comment:issue:3', message: expect.stringContaining('404 Not Found') }),
    ]);
    expect(github.comments.map((c) => c.issue).sort((a, b) => a - b)).toEqual([1, 2, 10]);
  });

  it('finds a comment whose answer was lost by its marker (across pages) instead of posting it again', async () => {
    github = await startGitHubEmulator({ token: TOKEN, issues: seeds, defaultPerPage: 1 });
    await prepareReferencing(store, '2.0.0', { customer: [entryReferencing('x', null, ['#1'])] });
    // Someone else commented first: the marker is looked for past the first page.
    github.comments.push({ id: 999, issue: 1, body: 'Thanks!' }, { id: 998, issue: 1, body: 'Me too' });
    // GitHub takes the comment and the connection drops before the answer arrives.
    github.failNext(1, 'reset-after', 'POST');
    const report = await run({ labels: () => [], release: null });
    expect(report.failures).toEqual([]);
    expect(commentsOn(1).filter((c) => c.body.includes('herald:'))).toHaveLength(1);
    expect(report.results['tracker:github']).toMatchObject({ reconciled: 1, sent: 0 });
  });

  it('after a 5xx on the comment, looks for it before posting again; a secondary limit with Retry-After is waited out', async () => {
    github = await startGitHubEmulator({ token: TOKEN, issues: seeds });
    await prepareReferencing(store, '2.0.0', { customer: [entryReferencing('x', null, ['#1', '#2'])] });
    github.failNext(1, 502, 'POST');
    github.failNext(1, 429, 'POST');
    const report = await run({ labels: () => [], release: null }, 90_000);
    expect(report.failures).toEqual([]);
    expect(commentsOn(1)).toHaveLength(1);
    expect(commentsOn(2)).toHaveLength(1);
    // The retry after the 502 listed the comments first (the 502 may have come after the write).
    const afterFault = github.requests.slice(github.requests.findIndex((r) => r.status === 502) + 1);
    expect(afterFault.find((r) => r.url.includes('/issues/1/comments'))?.method).toBe('GET');
  });

  it('leaves a release page made by someone else alone unless updateExisting is set', async () => {
    github = await startGitHubEmulator({ token: TOKEN, issues: seeds });
    github.addRelease({ tag_name: 'v2.0.0', name: 'v2.0.0', body: 'by semantic-release' });
    await prepareReferencing(store, '2.0.0', {
      customer: [entryReferencing('Export works again', null, [])],
    });
    await run();
    expect(github.releases.map((r) => r.body)).toEqual(['by semantic-release']);
    await prepareReferencing(store, '2.0.1', {
      customer: [entryReferencing('Export works again', null, [])],
    });
    github.addRelease({ tag_name: 'v2.0.1', name: 'v2.0.1', body: 'by semantic-release' });
    await run({ release: { audience: 'customer', updateExisting: true, latest: false } });
    expect(github.releases.map((r) => r.body)).toEqual(['by semantic-release', '- Export works again']);
  });

  it('adopts the release page an attempt made before its 500, instead of calling it someone else’s', async () => {
    github = await startGitHubEmulator({ token: TOKEN, issues: seeds });
    await prepareReferencing(store, '2.0.0', {
      customer: [entryReferencing('Export works again', null, [])],
    });
    github.failNext(1, '500-after', 'POST');
    const report = await run();
    expect(report.failures).toEqual([]);
    expect(github.releases).toHaveLength(1);
    expect(report.results['tracker:github']).toMatchObject({ sent: 1, skipped: 0 });
  });
});
