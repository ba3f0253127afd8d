import { extractReleaseNoteSection } from '../core/release-note-section.js';
import type { IssueInfo } from '../model/index.js';
import type { IssueTrackerPort } from '../ports/index.js';
import {
  createJsonClient,
  forEachConcurrently,
  type IssueProblem,
  type JsonClient,
  normalizeConcurrency,
  readLabels,
  readRecord,
  readString,
  runIssueLookup,
} from './http-json.js';

export interface GitLabIssueTrackerOptions {
  /** The project path: `group/subgroup/project`. */
  project: string;
  /** REST API root, default `https://gitlab.com/api/v4`. */
  apiUrl?: string;
  token?: string | null;
  /** Most requests in flight at once, default 8. */
  concurrency?: number;
  cacheFile?: string | null;
  fetch?: typeof fetch;
  /** Longest rate-limit wait to accept, default 60 s; a longer limit leaves the rest untitled. */
  maxWaitMs?: number;
}

/** GitLab's list endpoints take up to 100 `iids[]` and return up to 100 items per page. */
const BATCH_SIZE = 100;
/** A runaway `next` link must not loop forever. */
const MAX_PAGES = 50;

/**
 * Titles, labels and authors from the GitLab REST API, 100 numbers per request. A number can name
 * both a merge request and an issue; the merge request wins, so issues are asked only for the rest.
 */
export function createGitLabIssueTracker(options: GitLabIssueTrackerOptions): IssueTrackerPort {
  const apiUrl = (options.apiUrl ?? 'https://gitlab.com/api/v4').replace(/\/+$/, '');
  const token = options.token || null;
  const concurrency = normalizeConcurrency(options.concurrency);
  const projectUrl = `${apiUrl}/projects/${encodeURIComponent(options.project)}`;
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'User-Agent': 'herald',
    ...(token ? { 'PRIVATE-TOKEN': token } : {}),
  };
  const missingProject: IssueProblem = {
    kind: 'error',
    reason: `project ${options.project} not found${token ? '' : '; set GITLAB_TOKEN if it is private'}`,
  };

  return {
    name: 'gitlab',
    async lookup({ ids }) {
      const client = createJsonClient({ headers, fetch: options.fetch, maxWaitMs: options.maxWaitMs });
      const list = (kind: 'merge_requests' | 'issues', iids: readonly string[]) =>
        listAllPages(
          client,
          `${projectUrl}/${kind}?${iids.map((id) => `iids[]=${id}`).join('&')}&per_page=100`,
          missingProject,
        );

      return runIssueLookup(
        {
          tracker: 'gitlab',
          tokenVariable: 'GITLAB_TOKEN',
          scope: options.project,
          token,
          cacheFile: options.cacheFile ?? null,
        },
        ids,
        (pending, sink) =>
          forEachConcurrently(chunk(pending, BATCH_SIZE), concurrency, async (batch) => {
            const found = new Set<string>();
            const take = (items: unknown[], kind: IssueInfo['kind']) => {
              for (const item of items) {
                const issue = toIssueInfo(item, kind);
                if (issue && batch.includes(issue.id) && !found.has(issue.id)) {
                  found.add(issue.id);
                  sink.found(issue.id, issue);
                }
              }
            };
            const mergeRequests = await list('merge_requests', batch);
            // Without the merge requests an issue could wrongly win a shared number: ask nothing more.
            if (!Array.isArray(mergeRequests)) {
              for (const id of batch) sink.failed(id, mergeRequests);
              return;
            }
            take(mergeRequests, 'pull');
            const rest = batch.filter((id) => !found.has(id));
            if (rest.length === 0) return;
            const issues = await list('issues', rest);
            if (!Array.isArray(issues)) {
              for (const id of rest) sink.failed(id, issues);
              return;
            }
            take(issues, 'issue');
            for (const id of rest) if (!found.has(id)) sink.notFound(id);
          }),
      );
    },
  };
}

/** Every item of a list endpoint, following `Link: rel="next"` or `x-next-page`; a problem otherwise. */
async function listAllPages(
  client: JsonClient,
  firstUrl: string,
  missing: IssueProblem,
): Promise<unknown[] | IssueProblem> {
  const items: unknown[] = [];
  let url: string | null = firstUrl;
  for (let page = 0; url !== null && page < MAX_PAGES; page++) {
    const result = await client.get(url);
    if (result.kind === 'not-found') return missing;
    if (result.kind !== 'ok') return result;
    if (!Array.isArray(result.body)) return { kind: 'error', reason: 'unexpected answer: not a list' };
    items.push(...result.body);
    url = nextPageUrl(url, result.headers);
  }
  return items;
}

function nextPageUrl(current: string, headers: Headers): string | null {
  const origin = new URL(current).origin;
  for (const part of (headers.get('link') ?? '').split(',')) {
    const match = /^\s*<([^>]*)>\s*;.*\brel="?next"?/.exec(part);
    if (!match) continue;
    // The token goes with every request: never follow a link to another host.
    const next = new URL(match[1]!, current);
    return next.origin === origin ? next.href : null;
  }
  const page = headers.get('x-next-page')?.trim();
  if (!page || !/^\d+$/.test(page)) return null;
  const next = new URL(current);
  next.searchParams.set('page', page);
  return next.href;
}

/** Maps an item of `GET /projects/:id/merge_requests` or `/issues`. */
function toIssueInfo(item: unknown, kind: IssueInfo['kind']): IssueInfo | null {
  const raw = readRecord(item);
  const title = readString(raw?.title);
  const iid = raw?.iid;
  if (!raw || title === null || (typeof iid !== 'number' && typeof iid !== 'string')) return null;
  return {
    id: String(iid),
    kind,
    title,
    labels: readLabels(raw.labels),
    author: readString(readRecord(raw.author)?.username),
    url: readString(raw.web_url),
    releaseNote: kind === 'pull' ? extractReleaseNoteSection(readString(raw.description)) : null,
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
