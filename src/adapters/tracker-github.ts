import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck/light.js';
import type { TrackerItem } from '../core/delivery-ops/index.js';
import type {
  CodeHostRelease,
  PostedComment,
  ReleaseDraft,
  TrackerComment,
  TrackerItemState,
  TrackerPort,
  VerifyFinding,
} from '../ports/index.js';
import { hiddenMarker, trackerFailure } from './tracker-http.js';

export interface GitHubTrackerOptions {
  /** `owner/name`. */
  repository: string;
  /** REST API root, default `https://api.github.com`; GitHub Enterprise: `https://host/api/v3`. */
  apiUrl?: string;
  token: string;
  /** The environment variable the token came from, for fixes (never its value). */
  tokenVariable: string;
  /** Each request ends within this (it must end well within its delivery's lease). */
  timeoutMs?: number;
  /**
   * Least time between two comments or releases. GitHub asks for pauses between content-creating
   * requests (secondary limits: about 80 a minute, 500 an hour); @octokit/plugin-throttling's own
   * default is 3000 ms for requests that notify people.
   */
  writeIntervalMs?: number;
  /** Longest rate-limit wait the client sits out itself; a longer one goes back to the engine. */
  maxWaitSeconds?: number;
}

const GitHub = Octokit.plugin(throttling, retry);
/** Writes that notify people must never be repeated by the client: the engine reconciles them. */
const NO_RETRY = { request: { retries: 0 } } as const;

type GitHubClient = InstanceType<typeof GitHub>;
type Where = { owner: string; repo: string };
/** Turns a client error into the tracker failure for `what` (a write or a read). */
type Failed = (what: string, write: boolean) => (error: unknown) => never;

/** The REST client with its per-client throttling groups, timeouts and retries. */
function gitHubClient(options: GitHubTrackerOptions, apiUrl: string): GitHubClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const interval = options.writeIntervalMs ?? 3000;
  const maxWait = options.maxWaitSeconds ?? 10;
  const id = `herald-${apiUrl}-${options.repository}`;
  const waitShort = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
    retryCount < 2 && retryAfter <= maxWait;
  return new GitHub({
    auth: options.token,
    baseUrl: apiUrl,
    userAgent: 'herald',
    request: {
      fetch: (url: string, init: RequestInit) =>
        fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    throttle: {
      id,
      onRateLimit: waitShort,
      onSecondaryRateLimit: waitShort,
      // The plugin's own groups are shared by every client in the process with fixed pauses: ours are per client.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: Math.min(interval, 1000) }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: interval }),
    },
    retry: { retries: 2 },
  });
}

const releaseOf = (data: { id: number; html_url: string; body?: string | null }): CodeHostRelease => ({
  id: String(data.id),
  url: data.html_url,
  body: data.body ?? '',
});

/** The release half of the port: find by tag, create (never retried), update. */
function gitHubReleases(
  octokit: GitHubClient,
  where: Where,
  failed: Failed,
): Pick<TrackerPort, 'findRelease' | 'createRelease' | 'updateRelease'> {
  return {
    async findRelease(tag) {
      try {
        const { data } = await octokit.rest.repos.getReleaseByTag({ ...where, tag });
        return releaseOf(data);
      } catch (error) {
        if ((error as { status?: number }).status === 404 && (error as { response?: unknown }).response)
          return null;
        return failed(`release ${tag}`, false)(error);
      }
    },

    async createRelease(draft: ReleaseDraft) {
      const { data } = await octokit.rest.repos
        .createRelease({
          ...where,
          tag_name: draft.tag,
          name: draft.name,
          body: draft.body,
          // A string: "true" | "false" | "legacy".
          make_latest: draft.latest ? 'true' : 'false',
          ...NO_RETRY,
        })
        .catch(failed(`release ${draft.tag}`, true));
      return releaseOf(data);
    },

    async updateRelease(existing, draft) {
      const { data } = await octokit.rest.repos
        .updateRelease({
          ...where,
          release_id: Number(existing.id),
          name: draft.name,
          body: draft.body,
          ...(draft.latest ? { make_latest: 'true' as const } : {}),
        })
        .catch(failed(`release ${draft.tag}`, false));
      return releaseOf(data);
    },
  };
}

