import { describe, expect, it } from 'vitest';
import { type TrackerOp, trackerKeys } from '../../src/core/delivery-ops/index.js';
import { selectTrackerItems, type TrackerSelection } from '../../src/core/tracker-items.js';
import { makeBundle } from '../helpers/bundles.js';
import { entryReferencing } from '../helpers/tracker-bundles.js';

const fixture: [string, TrackerOp][] = [
  ['comment:issue:12', { kind: 'comment', item: { kind: 'issue', id: '12' } }],
  ['comment:pull:7', { kind: 'comment', item: { kind: 'pull', id: '7' } }],
  ['label:issue:PROJ-7', { kind: 'label', item: { kind: 'issue', id: 'PROJ-7' } }],
  ['transition:issue:PROJ-7', { kind: 'transition', item: { kind: 'issue', id: 'PROJ-7' } }],
  ['release:v2.4.0', { kind: 'release', tag: 'v2.4.0' }],
  ['release:@acme/api@2.4.0', { kind: 'release', tag: '@acme/api@2.4.0' }],
];

describe('tracker ledger keys', () => {
  it.each(fixture)('%s reads as its operation and formats back to the same key', (key, op) => {
    expect(trackerKeys.parse(key)).toEqual(op);
    expect(trackerKeys.format(op)).toBe(key);
  });

  it.each([
    'comment:issue',
    'comment:merge:3',
    'comment:issue:3:4',
    'post:issue:3',
    'release:',
    'release:a:b',
    'comment:issue:a b',
    'post:message',
  ])('%s is not a tracker key', (key) => {
    expect(trackerKeys.parse(key)).toBeNull();
  });
});

describe('selectTrackerItems', () => {
  const bundle = makeBundle('2.0.0');
  const model = bundle.notes.customer!.model;
  const withEntries = {
    ...bundle,
    notes: {
      customer: {
        ...bundle.notes.customer!,
        model: {
          ...model,
          sections: [
            {
              type: 'fix',
              title: 'Fixes',
              components: [],
              entries: [
                entryReferencing('a', '#10', ['#1', 'PROJ-7', 'acme/app#3', 'other/x#4', 'OPS-2']),
                entryReferencing('b', null, ['#10', '#1', 'PROJ-7']),
              ],
            },
          ],
        },
      },
    },
  };
  const code: TrackerSelection = {
    tracker: 'github',
    audiences: ['customer'],
    repository: 'acme/app',
    home: true,
    projects: [],
  };

  it('takes each pull request and issue of its repository once, bare numbers only when it is the home host', () => {
    expect(selectTrackerItems(withEntries, code)).toEqual([
      { kind: 'pull', id: '10' },
      { kind: 'issue', id: '1' },
      { kind: 'issue', id: '3' },
    ]);
    expect(selectTrackerItems(withEntries, { ...code, home: false })).toEqual([{ kind: 'issue', id: '3' }]);
  });

  it('takes Jira keys of the configured projects (all keys when none are named)', () => {
    const jira = { ...code, tracker: 'jira' as const, repository: null, home: false };
    expect(selectTrackerItems(withEntries, { ...jira, projects: ['PROJ'] })).toEqual([
      { kind: 'issue', id: 'PROJ-7' },
    ]);
    expect(selectTrackerItems(withEntries, jira).map((i) => i.id)).toEqual(['PROJ-7', 'OPS-2']);
  });

  it('reads only the configured audiences', () => {
    expect(selectTrackerItems(withEntries, { ...code, audiences: ['internal'] })).toEqual([]);
  });
});
