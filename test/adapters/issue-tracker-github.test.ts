import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGitHubIssueTracker,
  type GitHubIssueTrackerOptions,
} from '../../src/adapters/issue-tracker-github.js';
import {
  type GitHubEmulator,
  type GitHubEmulatorOptions,
  type GitHubSeed,
  startGitHubEmulator,
} from '../emulators/github.js';

const seeds: GitHubSeed[] = [
  {
    number: 1,
    title: 'Crash on start',
    labels: ['bug', 'p1'],
    user: 'alice',
    body: '## Release note\nIgnored for issues',
  },
  {
    number: 2,
    title: 'feat: dark mode',
    pull: true,
    labels: ['enhancement'],
    user: 'bob',
    body: '## Summary\nAdds a theme.\n\n## Release note\n<!-- one line -->\nDark mode is here.\n\n## Tests\nyes',
  },
  { number: 3, title: 'Docs typo', labels: ['docs'], labelsAsStrings: true, user: null },
  { number: 4, title: 'chore: bump deps', pull: true, body: '### Release notes\nnone' },
];
const manySeeds = (count: number): GitHubSeed[] =>
  Array.from({ length: count }, (_, i) => ({ number: i + 1, title: `Issue ${i + 1}` }));
const ids = (count: number) => Array.from({ length: count }, (_, i) => String(i + 1));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function emulate(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const emulator = await startGitHubEmulator({ issues: seeds, ...options });
  cleanups.push(() => emulator.close());
  return emulator;
}

