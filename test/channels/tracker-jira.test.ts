import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import { createJiraTracker } from '../../src/adapters/tracker-jira.js';
import { createTrackerChannel, type TrackerSettings } from '../../src/channels/trackers/index.js';
import { commentToAdf } from '../../src/core/tracker-adf.js';
import type { StorePort } from '../../src/ports/index.js';
import { announce } from '../../src/stages/announce.js';
import { type JiraEmulator, startJiraEmulator } from '../emulators/jira.js';
import { entryReferencing, prepareReferencing } from '../helpers/tracker-bundles.js';

const EMAIL = 'bot@acme.test';
const TOKEN = 'jira-api-token';
const settings: TrackerSettings = {
  selection: { tracker: 'jira', audiences: ['customer'], repository: null, home: false, projects: ['PROJ'] },
  comment: (bundle) =>
    `Released in ${bundle.product} ${bundle.version} — https://help.acme.test/notes/${bundle.version}.`,
  labels: () => ['released'],
  skipLabels: ['no-herald'],
  transition: 'Released',
  release: null,
};

let dir: string;
let store: StorePort;
let jira: JiraEmulator;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-tracker-jira-'));
  store = await openSqliteStore(path.join(dir, 'state.db'));
  jira = await startJiraEmulator({
    email: EMAIL,
    apiToken: TOKEN,
    pageSize: 1,
    issues: [{ key: 'PROJ-7' }, { key: 'PROJ-8', status: 'In Progress' }, { key: 'PROJ-9', hidden: true }],
  });
});
afterEach(async () => {
  await store.close();
  await jira.close();
  rmSync(dir, { recursive: true, force: true });
});

const port = (apiToken = TOKEN) =>
  createJiraTracker({
    url: jira.url,
    email: EMAIL,
    apiToken,
    variables: 'JIRA_EMAIL and JIRA_API_TOKEN',
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

describe('Jira as an announce target', () => {
  it('comments in ADF once per key, labels it and moves it through the transition looked up by name', async () => {
    await prepareReferencing(store, '2.0.0', {
      customer: [entryReferencing('x', null, ['PROJ-7', 'PROJ-8', 'OPS-1'])],
    });
    const report = await run();
    // PROJ-8 is still in progress: "Released" is not offered there, so it is skipped, not failed.
    expect(report.failures).toEqual([]);
    expect(jira.comments.map((c) => c.key)).toEqual(['PROJ-7', 'PROJ-8']);
    expect(jira.comments[0]?.body).toEqual({
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Released in Acme 2.0.0 — ' },
            {
              type: 'text',
              text: 'https://help.acme.test/notes/2.0.0',
              marks: [{ type: 'link', attrs: { href: 'https://help.acme.test/notes/2.0.0' } }],
            },
            { type: 'text', text: '.' },
          ],
        },
      ],
    });
    expect(jira.labelsOf('PROJ-7')).toEqual(['released']);
    expect(jira.statusOf('PROJ-7')).toBe('Released');
    // The id was looked up ("Released" is 31 in this workflow), never its name sent.
    expect(jira.transitions).toEqual([{ key: 'PROJ-7', id: '31' }]);
    expect(jira.statusOf('PROJ-8')).toBe('In Progress');
    expect(report.results['tracker:jira']?.skipped).toBe(1);
  });

  it('finds a comment whose answer was lost by its property, among several pages', async () => {
    await prepareReferencing(store, '2.0.0', { customer: [entryReferencing('x', null, ['PROJ-7'])] });
    jira.comments.push({
      id: '1',
      key: 'PROJ-7',
      author: 'someone',
      body: commentToAdf('Thanks'),
      properties: [],
    });
    jira.failNext(1, 'reset-after', 'POST');
    jira.failNext(1, '429-bare', 'GET');
    const report = await run({ labels: () => [], transition: null });
    expect(report.failures).toEqual([]);
    expect(jira.comments.filter((c) => c.author !== 'someone')).toHaveLength(1);
    expect(report.results['tracker:jira']?.reconciled).toBe(1);
  });

  it('fails a key Jira will not show alone, with Jira’s words', async () => {
    await prepareReferencing(store, '2.0.0', {
      customer: [entryReferencing('x', null, ['PROJ-9', 'PROJ-7'])],
    });
    const report = await run({ labels: () => [], transition: null });
    expect(report.failures).toEqual([
      expect.objectContaining({
        key: 'comment:issue:PROJ-9',
        message: 'Jira PROJ-9: 404 Issue does not exist or you do not have permission to see it.',
      }),
    ]);
    expect(jira.comments.map((c) => c.key)).toEqual(['PROJ-7']);
  });

  it('doctor signs in with GET /rest/api/3/myself', async () => {
    expect(await port().verify()).toEqual([
      expect.objectContaining({ ok: true, detail: expect.stringContaining('Herald') }),
    ]);
    expect(await port('wrong').verify()).toEqual([
      expect.objectContaining({ ok: false, fix: expect.stringContaining('JIRA_API_TOKEN') }),
    ]);
  });
});

describe('commentToAdf', () => {
  it('makes paragraphs and links and reads nothing as markup', () => {
    expect(commentToAdf('<b>hi</b> [x](http://a.test)\n\nsecond').content).toEqual([
      {
        type: 'paragraph',
        content: [
          { type: 'text', text: '<b>hi</b> [x](' },
          {
            type: 'text',
            text: 'http://a.test',
            marks: [{ type: 'link', attrs: { href: 'http://a.test' } }],
          },
          { type: 'text', text: ')' },
        ],
      },
      { type: 'paragraph', content: [{ type: 'text', text: 'second' }] },
    ]);
  });
});
