import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IssueInfo } from '../model/index.js';

/**
 * Plumbing shared by the GitHub and GitLab issue trackers: a JSON GET client that honours rate
 * limits and retries transient failures, a bounded worker pool, the on-disk lookup cache, and a
 * lookup runner that turns failures into one warning per distinct problem. Nothing here throws
 * for API trouble: a release must not fail because a tracker is down.
 */

// ---------------------------------------------------------------------------------------------
// HTTP

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_ATTEMPTS = 3;
const DEFAULT_RETRY_BASE_MS = 200;
const DEFAULT_MAX_WAIT_MS = 60_000;
/** Rate-limit waits per request: a server that keeps saying "later" counts as exhausted. */
const MAX_RATE_LIMIT_WAITS = 3;
/** When the server names no reset time; GitHub and GitLab both document one minute. */
const UNKNOWN_RESET_MS = 60_000;
/** When the named reset time has already passed (clock skew), still give the server a moment. */
const MIN_RESET_WAIT_MS = 1_000;
const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

/** Why an id has no information. */
export type IssueProblem =
  | { kind: 'auth'; status: number }
  | { kind: 'rate-limit'; resetAt: number | null }
  | { kind: 'error'; reason: string };

export type JsonResult =
  | { kind: 'ok'; body: unknown; headers: Headers }
  | { kind: 'not-found' }
  | IssueProblem;

export interface JsonClientOptions {
  headers: Record<string, string>;
  fetch?: typeof fetch | undefined;
  /** Longest rate-limit wait to accept; longer limits stop the client. */
  maxWaitMs?: number | undefined;
  timeoutMs?: number;
  attempts?: number;
  retryBaseMs?: number;
  now?: () => number;
}

export interface JsonClient {
  /** GETs and parses JSON. After an auth failure or a limit too long to wait for, answers without calling. */
  get(url: string): Promise<JsonResult>;
}

export function createJsonClient(options: JsonClientOptions): JsonClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const now = options.now ?? Date.now;
  // Shared by all requests of this client: one rate-limit answer pauses or stops them all.
  let stopped: IssueProblem | null = null;
  let pausedUntil = 0;

  const backoff = (failures: number) => retryBaseMs * 2 ** (failures - 1) * (1 + Math.random());
  const stop = (problem: IssueProblem): IssueProblem => {
    stopped ??= problem;
    return stopped;
  };

  async function get(url: string): Promise<JsonResult> {
    let failures = 0;
    let rateLimitWaits = 0;
    const retryOrGiveUp = async (reason: string): Promise<IssueProblem | null> => {
      failures++;
      if (failures >= attempts) return { kind: 'error', reason: `${reason} after ${attempts} attempts` };
      await sleep(backoff(failures));
      return null;
    };
    for (;;) {
      for (let wait = pausedUntil - now(); wait > 0; wait = pausedUntil - now()) await sleep(wait);
      if (stopped) return stopped;
      let response: Response;
      try {
        response = await fetchImpl(url, { headers: options.headers, signal: AbortSignal.timeout(timeoutMs) });
        if (response.ok) return { kind: 'ok', body: await response.json(), headers: response.headers };
      } catch (error) {
        if (error instanceof SyntaxError) return { kind: 'error', reason: 'the answer was not JSON' };
        const givenUp = await retryOrGiveUp(describeFailure(error, timeoutMs));
        if (givenUp) return givenUp;
        continue;
      }
      // Read the body so the connection can be reused; the rate-limit check also needs it.
      const text = await response.text().catch(() => '');
      const status = response.status;
      if (status === 404 || status === 410) return { kind: 'not-found' };
      const limit = readRateLimit(status, response.headers, text, now());
      if (limit) {
        if (limit.waitMs > maxWaitMs || rateLimitWaits >= MAX_RATE_LIMIT_WAITS) {
          return stop({ kind: 'rate-limit', resetAt: limit.resetAt });
        }
        rateLimitWaits++;
        pausedUntil = Math.max(pausedUntil, now() + limit.waitMs);
        continue;
      }
      if (status === 401 || status === 403) return stop({ kind: 'auth', status });
      if (!RETRYABLE_STATUS.has(status)) return { kind: 'error', reason: `HTTP ${status}` };
      const givenUp = await retryOrGiveUp(`HTTP ${status}`);
      if (givenUp) return givenUp;
    }
  }

  return { get };
}

