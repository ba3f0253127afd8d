import { describe, expect, it } from 'vitest';
import { foldHistory, type HistoryEntry } from '../../src/core/fold-history.js';
import { createCommitParser } from '../../src/core/parse-commit.js';

const parse = createCommitParser({ skipMarkers: ['[skip changelog]'], keyPatterns: [] });
let counter = 0;
// Hex hashes, as git writes them, derived from readable names.
const h = (name: string) => Buffer.from(name).toString('hex').padEnd(40, '0').slice(0, 40);
function entry(name: string, message: string, parents: string[]): HistoryEntry {
  counter++;
  return {
    change: parse({
      hash: h(name),
      parents: parents.map(h),
      authorName: `A${counter}`,
      authorEmail: `a${counter}@x`,
      authorDate: '',
      committerDate: '',
      message,
    }),
    parents: parents.map(h),
  };
}

describe('foldHistory', () => {
  it('cancels a commit and its revert when both are in range', () => {
    const entries = [
      entry('c3', `Revert "feat: b"\n\nThis reverts commit ${h('c2')}.`, ['c2']),
      entry('c2', 'feat: b', ['c1']),
      entry('c1', 'fix: a', []),
    ];
    const result = foldHistory(entries, h('c3'));
    expect(result.changes.map((c) => c.subject)).toEqual(['a']);
  });

  it('restores the original when a revert is itself reverted', () => {
    const entries = [
      entry('r2', `Revert "Revert "feat: b""\n\nThis reverts commit ${h('r1')}.`, ['r1']),
      entry('r1', `Revert "feat: b"\n\nThis reverts commit ${h('c2')}.`, ['c2']),
      entry('c2', 'feat: b', []),
    ];
    expect(foldHistory(entries, h('r2')).changes.map((c) => c.subject)).toEqual(['b']);
  });

  it('keeps a revert of a commit from an earlier release', () => {
    const entries = [
      entry('r1', `Revert "feat: old"\n\nThis reverts commit ${h('zz')}.`, ['c1']),
      entry('c1', 'fix: a', []),
    ];
    const changes = foldHistory(entries, h('r1')).changes;
    expect(changes.map((c) => c.type)).toEqual(['revert', 'fix']);
  });

  it('folds a PR merged with a conventional title into one change', () => {
    // main: m1 -- M ; branch: b1 -- b2 off m1
    const entries = [
      entry('M', 'Merge pull request #7 from acme/x\n\nfeat: widgets', ['m1', 'b2']),
      entry('b2', 'fix: polish\n\nBREAKING CHANGE: widget API changed', ['b1']),
      entry('b1', 'wip', ['m1']),
      entry('m1', 'fix: base', []),
    ];
    const { changes } = foldHistory(entries, h('M'));
    expect(changes.map((c) => c.subject)).toEqual(['widgets', 'base']);
    expect(changes[0]!.pullRequest).toBe('7');
    expect(changes[0]!.includes).toEqual([h('b2'), h('b1')]);
    expect(changes[0]!.breaking).toEqual(['widget API changed']);
    expect(changes[0]!.authors.length).toBe(3);
  });

  it('keeps branch commits of a PR merged with a plain title, linked to the PR', () => {
    const entries = [
      entry('M', 'Merge pull request #8 from acme/y\n\nSome work', ['m1', 'b1']),
      entry('b1', 'feat: thing', ['m1']),
      entry('m1', 'fix: base', []),
    ];
    const { changes } = foldHistory(entries, h('M'));
    expect(changes.map((c) => [c.subject, c.pullRequest])).toEqual([
      ['thing', '8'],
      ['base', null],
    ]);
  });

  it('cancels a whole PR when its merge is reverted', () => {
    const entries = [
      entry('R', `Revert "Merge pull request #8 from acme/y"\n\nThis reverts commit ${h('M')}.`, ['M']),
      entry('M', 'Merge pull request #8 from acme/y\n\nSome work', ['m1', 'b1']),
      entry('b1', 'feat: thing', ['m1']),
      entry('m1', 'fix: base', []),
    ];
    expect(foldHistory(entries, h('R')).changes.map((c) => c.subject)).toEqual(['base']);
  });

  it('drops skipped commits and counts them', () => {
    const result = foldHistory(
      [entry('a', 'fix: x [skip changelog]', ['b']), entry('b', 'fix: y', [])],
      h('a'),
    );
    expect(result.changes.map((c) => c.subject)).toEqual(['y']);
    expect(result.skipped).toBe(1);
  });

  it('stays linear: 100,000 commits with 50,000 reverts fold quickly', () => {
    const entries: HistoryEntry[] = [];
    for (let i = 100_000; i > 0; i--) {
      const parent = i > 1 ? [`n${i - 1}`] : [];
      entries.push(
        i % 2 === 0
          ? entry(`n${i}`, `Revert "feat: f${i - 1}"\n\nThis reverts commit ${h(`n${i - 1}`)}.`, parent)
          : entry(`n${i}`, `feat: f${i}`, parent),
      );
    }
    // Matching reverts by scanning would be 10^10 steps and time out; lookups make it instant.
    const result = foldHistory(entries, h('n100000'));
    expect(result.changes).toEqual([]);
  });
});
