import { describe, expect, it } from 'vitest';
import { createCommitParser, MAX_HEADER_CHARS } from '../../src/core/parse-commit.js';
import type { RawCommit } from '../../src/model/index.js';

const parse = createCommitParser({ skipMarkers: ['[skip changelog]'], keyPatterns: ['PROJ-\\d+'] });
const raw = (message: string, extra: Partial<RawCommit> = {}): RawCommit => ({
  hash: 'a'.repeat(40),
  parents: ['b'.repeat(40)],
  authorName: 'Ada',
  authorEmail: 'ada@example.com',
  authorDate: '2026-01-01T10:00:00+00:00',
  committerDate: '2026-01-01T10:00:00+00:00',
  message,
  ...extra,
});

describe('parseCommit', () => {
  it('reads type, scope and subject', () => {
    const change = parse(raw('feat(api): add embargo support\n\nBody text.\n'));
    expect(change).toMatchObject({
      type: 'feat',
      scope: 'api',
      subject: 'add embargo support',
      breaking: [],
      body: 'Body text.',
    });
  });

  it('treats feat! and fix(scope)! as breaking, using the subject as the note', () => {
    expect(parse(raw('feat!: drop Node 18')).breaking).toEqual(['drop Node 18']);
    expect(parse(raw('fix(api)!: rename field')).breaking).toEqual(['rename field']);
    expect(parse(raw('fix(api)!: rename field')).scope).toBe('api');
  });

  it('reads BREAKING CHANGE and BREAKING-CHANGE footers, multi-line', () => {
    const change = parse(
      raw(
        'feat: x\n\nSome body.\n\nBREAKING CHANGE: `publishAt` is now required.\nMigrate by adding it.\nCloses #12',
      ),
    );
    expect(change.breaking).toEqual(['`publishAt` is now required.\nMigrate by adding it.']);
    expect(parse(raw('fix: y\n\nBREAKING-CHANGE: the old flag is gone')).breaking).toEqual([
      'the old flag is gone',
    ]);
  });

  it('keeps non-conventional commits with type null and the header as subject', () => {
    const change = parse(raw('Update README'));
    expect(change.type).toBeNull();
    expect(change.subject).toBe('Update README');
  });

  it('recognises GitHub merge commits and takes the PR title as the header', () => {
    const change = parse(
      raw('Merge pull request #12 from acme/feature\n\nfeat: add widgets', { parents: ['p1', 'p2'] }),
    );
    expect(change.merge).toEqual({ provider: 'github', id: '12', source: 'acme/feature' });
    expect(change.pullRequest).toBe('12');
    expect(change).toMatchObject({ type: 'feat', subject: 'add widgets' });
  });

  it('recognises GitLab merge commits and their merge request number', () => {
    const change = parse(
      raw("Merge branch 'feature' into 'main'\n\nfix: handle nulls\n\nSee merge request group/proj!34", {
        parents: ['p1', 'p2'],
      }),
    );
    expect(change.merge?.provider).toBe('gitlab');
    expect(change.pullRequest).toBe('34');
    expect(change.type).toBe('fix');
  });

  it('gives a merge with a non-conventional title no type', () => {
    const change = parse(raw('Merge pull request #3 from acme/x\n\nAdd stuff', { parents: ['p1', 'p2'] }));
    expect(change.type).toBeNull();
    expect(change.merge).not.toBeNull();
  });

  it('takes the PR number from a squash subject and strips it', () => {
    const change = parse(raw('fix(ui): align buttons (#123)'));
    expect(change.pullRequest).toBe('123');
    expect(change.subject).toBe('align buttons');
    expect(change.references).toEqual([]);
  });

  it('reads closing references from footers, cross-repo references and tracker keys', () => {
    const change = parse(
      raw(
        'fix: crash on start\n\nThe app crashed (see #9 for context).\n\nCloses #45, fixes org/repo#34\nFixes PROJ-7',
      ),
    );
    expect(change.references).toEqual(
      expect.arrayContaining([
        { prefix: '#', id: '45', repository: null, action: 'closes' },
        { prefix: '#', id: '34', repository: 'org/repo', action: 'fixes' },
        { prefix: 'PROJ-', id: 'PROJ-7', repository: null, action: 'fixes' },
      ]),
    );
    // A plain mention in the body prose is not a link the notes show.
    expect(change.references.find((r) => r.id === '9')).toBeUndefined();
  });

  it('uses a Release-Note trailer, an Audience trailer and co-authors', () => {
    const change = parse(
      raw(
        'feat: internal refactor of x\n\nRelease-Note: Exports are now twice as fast.\nAudience: internal\nCo-authored-by: Grace Hopper <grace@example.com>',
      ),
    );
    expect(change.releaseNote).toBe('Exports are now twice as fast.');
    expect(change.labels).toEqual(['audience:internal']);
    expect(change.authors.map((a) => a.name)).toEqual(['Ada', 'Grace Hopper']);
    expect(change.trailers['co-authored-by']).toEqual(['Grace Hopper <grace@example.com>']);
  });

  it('marks [skip changelog] and "Release-Note: none" as skipped', () => {
    expect(parse(raw('chore: bump deps [skip changelog]')).skip).toBe(true);
    expect(parse(raw('fix: x\n\nRelease-Note: none')).skip).toBe(true);
    expect(parse(raw('fix: x')).skip).toBe(false);
  });

  it('reads git revert commits and their target', () => {
    const target = 'c'.repeat(40);
    const change = parse(raw(`Revert "feat: add widgets"\n\nThis reverts commit ${target}.`));
    expect(change.type).toBe('revert');
    expect(change.revert).toEqual({ hash: target, header: 'feat: add widgets' });
  });

  it('handles CRLF, control characters, empty messages', () => {
    expect(parse(raw('fix: a\r\n\r\nBREAKING CHANGE: b\r\n')).breaking).toEqual(['b']);
    expect(parse(raw('feat: bell\u0007 and null\u0000')).subject).toBe('bell and null');
    const empty = parse(raw(''));
    expect(empty.type).toBeNull();
    expect(empty.subject).toBe('');
  });

  it('parses a 10 MB message in linear time, cutting what it shows', () => {
    const huge = `fix: x ${'a'.repeat(10 * 1024 * 1024)}\n\n${'b '.repeat(100_000)}\n\nCloses #1`;
    // A quadratic scan would take hours here and hit the test timeout; linear code takes milliseconds.
    const change = parse(raw(huge));
    expect(change.header.length).toBeLessThanOrEqual(MAX_HEADER_CHARS + 1);
    expect(change.references).toEqual([{ prefix: '#', id: '1', repository: null, action: 'closes' }]);
    const long = parse(raw(`feat: y\n\n${'word #1 '.repeat(200_000)}`));
    expect(long.type).toBe('feat');
  });
});
