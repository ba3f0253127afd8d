import { createRequesterFn } from '@gitbeaker/requester-utils';
import { Gitlab } from '@gitbeaker/rest';
import type { TrackerItem } from '../core/delivery-ops/index.js';
import type { CodeHostRelease, TrackerItemState, TrackerPort, VerifyFinding } from '../ports/index.js';
import { hiddenMarker, type TrackerAnswer, trackerFailure } from './tracker-http.js';

export interface GitLabTrackerOptions {
  /** `group/project` (or the numeric id). */
  project: string;
  /** The instance, e.g. `https://gitlab.com` (the client adds `/api/v4`). */
  host: string;
  token: string;
  tokenVariable: string;
  timeoutMs?: number;
}

/** What the requester below throws for an answer that is not 2xx (or for no answer: status null). */
class GitLabAnswerError extends Error {
  constructor(
    readonly status: number | null,
    readonly headers: Record<string, string>,
    message: string,
  ) {
    super(message);
  }
}

const gitlabAnswer = (error: unknown): TrackerAnswer =>
  error instanceof GitLabAnswerError
    ? { status: error.status, headers: error.headers, message: error.message }
    : { status: null, headers: {}, message: error instanceof Error ? error.message : String(error) };

/**
 * @gitbeaker/rest's own request handler retries 429 and 502 up to ten times whatever the method
 * (and without reading Retry-After), so a note answered 502 after GitLab saved it would be posted
 * again. Herald gives the client this handler instead: one request, a timeout, the answer's status
 * and headers kept for the engine, which retries (after Retry-After) and reconciles.
 */
