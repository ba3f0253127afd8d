import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGitLabIssueTracker,
  type GitLabIssueTrackerOptions,
} from '../../src/adapters/issue-tracker-gitlab.js';
import {
  type GitLabEmulator,
  type GitLabEmulatorOptions,
  type GitLabSeed,
  startGitLabEmulator,
} from '../emulators/gitlab.js';

const PROJECT_PATH = '/api/v4/projects/group%2Fsub%2Fproject';

const mergeRequests: GitLabSeed[] = [
  {
    iid: 1,
    title: 'feat: add search',
    labels: ['feature', 'frontend'],
    author: 'alice',
    description: 'Adds search.\n\n## Release note\nSearch the whole catalogue.\n\n## Checklist\n- [x] tests',
  },
  {
    iid: 3,
    title: 'fix: shared number (MR)',
    labels: ['bug'],
    author: 'carol',
    description: '## Release note\nN/A',
  },
];
const issues: GitLabSeed[] = [
  {
    iid: 2,
    title: 'Search is slow',
    labels: ['bug'],
    author: 'bob',
    description: '## Release note\nnot for issues',
  },
  { iid: 3, title: 'shared number (issue)', author: 'dave' },
];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function emulate(options: GitLabEmulatorOptions = {}): Promise<GitLabEmulator> {
  const emulator = await startGitLabEmulator({ mergeRequests, issues, ...options });
  cleanups.push(() => emulator.close());
  return emulator;
}

