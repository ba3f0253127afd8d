import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import { createGitLabTracker } from '../../src/adapters/tracker-gitlab.js';
import { createTrackerChannel, type TrackerSettings } from '../../src/channels/trackers/index.js';
import type { StorePort } from '../../src/ports/index.js';
import { announce } from '../../src/stages/announce.js';
import { type GitLabEmulator, startGitLabEmulator } from '../emulators/gitlab.js';
import { entryReferencing, prepareReferencing } from '../helpers/tracker-bundles.js';

const TOKEN = 'glpat-test';
const PROJECT = 'group/sub/project';
const settings: TrackerSettings = {
  selection: { tracker: 'gitlab', audiences: ['customer'], repository: PROJECT, home: true, projects: [] },
  comment: (bundle, url) => `Released in ${bundle.product} ${bundle.version} — ${url || 'see the notes'}`,
  labels: (bundle) => ['released', `released:${bundle.version}`],
  skipLabels: ['no-herald'],
  transition: null,
  release: { audience: 'customer', updateExisting: false, latest: false },
};
/** Merge request !5 closed issues #1 and #2. */
const entries = { customer: [entryReferencing('Export works again', '#5', ['#1', '#2'])] };

let dir: string;
let store: StorePort;
let gitlab: GitLabEmulator;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-tracker-gitlab-'));
  store = await openSqliteStore(path.join(dir, 'state.db'));
  gitlab = await startGitLabEmulator({
    token: TOKEN,
    project: PROJECT,
    pageSize: 1,
    issues: [
      { iid: 1, title: 'Export breaks' },
      { iid: 2, title: 'Totals wrong' },
      { iid: 3, title: 'Locked', locked: true },
    ],
    mergeRequests: [{ iid: 5, title: 'Fix export' }],
  });
});
afterEach(async () => {
  await store.close();
  await gitlab.close();
  rmSync(dir, { recursive: true, force: true });
});

const port = () =>
  createGitLabTracker({
    project: PROJECT,
    host: gitlab.url,
    token: TOKEN,
    tokenVariable: 'GITLAB_TOKEN',
    timeoutMs: 5000,
  });
const run = (overrides: Partial<TrackerSettings> = {}) =>
  announce({
    store,
    channels: [createTrackerChannel(port(), store, { ...settings, ...overrides }, null)],
    owner: `run-${Math.random()}`,
    actor: 'tester',
    dryRun: false,
    maxWaitMs: 30_000,
  });
const ours = (kind: 'issues' | 'merge_requests', iid: number) =>
  gitlab.notes.filter((n) => n.kind === kind && n.iid === iid && n.body.includes('herald:'));

describe('GitLab as an announce target', () => {
  it('notes once on each issue and merge request, labels them and makes the release', async () => {
    await prepareReferencing(store, '2.0.0', entries);
    const report = await run();
    expect(report.failures).toEqual([]);
    for (const [kind, iid] of [
      ['issues', 1],
      ['issues', 2],
      ['merge_requests', 5],
    ] as const) {
      expect(ours(kind, iid)).toHaveLength(1);
      expect(gitlab.labelsOf(kind, iid)).toEqual(['released', 'released:2.0.0']);
    }
    expect(gitlab.releases).toEqual([
      { tag_name: 'v2.0.0', name: 'Acme 2.0.0', description: '- Export works again' },
    ]);
    // Labels are sent as GitLab's comma-separated add_labels.
    expect(gitlab.requests.some((r) => r.method === 'PUT' && r.url.endsWith('/merge_requests/5'))).toBe(true);
  });

  it('never lets the client post a note again after a 502 or a 429: the engine looks for it first', async () => {
    await prepareReferencing(store, '2.0.0', { customer: [entryReferencing('x', null, ['#1'])] });
    gitlab.failNext(1, 502, 'POST');
    gitlab.failNext(1, '429-bare', 'POST');
    gitlab.failNext(1, 'reset-after', 'POST');
    const report = await run({ labels: () => [], release: null });
    expect(report.failures).toEqual([]);
    expect(ours('issues', 1)).toHaveLength(1);
    // One POST per attempt: 502, 429, the lost answer; then the reconcile found it.
    expect(gitlab.writes().map((r) => r.fault ?? r.status)).toEqual([502, '429-bare', 'reset-after']);
  });

  it('fails a locked discussion alone; the others get their note', async () => {
    await prepareReferencing(store, '2.0.0', { customer: [entryReferencing('x', null, ['#3', '#1'])] });
    const report = await run({ labels: () => [], release: null });
    expect(report.failures.map((f) => [f.key, f.message])).toEqual([
      ['comment:issue:3', 'GitLab group/sub/project #3: the discussion is locked'],
    ]);
    expect(ours('issues', 1)).toHaveLength(1);
  });

  it('doctor reads the token’s scopes from /personal_access_tokens/self', async () => {
    expect(await port().verify()).toEqual([
      expect.objectContaining({ ok: true, detail: 'GITLAB_TOKEN is active with the scopes api' }),
    ]);
    const wrong = createGitLabTracker({
      project: PROJECT,
      host: gitlab.url,
      token: 'nope',
      tokenVariable: 'GITLAB_TOKEN',
    });
    expect(await wrong.verify()).toEqual([
      expect.objectContaining({ ok: false, fix: expect.stringContaining('GITLAB_TOKEN') }),
    ]);
  });
});