function singleShotRequester(timeoutMs: number) {
  return createRequesterFn(
    async (_, options) => options,
    async (endpoint, options = {}) => {
      const {
        prefixUrl,
        searchParams,
        method,
        headers,
        body,
        rateLimiters: _limits,
      } = options as {
        prefixUrl?: string;
        searchParams?: string;
        method?: string;
        headers?: Record<string, string>;
        body?: string;
        rateLimiters?: unknown;
      };
      const url = new URL(endpoint, prefixUrl?.endsWith('/') ? prefixUrl : `${prefixUrl}/`);
      url.search = searchParams ?? '';
      let response: Response;
      try {
        response = await fetch(url, {
          method: method ?? 'GET',
          headers: headers ?? {},
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause?.message;
        throw new GitLabAnswerError(null, {}, cause ?? (error as Error).message);
      }
      const answerHeaders = Object.fromEntries(response.headers.entries());
      const text = await response.text().catch(() => '');
      if (!response.ok) {
        let message = text.trim();
        try {
          const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
          const m = parsed.message ?? parsed.error;
          message = typeof m === 'string' ? m : JSON.stringify(m);
        } catch {}
        throw new GitLabAnswerError(response.status, answerHeaders, message.slice(0, 300));
      }
      const json = (answerHeaders['content-type'] ?? '').includes('json') && text ? JSON.parse(text) : text;
      return { body: json, headers: answerHeaders, status: response.status };
    },
  );
}

type GitLabApi = InstanceType<typeof Gitlab>;
/** Turns a client error into the tracker failure for `what` (a write or a read). */
type Failed = (what: string, write: boolean) => (error: unknown) => never;

const releaseOf = (data: { tag_name?: unknown; description?: unknown; _links?: { self?: unknown } }) =>
  ({
    id: String(data.tag_name),
    url: typeof data._links?.self === 'string' ? data._links.self : null,
    body: typeof data.description === 'string' ? data.description : '',
  }) satisfies CodeHostRelease;

/** The release half of the port: find by tag, create, update. */
function gitLabReleases(
  api: GitLabApi,
  project: string,
  failed: Failed,
): Pick<TrackerPort, 'findRelease' | 'createRelease' | 'updateRelease'> {
  return {
    async findRelease(tag) {
      try {
        return releaseOf((await api.ProjectReleases.show(project, tag)) as never);
      } catch (error) {
        if (error instanceof GitLabAnswerError && error.status === 404) return null;
        return failed(`release ${tag}`, false)(error);
      }
    },

    async createRelease(draft) {
      const data = await api.ProjectReleases.create(project, {
        tagName: draft.tag,
        name: draft.name,
        description: draft.body,
      } as never).catch(failed(`release ${draft.tag}`, true));
      return releaseOf(data as never);
    },

    async updateRelease(existing, draft) {
      const data = await api.ProjectReleases.edit(project, existing.id, {
        name: draft.name,
        description: draft.body,
      } as never).catch(failed(`release ${draft.tag}`, false));
      return releaseOf(data as never);
    },
  };
}

/** Whether the token is active with the "api" scope. */
async function verifyGitLab(api: GitLabApi, options: GitLabTrackerOptions): Promise<VerifyFinding[]> {
  const project = options.project;
  const check = `GitLab ${project}`;
  try {
    const token = (await api.PersonalAccessTokens.show()) as { scopes?: string[]; active?: boolean };
    const scopes = token.scopes ?? [];
    if (!scopes.includes('api'))
      return [
        {
          ok: false,
          check,
          detail: `${options.tokenVariable} has the scopes ${scopes.join(', ') || 'none'}, not "api"`,
          fix: 'Create a token with the "api" scope (and Reporter access for notes, Developer for releases).',
        },
      ];
    return [
      {
        ok: true,
        check,
        detail: `${options.tokenVariable} is active with the scopes ${scopes.join(', ')}`,
      },
    ];
  } catch (error) {
    const failure = trackerFailure(error, {
      what: check,
      write: false,
      tokenVariable: options.tokenVariable,
      answer: gitlabAnswer,
    });
    return [{ ok: false, check, detail: failure.message, ...(failure.fix ? { fix: failure.fix } : {}) }];
  }
}

/** GitLab issues and merge requests as an announce target, through @gitbeaker/rest (API v4). */
export function createGitLabTracker(options: GitLabTrackerOptions): TrackerPort {
  const host = options.host.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  const api = new Gitlab({
    host,
    token: options.token,
    requesterFn: singleShotRequester(options.timeoutMs ?? 30_000),
  });
  const project = options.project;
  const failed: Failed = (what, write) => (error) => {
    throw trackerFailure(error, {
      what: `GitLab ${project} ${what}`,
      write,
      tokenVariable: options.tokenVariable,
      answer: gitlabAnswer,
    });
  };
  const name = (item: TrackerItem) => `${item.kind === 'pull' ? '!' : '#'}${item.id}`;
  const iid = (item: TrackerItem) => Number(item.id);
  const notesOf = (item: TrackerItem) => (item.kind === 'pull' ? api.MergeRequestNotes : api.IssueNotes);

  return {
    tracker: 'gitlab',
    site: `gitlab:${host}/${project}`,
    description: `GitLab ${project}`,

    async readItem(item): Promise<TrackerItemState> {
      const data = (await (item.kind === 'pull'
        ? api.MergeRequests.show(project, iid(item))
        : api.Issues.show(iid(item), { projectId: project })
      ).catch(failed(name(item), false))) as {
        labels?: unknown;
        discussion_locked?: unknown;
        web_url?: unknown;
      };
      return {
        labels: Array.isArray(data.labels) ? data.labels.map(String) : [],
        locked: data.discussion_locked === true ? 'the discussion is locked' : null,
        url: typeof data.web_url === 'string' ? data.web_url : null,
      };
    },

    async postComment(item, comment) {
      const note = await notesOf(item)
        .create(project, iid(item), `${comment.text}\n\n${hiddenMarker(comment.marker)}`)
        .catch(failed(`note on ${name(item)}`, true));
      return { id: String(note.id), url: null };
    },

    async findComment(item, marker) {
      const wanted = hiddenMarker(marker);
      // `all` follows GitLab's pages (Link / X-Next-Page) to the end.
      const notes = await notesOf(item)
        .all(project, iid(item), { perPage: 100 })
        .catch(failed(`notes of ${name(item)}`, false));
      const found = (notes as { id: number; body?: string }[]).find((n) => n.body?.includes(wanted));
      return found ? { id: String(found.id), url: null } : null;
    },

    async addLabels(item, labels) {
      // add_labels is a comma-separated string; adding a label twice is harmless.
      const edit = { addLabels: labels.join(',') };
      await (item.kind === 'pull'
        ? api.MergeRequests.edit(project, iid(item), edit)
        : api.Issues.edit(project, iid(item), edit)
      ).catch(failed(`labels of ${name(item)}`, false));
    },

    ...gitLabReleases(api, project, failed),

    verify: () => verifyGitLab(api, options),
  };
}