function tracker(emulator: GitHubEmulator, options: Partial<GitHubIssueTrackerOptions> = {}) {
  return createGitHubIssueTracker({ repository: 'acme/app', apiUrl: emulator.url, ...options });
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'herald-github-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('createGitHubIssueTracker', () => {
  it('maps titles, labels, authors, urls and PR release notes', async () => {
    const emulator = await emulate();
    const result = await tracker(emulator).lookup({ ids: ['1', '2', '3', '4'] });
    expect(result.warnings).toEqual([]);
    expect(result.issues).toEqual([
      {
        id: '1',
        kind: 'issue',
        title: 'Crash on start',
        labels: ['bug', 'p1'],
        author: 'alice',
        url: 'https://github.com/acme/app/issues/1',
        releaseNote: null,
      },
      {
        id: '2',
        kind: 'pull',
        title: 'feat: dark mode',
        labels: ['enhancement'],
        author: 'bob',
        url: 'https://github.com/acme/app/pull/2',
        releaseNote: 'Dark mode is here.',
      },
      {
        id: '3',
        kind: 'issue',
        title: 'Docs typo',
        labels: ['docs'],
        author: null,
        url: 'https://github.com/acme/app/issues/3',
        releaseNote: null,
      },
      {
        id: '4',
        kind: 'pull',
        title: 'chore: bump deps',
        labels: [],
        author: 'octocat',
        url: 'https://github.com/acme/app/pull/4',
        releaseNote: null,
      },
    ]);
    expect(tracker(emulator).name).toBe('github');
  });

  it('sends the documented headers and the bearer token', async () => {
    const emulator = await emulate({ token: 'ghp_emulated_token_1' });
    const result = await tracker(emulator, { token: 'ghp_emulated_token_1' }).lookup({ ids: ['2'] });
    expect(result.issues.map((i) => i.id)).toEqual(['2']);
    const [request] = emulator.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/repos/acme/app/issues/2');
    expect(request?.headers).toMatchObject({
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'herald',
      authorization: 'Bearer ghp_emulated_token_1',
    });
  });

  it('sends no Authorization header without a token', async () => {
    const emulator = await emulate();
    await tracker(emulator, { token: null }).lookup({ ids: ['1'] });
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('asks once per distinct number and skips keys that are not numbers', async () => {
    const emulator = await emulate();
    const result = await tracker(emulator).lookup({ ids: ['1', '1', 'PROJ-7', '0', 'abc', '2'] });
    expect(result.issues.map((i) => i.id)).toEqual(['1', '2']);
    expect(emulator.requests.map((r) => r.url).sort()).toEqual([
      '/repos/acme/app/issues/1',
      '/repos/acme/app/issues/2',
    ]);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const emulator = await emulate({ issues: manySeeds(20), delayMs: 30 });
    const result = await tracker(emulator, { concurrency: 3 }).lookup({ ids: ids(20) });
    expect(result.issues).toHaveLength(20);
    expect(emulator.requests).toHaveLength(20);
    expect(emulator.maxInFlight).toBeLessThanOrEqual(3);
    expect(emulator.maxInFlight).toBeGreaterThan(1);
  });

  it('defaults to 8 requests in flight', async () => {
    const emulator = await emulate({ issues: manySeeds(30), delayMs: 30 });
    const result = await tracker(emulator).lookup({ ids: ids(30) });
    expect(result.issues).toHaveLength(30);
    expect(emulator.maxInFlight).toBeLessThanOrEqual(8);
    expect(emulator.maxInFlight).toBeGreaterThan(3);
  });

  it('treats a 404 as no information, without a warning', async () => {
    const emulator = await emulate();
    const result = await tracker(emulator).lookup({ ids: ['1', '404'] });
    expect(result.issues.map((i) => i.id)).toEqual(['1']);
    expect(result.warnings).toEqual([]);
    // One check that the repository itself is visible, so the 404 can be trusted.
    expect(emulator.requests.filter((r) => r.url === '/repos/acme/app')).toHaveLength(1);
  });

  it('warns, and caches nothing, when the repository itself is not visible', async () => {
    const emulator = await emulate();
    const cacheFile = path.join(await tempDir(), 'cache.json');
    const result = await tracker(emulator, { repository: 'acme/secret', cacheFile }).lookup({
      ids: ['1', '2'],
    });
    expect(result.issues).toEqual([]);
    expect(result.warnings).toEqual([
      'github: 2 of 2 references could not be fetched (repository acme/secret not found; set GITHUB_TOKEN if it is private)',
    ]);
    await expect(readFile(cacheFile, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stops at a rejected token and never reveals it', async () => {
    const emulator = await emulate({ token: 'ghp_the_right_token_000' });
    const secret = 'ghp_wrong_secret_token_999';
    const result = await tracker(emulator, { token: secret, concurrency: 1 }).lookup({
      ids: ['1', '2', '3'],
    });
    expect(result.issues).toEqual([]);
    expect(result.warnings).toEqual([
      'github: the token was rejected (HTTP 401); 3 of 3 references have no title (set GITHUB_TOKEN to a valid token with read access)',
    ]);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]?.status).toBe(401);
  });

  it('names GITHUB_TOKEN when a token is required but missing', async () => {
    const emulator = await emulate({ token: 'ghp_required_token' });
    const result = await tracker(emulator).lookup({ ids: ['1'] });
    expect(result.warnings).toEqual([
      'github: the API requires a token (HTTP 401); 1 of 1 references have no title (set GITHUB_TOKEN)',
    ]);
  });

  it('waits for a short primary rate limit to reset, then succeeds', async () => {
    const emulator = await emulate({ rateLimit: { limit: 2, resetSeconds: 1 } });
    const result = await tracker(emulator, { concurrency: 2 }).lookup({ ids: ['1', '2', '3', '4'] });
    expect(result.warnings).toEqual([]);
    expect(result.issues.map((i) => i.id)).toEqual(['1', '2', '3', '4']);
    expect(emulator.requests.some((r) => r.status === 403)).toBe(true);
  });

  it('honours retry-after on a secondary rate limit', async () => {
    const emulator = await emulate({ rateLimit: { limit: 1, resetSeconds: 1, kind: 'secondary' } });
    const result = await tracker(emulator, { concurrency: 1 }).lookup({ ids: ['1', '2'] });
    expect(result.warnings).toEqual([]);
    expect(result.issues.map((i) => i.id)).toEqual(['1', '2']);
    expect(emulator.requests.map((r) => r.status)).toContain(429);
  });

  it('degrades with partial results when the limit resets later than maxWaitMs', async () => {
    const emulator = await emulate({ rateLimit: { limit: 2, resetSeconds: 3600 } });
    const result = await tracker(emulator, { concurrency: 1, maxWaitMs: 1000 }).lookup({
      ids: ['1', '2', '3', '4'],
    });
    expect(result.issues.map((i) => i.id)).toEqual(['1', '2']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /^github: rate limit exhausted until (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC; 2 of 4 references have no title \(set GITHUB_TOKEN for a higher limit\)$/,
    );
    // Stops calling once the limit is known to outlast the wait.
    expect(emulator.requests).toHaveLength(3);
  });

  it('omits the token hint from the rate-limit warning when a token is set', async () => {
    const emulator = await emulate({ rateLimit: { limit: 0, resetSeconds: 3600 } });
    const result = await tracker(emulator, { token: 'ghp_some_token', maxWaitMs: 10 }).lookup({ ids: ['1'] });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/rate limit exhausted until .*; 1 of 1 references have no title$/);
  });

  it('retries 500 answers', async () => {
    const emulator = await emulate();
    emulator.failNext(2, 500);
    const result = await tracker(emulator).lookup({ ids: ['1'] });
    expect(result.warnings).toEqual([]);
    expect(result.issues.map((i) => i.title)).toEqual(['Crash on start']);
    expect(emulator.requests.map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('retries a reset connection', async () => {
    const emulator = await emulate();
    emulator.failNext(1, 'reset');
    const result = await tracker(emulator).lookup({ ids: ['2'] });
    expect(result.warnings).toEqual([]);
    expect(result.issues.map((i) => i.id)).toEqual(['2']);
    expect(emulator.requests.map((r) => r.status)).toEqual(['reset', 200]);
  });

  it('gives up after three attempts with one warning', async () => {
    const emulator = await emulate();
    emulator.failNext(3, 502);
    const result = await tracker(emulator, { concurrency: 1 }).lookup({ ids: ['1', '2'] });
    expect(result.issues.map((i) => i.id)).toEqual(['2']);
    expect(result.warnings).toEqual([
      'github: 1 of 2 references could not be fetched (HTTP 502 after 3 attempts)',
    ]);
  });

  it('never throws when the network is down', async () => {
    const calls: string[] = [];
    const failing = (async (input: string | URL | Request) => {
      calls.push(String(input));
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    }) as typeof fetch;
    const github = createGitHubIssueTracker({ repository: 'acme/app', fetch: failing, concurrency: 1 });
    const result = await github.lookup({ ids: ['1', '2'] });
    expect(result).toEqual({
      issues: [],
      warnings: ['github: 2 of 2 references could not be fetched (ECONNREFUSED after 3 attempts)'],
    });
    expect(calls).toHaveLength(6);
    expect(calls[0]).toBe('https://api.github.com/repos/acme/app/issues/1');
  });

  it('rejects a repository that is not owner/name with a warning', async () => {
    const result = await createGitHubIssueTracker({ repository: 'just-a-name' }).lookup({ ids: ['1'] });
    expect(result).toEqual({ issues: [], warnings: ['github: repository "just-a-name" is not owner/name'] });
  });

  describe('cache', () => {
    it('writes issues and 404s, then answers from the cache without requests', async () => {
      const emulator = await emulate();
      const cacheFile = path.join(await tempDir(), 'nested', 'dir', 'issues.json');
      const first = await tracker(emulator, { cacheFile }).lookup({ ids: ['1', '2', '404'] });
      const requestsAfterFirst = emulator.requests.length;
      expect(requestsAfterFirst).toBe(4);

      const saved = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<
        string,
        { fetchedAt: string; issue: unknown }
      >;
      expect(Object.keys(saved).sort()).toEqual(['acme/app#1', 'acme/app#2', 'acme/app#404']);
      expect(saved['acme/app#404']?.issue).toBeNull();
      expect(Date.parse(saved['acme/app#1']?.fetchedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);

      const second = await tracker(emulator, { cacheFile }).lookup({ ids: ['1', '2', '404'] });
      expect(emulator.requests).toHaveLength(requestsAfterFirst);
      expect(second).toEqual(first);
    });

    it('refetches entries older than 24 hours', async () => {
      const emulator = await emulate();
      const cacheFile = path.join(await tempDir(), 'issues.json');
      const old = new Date(Date.now() - 25 * 60 * 60 * 1000).toISOString();
      const stale = {
        id: '1',
        kind: 'issue',
        title: 'Stale title',
        labels: [],
        author: null,
        url: null,
        releaseNote: null,
      };
      await writeFile(cacheFile, JSON.stringify({ 'acme/app#1': { fetchedAt: old, issue: stale } }));
      const result = await tracker(emulator, { cacheFile }).lookup({ ids: ['1'] });
      expect(result.issues.map((i) => i.title)).toEqual(['Crash on start']);
      expect(emulator.requests).toHaveLength(1);
    });

    it('ignores a corrupt cache file with a warning and replaces it', async () => {
      const emulator = await emulate();
      const cacheFile = path.join(await tempDir(), 'issues.json');
      await writeFile(cacheFile, '{"acme/app#1": {"fetchedAt": ');
      const result = await tracker(emulator, { cacheFile }).lookup({ ids: ['1'] });
      expect(result.issues.map((i) => i.title)).toEqual(['Crash on start']);
      expect(result.warnings).toEqual([`github: ignoring cache file ${cacheFile} (not valid JSON)`]);
      const rewritten = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, unknown>;
      expect(Object.keys(rewritten)).toEqual(['acme/app#1']);
    });

    it('skips malformed entries but keeps the rest', async () => {
      const emulator = await emulate();
      const cacheFile = path.join(await tempDir(), 'issues.json');
      const now = new Date().toISOString();
      const good = {
        id: '2',
        kind: 'pull',
        title: 'Cached title',
        labels: ['x'],
        author: 'bob',
        url: null,
        releaseNote: null,
      };
      await writeFile(
        cacheFile,
        JSON.stringify({
          'acme/app#1': { fetchedAt: now, issue: { id: 1 } },
          'acme/app#2': { fetchedAt: now, issue: good },
        }),
      );
      const result = await tracker(emulator, { cacheFile }).lookup({ ids: ['1', '2'] });
      expect(result.issues.map((i) => i.title)).toEqual(['Crash on start', 'Cached title']);
      expect(emulator.requests.map((r) => r.url)).toEqual(['/repos/acme/app/issues/1']);
    });
  });
});