/**
 * GitHub: 403/429 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`, or `retry-after` for
 * secondary limits. GitLab: 429 with `retry-after` and `ratelimit-reset`. Null when not a limit.
 */
function readRateLimit(
  status: number,
  headers: Headers,
  text: string,
  nowMs: number,
): { waitMs: number; resetAt: number } | null {
  if (status !== 403 && status !== 429) return null;
  const retryAfter = parseRetryAfter(headers.get('retry-after'), nowMs);
  if (retryAfter !== null) return { waitMs: retryAfter, resetAt: nowMs + retryAfter };
  const remaining = headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
  if (remaining?.trim() === '0') {
    const reset = Number(headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset'));
    const resetAt = Number.isFinite(reset) && reset > 0 ? reset * 1000 : nowMs + UNKNOWN_RESET_MS;
    return { waitMs: Math.max(resetAt - nowMs, MIN_RESET_WAIT_MS), resetAt };
  }
  // GitHub's secondary limits sometimes come as a bare 403 whose message names the limit.
  if (status === 429 || /rate limit/i.test(text.slice(0, 2000))) {
    return { waitMs: UNKNOWN_RESET_MS, resetAt: nowMs + UNKNOWN_RESET_MS };
  }
  return null;
}

/** `Retry-After` as delay-seconds or an HTTP date, in milliseconds. */
function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(date - nowMs, 0);
}

/** A short cause such as `ECONNRESET`; never the request, which may carry credentials. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return 'request failed';
  if (error.name === 'TimeoutError' || error.name === 'AbortError')
    return `no answer within ${timeoutMs / 1000} s`;
  const cause: unknown = error.cause;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code;
  }
  return error.message;
}

/** Runs `task` over `items` with at most `limit` running at once. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const work = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, work));
}

/** A positive whole number of parallel requests; anything else falls back to the default. */
export function normalizeConcurrency(value: number | undefined, fallback = 8): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

// ---------------------------------------------------------------------------------------------
// Reading untrusted JSON

export function readRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export function readString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Label names from `["bug"]` or `[{ "name": "bug" }]`. */
export function readLabels(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((label: unknown) => readString(label) ?? readString(readRecord(label)?.name))
    .filter((name): name is string => name !== null && name !== '');
}

// ---------------------------------------------------------------------------------------------
// Cache

const CACHE_TTL_MS = 24 * 60 * 60 * 1000;

interface CacheEntry {
  fetchedAt: string;
  /** Null records a 404, so it is not asked again either. */
  issue: IssueInfo | null;
}

export interface IssueCache {
  /** The cached issue, null for a cached 404, or undefined when absent or older than 24 h. */
  read(key: string): IssueInfo | null | undefined;
  write(key: string, issue: IssueInfo | null): void;
  /** Merges new entries into the file atomically; returns a warning instead of throwing. */
  save(): Promise<string | null>;
}

/** Opens the cache file; a missing file is empty, an unreadable or corrupt one is ignored with a warning. */
export async function loadIssueCache(
  file: string | null,
  now: () => number = Date.now,
): Promise<{ cache: IssueCache; warning: string | null }> {
  const loaded = file
    ? await readCacheFile(file, now())
    : { entries: new Map<string, CacheEntry>(), warning: null };
  const added = new Map<string, CacheEntry>();
  const cache: IssueCache = {
    read: (key) => loaded.entries.get(key)?.issue,
    write: (key, issue) => {
      added.set(key, { fetchedAt: new Date(now()).toISOString(), issue });
    },
    save: async () => {
      if (!file || added.size === 0) return null;
      try {
        await writeCacheFile(file, added, now());
        return null;
      } catch (error) {
        return `could not write cache file ${file} (${errorCode(error)})`;
      }
    },
  };
  return { cache, warning: loaded.warning };
}

