import { Version3Client } from 'jira.js';
import type { TrackerItem } from '../core/delivery-ops/index.js';
import { commentToAdf } from '../core/tracker-adf.js';
import type { PostedComment, TrackerItemState, TrackerPort, VerifyFinding } from '../ports/index.js';
import { type TrackerAnswer, trackerFailure } from './tracker-http.js';

export interface JiraTrackerOptions {
  /** The site, e.g. `https://acme.atlassian.net`. */
  url: string;
  email: string;
  apiToken: string;
  /** The variables the email and token came from, for fixes (never their values). */
  variables: string;
  timeoutMs?: number;
}

/** The comment property that names Herald's delivery: how a comment whose answer was lost is found. */
const PROPERTY = 'herald.delivery';

/**
 * jira.js turns an answered error into an HttpException (status, data; the axios error with the
 * headers as its cause) and leaves one with no answer an AxiosError without `response`.
 */
function jiraAnswer(error: unknown): TrackerAnswer {
  const e = error as {
    status?: unknown;
    message?: string;
    response?: { data?: unknown; status?: unknown; headers?: Record<string, string> };
    cause?: { response?: { headers?: Record<string, string>; data?: unknown } };
  };
  const headers = e?.cause?.response?.headers ?? e?.response?.headers ?? {};
  const status = typeof e?.status === 'number' && (e.cause?.response || e.response) ? e.status : null;
  const data = (e?.response?.data ?? e?.cause?.response?.data) as
    | { errorMessages?: unknown; errors?: Record<string, unknown> }
    | undefined;
  const words = [
    ...(Array.isArray(data?.errorMessages) ? data.errorMessages.map(String) : []),
    ...Object.values(data?.errors ?? {}).map(String),
  ];
  return {
    status,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)])),
    message: words.join(' ') || String(e?.message ?? error),
  };
}

/** Turns a client error into the tracker failure for `what` (a write or a read). */
type Failed = (what: string, write: boolean) => (error: unknown) => never;

/** The comment by Herald's own account whose delivery property holds `marker`, newest first. */
async function findMarkedComment(
  client: Version3Client,
  site: string,
  item: TrackerItem,
  marker: string,
  account: string,
  failed: Failed,
): Promise<PostedComment | null> {
  const mine: string[] = [];
  for (let startAt = 0; ; ) {
    const page = await client.issueComments
      .getComments({ issueIdOrKey: item.id, startAt, maxResults: 100 })
      .catch(failed(`comments of ${item.id}`, false));
    const list = page.comments ?? [];
    for (const c of list) if (c.id && c.author?.accountId === account) mine.push(c.id);
    startAt += list.length;
    if (list.length === 0 || startAt >= (page.total ?? 0)) break;
  }
  // Only comments by Herald's own account can carry its property: newest first.
  for (const id of mine.reverse()) {
    try {
      const property = await client.issueCommentProperties.getCommentProperty({
        commentId: id,
        propertyKey: PROPERTY,
      });
      if ((property.value as { marker?: unknown } | undefined)?.marker === marker)
        return { id, url: `${site}/browse/${item.id}?focusedCommentId=${id}` };
    } catch (error) {
      if (jiraAnswer(error).status !== 404) failed(`comment ${id} of ${item.id}`, false)(error);
    }
  }
  return null;
}

/** Whether the email and token sign in. */
async function verifyJira(
  client: Version3Client,
  site: string,
  options: JiraTrackerOptions,
): Promise<VerifyFinding[]> {
  const check = `Jira ${site}`;
  try {
    const user = await client.myself.getCurrentUser();
    return [
      {
        ok: true,
        check,
        detail: `${options.variables} sign in as ${user.displayName ?? user.accountId}`,
      },
    ];
  } catch (error) {
    const failure = trackerFailure(error, {
      what: check,
      write: false,
      tokenVariable: options.variables,
      answer: jiraAnswer,
    });
    return [{ ok: false, check, detail: failure.message, ...(failure.fix ? { fix: failure.fix } : {}) }];
  }
}

/**
 * Jira Cloud issues as an announce target, through jira.js 5's Version3Client (REST v3: comments
 * in Atlassian Document Format, transitions by id looked up by name — ids differ per workflow).
 * jira.js does not retry; the engine does, after Retry-After, and reconciles a lost comment by
 * the property every Herald comment carries.
 */
export function createJiraTracker(options: JiraTrackerOptions): TrackerPort {
  const site = options.url.replace(/\/+$/, '');
  const client = new Version3Client({
    host: site,
    authentication: { basic: { email: options.email, apiToken: options.apiToken } },
    baseRequestConfig: { timeout: options.timeoutMs ?? 30_000 },
  });
  const failed: Failed = (what, write) => (error) => {
    throw trackerFailure(error, {
      what: `Jira ${what}`,
      write,
      tokenVariable: options.variables,
      answer: jiraAnswer,
    });
  };
  let me: Promise<string> | null = null;
  const myAccount = () => {
    me ??= client.myself
      .getCurrentUser()
      .then((u) => u.accountId ?? '')
      .catch((error) => {
        me = null;
        return failed('myself', false)(error);
      });
    return me;
  };

  return {
    tracker: 'jira',
    site: `jira:${site}`,
    description: `Jira ${site.replace(/^https?:\/\//, '')}`,

    async readItem(item): Promise<TrackerItemState> {
      const issue = await client.issues
        .getIssue({ issueIdOrKey: item.id, fields: ['labels'] })
        .catch(failed(item.id, false));
      return {
        labels: (issue.fields?.labels as string[] | undefined) ?? [],
        locked: null,
        url: `${site}/browse/${item.id}`,
      };
    },

    async postComment(item, comment): Promise<PostedComment> {
      const made = await client.issueComments
        .addComment({
          issueIdOrKey: item.id,
          comment: commentToAdf(comment.text) as never,
          properties: [{ key: PROPERTY, value: { marker: comment.marker } }],
        })
        .catch(failed(`comment on ${item.id}`, true));
      return { id: String(made.id), url: `${site}/browse/${item.id}?focusedCommentId=${made.id}` };
    },

    async findComment(item, marker) {
      return findMarkedComment(client, site, item, marker, await myAccount(), failed);
    },

    async addLabels(item, labels) {
      await client.issues
        .editIssue({
          issueIdOrKey: item.id,
          update: { labels: labels.map((add) => ({ add })) },
          notifyUsers: false,
        })
        .catch(failed(`labels of ${item.id}`, false));
    },

    async transition(item: TrackerItem, name: string) {
      const { transitions = [] } = await client.issues
        .getTransitions({ issueIdOrKey: item.id })
        .catch(failed(`transitions of ${item.id}`, false));
      const wanted = transitions.find((t) => t.name?.toLowerCase() === name.toLowerCase());
      if (!wanted?.id) return false;
      await client.issues
        .doTransition({ issueIdOrKey: item.id, transition: { id: wanted.id } })
        .catch(failed(`transition of ${item.id}`, false));
      return true;
    },

    verify: () => verifyJira(client, site, options),
  };
}