function tracker(emulator: GitLabEmulator, options: Partial<GitLabIssueTrackerOptions> = {}) {
  return createGitLabIssueTracker({ project: 'group/sub/project', apiUrl: emulator.url, ...options });
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'herald-gitlab-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The list endpoint and the iids a logged request asked for. */
function describeRequest(url: string): { endpoint: string; iids: number[] } {
  const parsed = new URL(url, 'http://emulator');
  return { endpoint: parsed.pathname, iids: parsed.searchParams.getAll('iids[]').map(Number) };
}

describe('createGitLabIssueTracker', () => {
  it('maps merge requests and issues; a merge request wins a shared number', async () => {
    const emulator = await emulate();
    const result = await tracker(emulator).lookup({ ids: ['1', '2', '3'] });
    expect(result.warnings).toEqual([]);
    expect(result.issues).toEqual([
      {
        id: '1',
        kind: 'pull',
        title: 'feat: add search',
        labels: ['feature', 'frontend'],
        author: 'alice',
        url: 'https://gitlab.example.com/group/sub/project/-/merge_requests/1',
        releaseNote: 'Search the whole catalogue.',
      },
      {
        id: '2',
        kind: 'issue',
        title: 'Search is slow',
        labels: ['bug'],
        author: 'bob',
        url: 'https://gitlab.example.com/group/sub/project/-/issues/2',
        releaseNote: null,
      },
      {
        id: '3',
        kind: 'pull',
        title: 'fix: shared number (MR)',
        labels: ['bug'],
        author: 'carol',
        url: 'https://gitlab.example.com/group/sub/project/-/merge_requests/3',
        releaseNote: null,
      },
    ]);
    expect(tracker(emulator).name).toBe('gitlab');
  });

  it('asks merge requests first, then issues only for the numbers left', async () => {
    const emulator = await emulate();
    await tracker(emulator).lookup({ ids: ['1', '2', '3', '9'] });
    expect(emulator.requests.map((r) => describeRequest(r.url))).toEqual([
      { endpoint: `${PROJECT_PATH}/merge_requests`, iids: [1, 2, 3, 9] },
      { endpoint: `${PROJECT_PATH}/issues`, iids: [2, 9] },
    ]);
    expect(new URL(emulator.requests[0]!.url, 'http://emulator').searchParams.get('per_page')).toBe('100');
  });

  it('batches 150 numbers into two list requests per kind', async () => {
    const many = Array.from({ length: 150 }, (_, i) => i + 1);
    const emulator = await emulate({
      mergeRequests: many.filter((n) => n % 2 === 0).map((iid) => ({ iid, title: `MR ${iid}` })),
      issues: many.filter((n) => n % 2 === 1).map((iid) => ({ iid, title: `Issue ${iid}` })),
    });
    const result = await tracker(emulator).lookup({ ids: many.map(String) });
    expect(result.warnings).toEqual([]);
    expect(result.issues).toHaveLength(150);
    expect(result.issues.find((i) => i.id === '150')).toMatchObject({ kind: 'pull', title: 'MR 150' });
    expect(result.issues.find((i) => i.id === '149')).toMatchObject({ kind: 'issue', title: 'Issue 149' });
    const asked = emulator.requests.map((r) => describeRequest(r.url));
    const mrRequests = asked.filter((r) => r.endpoint.endsWith('/merge_requests'));
    const issueRequests = asked.filter((r) => r.endpoint.endsWith('/issues'));
    expect(mrRequests).toHaveLength(2);
    expect(issueRequests).toHaveLength(2);
    expect(mrRequests.flatMap((r) => r.iids).sort((a, b) => a - b)).toEqual(many);
    expect(Math.max(...asked.map((r) => r.iids.length))).toBeLessThanOrEqual(100);
  });

  it('sends PRIVATE-TOKEN when a token is given', async () => {
    const emulator = await emulate({ token: 'glpat-emulated-0001' });
    const result = await tracker(emulator, { token: 'glpat-emulated-0001' }).lookup({ ids: ['1'] });
    expect(result.issues.map((i) => i.id)).toEqual(['1']);
    expect(emulator.requests[0]?.headers['private-token']).toBe('glpat-emulated-0001');
    expect(emulator.requests[0]?.headers['user-agent']).toBe('herald');
  });

  it('sends no PRIVATE-TOKEN without a token', async () => {
    const emulator = await emulate();
    await tracker(emulator).lookup({ ids: ['1'] });
    expect(emulator.requests[0]?.headers['private-token']).toBeUndefined();
  });

  it('stops at a rejected token and never reveals it', async () => {
    const emulator = await emulate({ token: 'glpat-the-right-one' });
    const secret = 'glpat-wrong-secret-777';
    const many = Array.from({ length: 250 }, (_, i) => String(i + 1));
    const result = await tracker(emulator, { token: secret, concurrency: 1 }).lookup({ ids: many });
    expect(result.issues).toEqual([]);
    expect(result.warnings).toEqual([
      'gitlab: the token was rejected (HTTP 401); 250 of 250 references have no title (set GITLAB_TOKEN to a valid token with read access)',
    ]);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(emulator.requests).toHaveLength(1);
  });

  it.each(['both', 'link', 'x-next-page'] as const)('follows pagination (%s headers)', async (pagination) => {
    const five = [1, 2, 3, 4, 5].map((iid) => ({ iid, title: `MR ${iid}` }));
    const emulator = await emulate({ mergeRequests: five, issues: [], pageSize: 2, pagination });
    const result = await tracker(emulator).lookup({ ids: ['1', '2', '3', '4', '5'] });
    expect(result.warnings).toEqual([]);
    expect(result.issues.map((i) => i.title)).toEqual(['MR 1', 'MR 2', 'MR 3', 'MR 4', 'MR 5']);
    expect(emulator.requests.map((r) => new URL(r.url, 'http://emulator').searchParams.get('page'))).toEqual([
      null,
      '2',
      '3',
    ]);
  });

  it('treats numbers that are neither merge request nor issue as no information', async () => {
    const emulator = await emulate();
    const result = await tracker(emulator).lookup({ ids: ['2', '77'] });
    expect(result.issues.map((i) => i.id)).toEqual(['2']);
    expect(result.warnings).toEqual([]);
  });

  it('warns when the project is unknown (or private without a token)', async () => {
    const emulator = await emulate();
    const result = await tracker(emulator, { project: 'group/missing' }).lookup({ ids: ['1', '2'] });
    expect(result.issues).toEqual([]);
    expect(result.warnings).toEqual([
      'gitlab: 2 of 2 references could not be fetched (project group/missing not found; set GITLAB_TOKEN if it is private)',
    ]);
    expect(emulator.requests).toHaveLength(1);
  });

  it('waits for a short 429 retry-after, then succeeds', async () => {
    const emulator = await emulate({ rateLimit: { limit: 1, resetSeconds: 1 } });
    const result = await tracker(emulator).lookup({ ids: ['1', '2'] });
    expect(result.warnings).toEqual([]);
    expect(result.issues.map((i) => i.id)).toEqual(['1', '2']);
    expect(emulator.requests.map((r) => r.status)).toEqual([200, 429, 200]);
  });

  it('degrades with partial results when the limit outlasts maxWaitMs', async () => {
    const emulator = await emulate({ rateLimit: { limit: 1, resetSeconds: 3600 } });
    const result = await tracker(emulator, { maxWaitMs: 500 }).lookup({ ids: ['1', '2'] });
    expect(result.issues.map((i) => i.id)).toEqual(['1']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /^gitlab: rate limit exhausted until (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC; 1 of 2 references have no title \(set GITLAB_TOKEN for a higher limit\)$/,
    );
  });

  it('retries 500 answers and reset connections', async () => {
    const emulator = await emulate();
    emulator.failNext(1, 500);
    emulator.failNext(1, 'reset');
    const result = await tracker(emulator).lookup({ ids: ['1', '2'] });
    expect(result.warnings).toEqual([]);
    expect(result.issues.map((i) => i.id)).toEqual(['1', '2']);
    expect(emulator.requests.map((r) => r.status)).toEqual([500, 'reset', 200, 200]);
  });

  it('does not ask for issues when the merge request list failed', async () => {
    const emulator = await emulate();
    emulator.failNext(3, 503);
    const result = await tracker(emulator).lookup({ ids: ['2', '3'] });
    expect(result.issues).toEqual([]);
    expect(result.warnings).toEqual([
      'gitlab: 2 of 2 references could not be fetched (HTTP 503 after 3 attempts)',
    ]);
    expect(emulator.requests).toHaveLength(3);
  });

  it('never follows a next link to another host, which would carry the token there', async () => {
    const calls: string[] = [];
    const stub = (async (input: string | URL | Request) => {
      calls.push(String(input));
      const link = '<https://elsewhere.example/api/v4/projects/x/merge_requests?page=2>; rel="next"';
      return new Response(JSON.stringify([{ iid: 1, title: 'MR 1' }]), { status: 200, headers: { link } });
    }) as typeof fetch;
    const gitlab = createGitLabIssueTracker({
      project: 'group/sub/project',
      token: 'glpat-stub-token',
      fetch: stub,
    });
    const result = await gitlab.lookup({ ids: ['1'] });
    expect(result.issues.map((i) => i.title)).toEqual(['MR 1']);
    expect(calls).toEqual([
      'https://gitlab.com/api/v4/projects/group%2Fsub%2Fproject/merge_requests?iids[]=1&per_page=100',
    ]);
  });

  describe('cache', () => {
    it('answers from the cache without requests, including cached misses', async () => {
      const emulator = await emulate();
      const cacheFile = path.join(await tempDir(), 'cache', 'issues-gitlab.json');
      const first = await tracker(emulator, { cacheFile }).lookup({ ids: ['1', '2', '77'] });
      const requestsAfterFirst = emulator.requests.length;
      const saved = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, { issue: unknown }>;
      expect(Object.keys(saved).sort()).toEqual([
        'group/sub/project#1',
        'group/sub/project#2',
        'group/sub/project#77',
      ]);
      expect(saved['group/sub/project#77']?.issue).toBeNull();

      const second = await tracker(emulator, { cacheFile }).lookup({ ids: ['1', '2', '77'] });
      expect(emulator.requests).toHaveLength(requestsAfterFirst);
      expect(second).toEqual(first);
    });

    it('ignores a corrupt cache file with a warning', async () => {
      const emulator = await emulate();
      const cacheFile = path.join(await tempDir(), 'issues.json');
      await writeFile(cacheFile, '[1, 2, 3]');
      const result = await tracker(emulator, { cacheFile }).lookup({ ids: ['1'] });
      expect(result.issues.map((i) => i.id)).toEqual(['1']);
      expect(result.warnings).toEqual([`gitlab: ignoring cache file ${cacheFile} (not a JSON object)`]);
    });

    it('keeps entries another run saved meanwhile', async () => {
      const emulator = await emulate();
      const cacheFile = path.join(await tempDir(), 'issues.json');
      const other = {
        id: '5',
        kind: 'issue',
        title: 'From elsewhere',
        labels: [],
        author: null,
        url: null,
        releaseNote: null,
      };
      await writeFile(
        cacheFile,
        JSON.stringify({ 'other/project#5': { fetchedAt: new Date().toISOString(), issue: other } }),
      );
      await tracker(emulator, { cacheFile }).lookup({ ids: ['1'] });
      const saved = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, unknown>;
      expect(Object.keys(saved).sort()).toEqual(['group/sub/project#1', 'other/project#5']);
    });
  });
});