async function readCacheFile(
  file: string,
  nowMs: number,
): Promise<{ entries: Map<string, CacheEntry>; warning: string | null }> {
  const entries = new Map<string, CacheEntry>();
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries, warning: null };
    const why = error instanceof SyntaxError ? 'not valid JSON' : errorCode(error);
    return { entries, warning: `ignoring cache file ${file} (${why})` };
  }
  const record = readRecord(data);
  if (!record) return { entries, warning: `ignoring cache file ${file} (not a JSON object)` };
  for (const [key, value] of Object.entries(record)) {
    const entry = readCacheEntry(value, nowMs);
    if (entry) entries.set(key, entry);
  }
  return { entries, warning: null };
}

/** Re-reads the file so entries saved meanwhile by another run survive; stale entries are dropped. */
async function writeCacheFile(
  file: string,
  added: ReadonlyMap<string, CacheEntry>,
  nowMs: number,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const { entries } = await readCacheFile(file, nowMs);
  for (const [key, entry] of added) entries.set(key, entry);
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** A fresh, well-formed entry, or null. */
function readCacheEntry(value: unknown, nowMs: number): CacheEntry | null {
  const record = readRecord(value);
  const fetchedAt = readString(record?.fetchedAt);
  if (!record || fetchedAt === null) return null;
  const age = nowMs - Date.parse(fetchedAt);
  if (!(age >= 0 && age < CACHE_TTL_MS)) return null;
  if (record.issue === null) return { fetchedAt, issue: null };
  const issue = readIssueInfo(record.issue);
  return issue ? { fetchedAt, issue } : null;
}

function readIssueInfo(value: unknown): IssueInfo | null {
  const r = readRecord(value);
  if (!r) return null;
  const nullableString = (v: unknown) => v === null || typeof v === 'string';
  const valid =
    typeof r.id === 'string' &&
    (r.kind === 'issue' || r.kind === 'pull') &&
    typeof r.title === 'string' &&
    Array.isArray(r.labels) &&
    r.labels.every((l: unknown) => typeof l === 'string') &&
    nullableString(r.author) &&
    nullableString(r.url) &&
    nullableString(r.releaseNote);
  if (!valid) return null;
  const issue = r as unknown as IssueInfo;
  return {
    id: issue.id,
    kind: issue.kind,
    title: issue.title,
    labels: issue.labels,
    author: issue.author,
    url: issue.url,
    releaseNote: issue.releaseNote,
  };
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : 'unknown error';
}

// ---------------------------------------------------------------------------------------------
// Lookup runner

export interface TrackerLookupOptions {
  /** `github`, `gitlab`: prefixes every warning. */
  tracker: string;
  /** The variable to name when a token is missing or rejected. */
  tokenVariable: string;
  /** The repository or project; the cache key is `${scope}#${id}`. */
  scope: string;
  token: string | null;
  cacheFile: string | null;
  now?: () => number;
}

/** Where an adapter reports each id it was asked for. */
export interface LookupSink {
  found(id: string, issue: IssueInfo): void;
  notFound(id: string): void;
  failed(id: string, problem: IssueProblem): void;
}

export type FetchIssues = (ids: string[], sink: LookupSink) => Promise<void>;

/**
 * The part of a lookup every tracker shares: keeps plain issue numbers (other keys belong to other
 * trackers), serves fresh cache entries, fetches the rest, saves, and summarises what is missing.
 */
export async function runIssueLookup(
  options: TrackerLookupOptions,
  ids: readonly string[],
  fetchIssues: FetchIssues,
): Promise<{ issues: IssueInfo[]; warnings: string[] }> {
  const wanted = [...new Set(ids)].filter((id) => /^[1-9]\d{0,15}$/.test(id));
  const warnings: string[] = [];
  const { cache, warning } = await loadIssueCache(options.cacheFile, options.now);
  if (warning) warnings.push(warning);
  const key = (id: string) => `${options.scope}#${id}`;
  const results = new Map<string, IssueInfo | null>();
  const problems = new Map<string, IssueProblem>();
  const pending = wanted.filter((id) => {
    const cached = cache.read(key(id));
    if (cached !== undefined) results.set(id, cached);
    return cached === undefined;
  });

  if (pending.length > 0) {
    const sink: LookupSink = {
      found: (id, issue) => {
        results.set(id, issue);
        cache.write(key(id), issue);
      },
      notFound: (id) => {
        results.set(id, null);
        cache.write(key(id), null);
      },
      failed: (id, problem) => {
        problems.set(id, problem);
      },
    };
    try {
      await fetchIssues(pending, sink);
    } catch (error) {
      // Adapters should not throw; if one does, the ids it did not answer still get a warning.
      const problem: IssueProblem = { kind: 'error', reason: errorCode(error) };
      for (const id of pending) if (!results.has(id) && !problems.has(id)) problems.set(id, problem);
    }
    const saved = await cache.save();
    if (saved) warnings.push(saved);
  }

  warnings.push(...summarizeProblems(options, problems, wanted.length));
  const issues = wanted.map((id) => results.get(id)).filter((issue): issue is IssueInfo => issue != null);
  return { issues, warnings: warnings.map((w) => scrubToken(`${options.tracker}: ${w}`, options.token)) };
}

/** One warning per distinct problem, counting the ids it left without information. */
function summarizeProblems(
  options: TrackerLookupOptions,
  problems: ReadonlyMap<string, IssueProblem>,
  total: number,
): string[] {
  const env = options.tokenVariable;
  const untitled = (count: number) => `${count} of ${total} references have no title`;
  let auth = { count: 0, status: 401 };
  let limited = { count: 0, resetAt: null as number | null };
  const errors = new Map<string, number>();
  for (const problem of problems.values()) {
    if (problem.kind === 'auth') auth = { count: auth.count + 1, status: problem.status };
    else if (problem.kind === 'rate-limit') {
      const resetAt =
        problem.resetAt === null ? limited.resetAt : Math.max(limited.resetAt ?? 0, problem.resetAt);
      limited = { count: limited.count + 1, resetAt };
    } else errors.set(problem.reason, (errors.get(problem.reason) ?? 0) + 1);
  }
  const warnings: string[] = [];
  if (auth.count > 0) {
    const what = options.token ? 'the token was rejected' : 'the API requires a token';
    const fix = options.token ? `set ${env} to a valid token with read access` : `set ${env}`;
    warnings.push(`${what} (HTTP ${auth.status}); ${untitled(auth.count)} (${fix})`);
  }
  if (limited.count > 0) {
    const until =
      limited.resetAt === null ? '' : ` until ${formatUtcTime(limited.resetAt, (options.now ?? Date.now)())}`;
    const hint = options.token ? '' : ` (set ${env} for a higher limit)`;
    warnings.push(`rate limit exhausted${until}; ${untitled(limited.count)}${hint}`);
  }
  for (const [reason, count] of errors)
    warnings.push(`${count} of ${total} references could not be fetched (${reason})`);
  return warnings;
}

/** `12:34 UTC`, with the date when it is not today. */
function formatUtcTime(ms: number, nowMs: number): string {
  const iso = new Date(ms).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(nowMs).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

/** Belt and braces: no warning may ever carry the token, whatever an error message contained. */
function scrubToken(text: string, token: string | null): string {
  return token && token.length >= 4 ? text.split(token).join('[redacted]') : text;
}