/** Whether the token reaches the repository and may comment and label there. */
async function verifyGitHub(
  octokit: GitHubClient,
  where: Where,
  options: GitHubTrackerOptions,
): Promise<VerifyFinding[]> {
  const check = `GitHub ${options.repository}`;
  try {
    const answer = await octokit.rest.repos.get(where);
    // Classic tokens list their scopes; fine-grained tokens and app tokens send none.
    const scopes = answer.headers['x-oauth-scopes'];
    const push = answer.data.permissions?.push ?? answer.data.permissions?.triage ?? null;
    if (push === false)
      return [
        {
          ok: false,
          check,
          detail: `${options.tokenVariable} can read ${options.repository} but not comment or label there`,
          fix: `Give the token "Issues: write" and "Pull requests: write" (fine-grained) or the "repo" scope (classic); releases need "Contents: write".`,
        },
      ];
    return [
      {
        ok: true,
        check,
        detail: `${options.tokenVariable} reaches ${options.repository}${scopes !== undefined ? ` (scopes: ${scopes || 'none'})` : ''}`,
      },
    ];
  } catch (error) {
    const failure = trackerFailure(error, {
      what: check,
      write: false,
      tokenVariable: options.tokenVariable,
    });
    return [{ ok: false, check, detail: failure.message, ...(failure.fix ? { fix: failure.fix } : {}) }];
  }
}

/**
 * GitHub as an announce target through the official REST client. @octokit/plugin-retry retries
 * every status ≥ 400 outside 400/401/403/404/410/422/451 whatever the method, so a comment or a
 * release answered 5xx after it was made would be made twice: those calls run with retries 0.
 * @octokit/plugin-throttling waits out short rate limits (403/429 with Retry-After, or
 * x-ratelimit-remaining 0 until x-ratelimit-reset); a wait longer than `maxWaitSeconds` fails the
 * attempt with the wait as its Retry-After, and the engine tries again then.
 */
export function createGitHubTracker(options: GitHubTrackerOptions): TrackerPort {
  const [owner = '', repo = ''] = options.repository.split('/');
  const apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const octokit = gitHubClient(options, apiUrl);
  const where = { owner, repo };
  const failed: Failed = (what, write) => (error) => {
    throw trackerFailure(error, {
      what: `GitHub ${options.repository} ${what}`,
      write,
      tokenVariable: options.tokenVariable,
      // GitHub: a limit without Retry-After or a reset time means "wait at least one minute".
      limitWithoutWaitMs: 60_000,
    });
  };
  const name = (item: TrackerItem) => `#${item.id}`;
  const number = (item: TrackerItem) => Number(item.id);

  return {
    tracker: 'github',
    site: `github:${apiUrl}/${options.repository}`,
    description: `GitHub ${options.repository}`,

    async readItem(item): Promise<TrackerItemState> {
      const { data } = await octokit.rest.issues
        .get({ ...where, issue_number: number(item) })
        .catch(failed(`${name(item)}`, false));
      return {
        labels: data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
        locked: data.locked
          ? `the ${data.pull_request ? 'pull request' : 'issue'} is locked${data.active_lock_reason ? ` (${data.active_lock_reason})` : ''}`
          : null,
        url: data.html_url,
      };
    },

    async postComment(item, comment: TrackerComment): Promise<PostedComment> {
      const { data } = await octokit.rest.issues
        .createComment({
          ...where,
          issue_number: number(item),
          body: `${comment.text}\n\n${hiddenMarker(comment.marker)}`,
          ...NO_RETRY,
        })
        .catch(failed(`comment on ${name(item)}`, true));
      return { id: String(data.id), url: data.html_url };
    },

    async findComment(item, marker) {
      const wanted = hiddenMarker(marker);
      const comments = await octokit
        .paginate(octokit.rest.issues.listComments, { ...where, issue_number: number(item), per_page: 100 })
        .catch(failed(`comments of ${name(item)}`, false));
      const found = comments.find((c) => c.body?.includes(wanted));
      return found ? { id: String(found.id), url: found.html_url } : null;
    },

    async addLabels(item, labels) {
      // Adding labels is idempotent: the plugin may retry it.
      await octokit.rest.issues
        .addLabels({ ...where, issue_number: number(item), labels })
        .catch(failed(`labels of ${name(item)}`, false));
    },

    ...gitHubReleases(octokit, where, failed),

    verify: () => verifyGitHub(octokit, where, options),
  };
}
