import { extractReleaseNoteSection } from '../core/release-note-section.js';
import type { IssueInfo } from '../model/index.js';
import type { IssueTrackerPort } from '../ports/index.js';
import {
  createJsonClient,
  forEachConcurrently,
  normalizeConcurrency,
  readLabels,
  readRecord,
  readString,
  runIssueLookup,
} from './http-json.js';

export interface GitHubIssueTrackerOptions {
  /** `owner/name`. */
  repository: string;
  /** REST API root, default `https://api.github.com`; GitHub Enterprise uses `https://host/api/v3`. */
  apiUrl?: string;
  token?: string | null;
  /** Most requests in flight at once, default 8. */
  concurrency?: number;
  cacheFile?: string | null;
  fetch?: typeof fetch;
  /** Longest rate-limit wait to accept, default 60 s; a longer limit leaves the rest untitled. */
  maxWaitMs?: number;
}

/** Titles, labels and authors from the GitHub REST API: one request per issue or pull request. */
export function createGitHubIssueTracker(options: GitHubIssueTrackerOptions): IssueTrackerPort {
  const apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const token = options.token || null;
  const concurrency = normalizeConcurrency(options.concurrency);
  const [owner = '', repo = '', ...extra] = options.repository.split('/');
  const repoUrl = `${apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  const headers: Record<string, string> = {
    Accept: 'application/vnd.github+json',
    'X-GitHub-Api-Version': '2022-11-28',
    'User-Agent': 'herald',
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  };

  return {
    name: 'github',
    async lookup({ ids }) {
      if (!owner || !repo || extra.length > 0) {
        return { issues: [], warnings: [`github: repository "${options.repository}" is not owner/name`] };
      }
      const client = createJsonClient({ headers, fetch: options.fetch, maxWaitMs: options.maxWaitMs });
      // GitHub answers 404 for every issue of a repository it cannot see: check once, on the first 404.
      let visible: Promise<boolean> | undefined;
      const isRepositoryVisible = () => {
        visible ??= client.get(repoUrl).then((result) => result.kind !== 'not-found');
        return visible;
      };
      const hidden = `repository ${options.repository} not found${token ? '' : '; set GITHUB_TOKEN if it is private'}`;

      return runIssueLookup(
        {
          tracker: 'github',
          tokenVariable: 'GITHUB_TOKEN',
          scope: options.repository,
          token,
          cacheFile: options.cacheFile ?? null,
        },
        ids,
        (pending, sink) =>
          forEachConcurrently(pending, concurrency, async (id) => {
            const result = await client.get(`${repoUrl}/issues/${id}`);
            if (result.kind === 'ok') {
              const issue = toIssueInfo(id, result.body);
              if (issue) sink.found(id, issue);
              else sink.failed(id, { kind: 'error', reason: 'unexpected answer without a title' });
            } else if (result.kind !== 'not-found') {
              sink.failed(id, result);
            } else if (await isRepositoryVisible()) {
              sink.notFound(id);
            } else {
              sink.failed(id, { kind: 'error', reason: hidden });
            }
          }),
      );
    },
  };
}

/** Maps `GET /repos/{owner}/{repo}/issues/{number}`; pull requests carry a `pull_request` key. */
function toIssueInfo(id: string, body: unknown): IssueInfo | null {
  const raw = readRecord(body);
  const title = readString(raw?.title);
  if (!raw || title === null) return null;
  const kind = raw.pull_request !== undefined && raw.pull_request !== null ? 'pull' : 'issue';
  return {
    id,
    kind,
    title,
    labels: readLabels(raw.labels),
    author: readString(readRecord(raw.user)?.login),
    url: readString(raw.html_url),
    releaseNote: kind === 'pull' ? extractReleaseNoteSection(readString(raw.body)) : null,
  };
}
