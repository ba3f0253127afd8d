import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prng } from './prng.js';

/**
 * A local stand-in for Jira Cloud REST v3, as Herald uses it: `GET /rest/api/3/myself`; an issue
 * (`GET`, `PUT` with `update.labels[].add`); its comments (`GET` paginated by startAt/maxResults;
 * `POST` with an Atlassian Document Format body and entity properties — a plain-string body is
 * v2's and is refused with 400); a comment's property (`GET /comment/{id}/properties/{key}`); its transitions (`GET`, `POST` by id →
 * 204, an id not offered in the current status → 400). Basic auth (email:API token), 429 with
 * Retry-After and RateLimit-Reason, injected faults and a log of every request.
 */

export interface JiraSeed {
  key: string;
  summary?: string;
  status?: string;
  labels?: string[];
  /** Only visible to other users: answered 404 like a deleted issue. */
  hidden?: boolean;
}

/** A workflow: from each status, the transitions offered (name → the status it leads to). */
export type JiraWorkflow = Record<string, Record<string, string>>;

export type Fault = number | 'reset' | 'reset-after' | '429-bare';

export interface RandomFaults {
  rate: number;
  kinds?: Fault[];
  seed?: number;
  onlyWrites?: boolean;
}

export interface JiraEmulatorOptions {
  issues?: JiraSeed[];
  email?: string;
  apiToken?: string;
  workflow?: JiraWorkflow;
  /** Comments per page whatever maxResults says, to force pagination. */
  pageSize?: number;
  faults?: RandomFaults | null;
}

export interface JiraComment {
  id: string;
  key: string;
  /** The author's accountId: the API token's account for comments made through the API. */
  author: string;
  body: unknown;
  properties: { key: string; value: unknown }[];
}

export interface LoggedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  status: number | 'reset';
  fault?: Fault;
}

export interface JiraEmulator {
  url: string;
  requests: LoggedRequest[];
  comments: JiraComment[];
  /** Transitions done, in order: issue key and transition id. */
  transitions: { key: string; id: string }[];
  statusOf(key: string): string | undefined;
  labelsOf(key: string): string[];
  writes(): LoggedRequest[];
  failNext(count: number, fault: Fault, method?: string): void;
  setFaults(faults: RandomFaults | null): void;
  close(): Promise<void>;
}

/** Jira's default software workflow, with a "Released" step after Done. */
export const DEFAULT_WORKFLOW: JiraWorkflow = {
  'To Do': { 'Start progress': 'In Progress', Done: 'Done' },
  'In Progress': { Done: 'Done' },
  Done: { Released: 'Released', Reopen: 'To Do' },
  Released: { Reopen: 'To Do' },
};

/** The accountId of the API token's user. */
export const BOT = '5b10ac8d82e05b22cc7d4ef5';

const ALL_FAULTS: Fault[] = [429, '429-bare', 500, 503, 'reset', 'reset-after'];
const WRITE = new Set(['POST', 'PUT', 'DELETE']);
const NOT_FOUND = {
  errorMessages: ['Issue does not exist or you do not have permission to see it.'],
  errors: {},
};

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function startJiraEmulator(options: JiraEmulatorOptions = {}): Promise<JiraEmulator> {
  const workflow = options.workflow ?? DEFAULT_WORKFLOW;
  const names = Object.values(workflow).flatMap((t) => Object.keys(t));
  // Transition ids are per workflow: stable numbers, never the same as their names.
  const idOf = (name: string) => String(11 + [...new Set(names)].indexOf(name) * 10);
  const issues = new Map(
    (options.issues ?? []).map((seed) => [
      seed.key,
      { ...seed, status: seed.status ?? 'Done', labels: [...(seed.labels ?? [])] },
    ]),
  );
  const requests: LoggedRequest[] = [];
  const comments: JiraComment[] = [];
  const transitions: { key: string; id: string }[] = [];
  const faults: { fault: Fault; method: string | undefined }[] = [];
  let random: { faults: RandomFaults; next: () => number } | null = null;
  const setFaults = (next: RandomFaults | null | undefined) => {
    random = next ? { faults: next, next: prng(next.seed ?? 1) } : null;
  };
  setFaults(options.faults);
  let nextId = 10_000;
  let base = '';
  const expectedAuth =
    options.email && options.apiToken
      ? `Basic ${Buffer.from(`${options.email}:${options.apiToken}`).toString('base64')}`
      : null;

  const drawFault = (method: string): Fault | undefined => {
    const index = faults.findIndex((f) => f.method === undefined || f.method === method);
    if (index >= 0) return faults.splice(index, 1)[0]?.fault;
    if (!random || (random.faults.onlyWrites && !WRITE.has(method))) return undefined;
    if (random.next() >= random.faults.rate) return undefined;
    const kinds = random.faults.kinds?.length ? random.faults.kinds : ALL_FAULTS;
    return kinds[Math.floor(random.next() * kinds.length)];
  };

  const send = (res: ServerResponse, entry: LoggedRequest, answer: Answer) => {
    entry.status = answer.status;
    res.writeHead(answer.status, {
      ...(answer.body === undefined ? {} : { 'content-type': 'application/json;charset=UTF-8' }),
      ...answer.headers,
    });
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const entry: LoggedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      status: 0,
    };
    requests.push(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const fault = drawFault(entry.method);
    if (fault !== undefined) entry.fault = fault;
    if (fault === 'reset') {
      entry.status = 'reset';
      req.socket.destroy();
      return;
    }
    if (fault === 429 || fault === '429-bare')
      return send(res, entry, {
        status: 429,
        body: { errorMessages: ['Rate limit exceeded.'], errors: {} },
        headers: {
          ...(fault === 429 ? { 'retry-after': '1' } : {}),
          'ratelimit-reason': 'jira-burst-based',
          'x-ratelimit-limit': '100',
          'x-ratelimit-remaining': '0',
        },
      });
    if (typeof fault === 'number')
      return send(res, entry, { status: fault, body: { errorMessages: ['Internal server error'] } });
    if (expectedAuth && req.headers.authorization !== expectedAuth)
      return send(res, entry, {
        status: 401,
        body: {
          errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
        },
      });
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return send(res, entry, {
        status: 400,
        body: { errorMessages: ['Unexpected character in the request body.'] },
      });
    }
    const answer = route(entry.method, new URL(req.url ?? '/', base), body);
    if (fault === 'reset-after') {
      entry.status = 'reset';
      req.socket.destroy();
      return;
    }
    send(res, entry, answer);
  };

  function route(method: string, url: URL, body: Record<string, unknown>): Answer {
    if (url.pathname === '/rest/api/3/myself' && method === 'GET')
      return {
        status: 200,
        body: {
          accountId: BOT,
          emailAddress: options.email ?? 'bot@acme.test',
          displayName: 'Herald',
          active: true,
        },
      };
    const property = /^\/rest\/api\/3\/comment\/([^/]+)\/properties\/([^/]+)$/.exec(url.pathname);
    if (property && method === 'GET') {
      const comment = comments.find((c) => c.id === property[1]);
      const found = comment?.properties.find((p) => p.key === decodeURIComponent(property[2]!));
      return found
        ? { status: 200, body: { key: found.key, value: found.value } }
        : { status: 404, body: { errorMessages: ['The property was not found.'], errors: {} } };
    }
    const match = /^\/rest\/api\/3\/issue\/([^/]+)(\/comment|\/transitions)?$/.exec(url.pathname);
    if (!match) return { status: 404, body: { errorMessages: ['Not found'] } };
    const issue = issues.get(decodeURIComponent(match[1]!));
    if (!issue || issue.hidden) return { status: 404, body: NOT_FOUND };
    const offered = workflow[issue.status] ?? {};
    switch (`${method} ${match[2] ?? ''}`) {
      case 'GET ':
        return {
          status: 200,
          body: {
            id: '10001',
            key: issue.key,
            fields: {
              summary: issue.summary ?? issue.key,
              labels: issue.labels,
              status: { name: issue.status },
            },
          },
        };
      case 'PUT ': {
        const update = (body.update as { labels?: { add?: string }[] } | undefined)?.labels ?? [];
        for (const op of update) if (op.add && !issue.labels.includes(op.add)) issue.labels.push(op.add);
        return { status: 204 };
      }
      case 'GET /comment': {
        const all = comments.filter((c) => c.key === issue.key);
        const startAt = Number(url.searchParams.get('startAt') ?? 0);
        const maxResults = options.pageSize ?? Number(url.searchParams.get('maxResults') ?? 50);
        return {
          status: 200,
          body: {
            startAt,
            maxResults,
            total: all.length,
            comments: all.slice(startAt, startAt + maxResults).map((c) => ({
              id: c.id,
              body: c.body,
              author: { accountId: c.author, displayName: c.author === BOT ? 'Herald' : 'Someone' },
            })),
          },
        };
      }
      case 'POST /comment': {
        const doc = body.body as { type?: unknown; version?: unknown; content?: unknown } | undefined;
        if (
          !doc ||
          typeof doc !== 'object' ||
          doc.type !== 'doc' ||
          doc.version !== 1 ||
          !Array.isArray(doc.content)
        )
          return {
            status: 400,
            body: { errorMessages: [], errors: { comment: 'Comment body is not valid!' } },
          };
        const comment: JiraComment = {
          id: String(nextId++),
          key: issue.key,
          author: BOT,
          body: doc,
          properties: Array.isArray(body.properties) ? (body.properties as JiraComment['properties']) : [],
        };
        comments.push(comment);
        return {
          status: 201,
          body: {
            id: comment.id,
            self: `${base}/rest/api/3/issue/${issue.key}/comment/${comment.id}`,
            body: doc,
          },
        };
      }
      case 'GET /transitions':
        return {
          status: 200,
          body: {
            transitions: Object.entries(offered).map(([name, to]) => ({
              id: idOf(name),
              name,
              to: { name: to },
            })),
          },
        };
      case 'POST /transitions': {
        const id = (body.transition as { id?: unknown } | undefined)?.id;
        const found = Object.entries(offered).find(([name]) => idOf(name) === id);
        if (!found)
          return {
            status: 400,
            body: {
              errorMessages: [`Transition id '${String(id)}' is not valid for this issue.`],
              errors: {},
            },
          };
        issue.status = found[1];
        transitions.push({ key: issue.key, id: String(id) });
        return { status: 204 };
      }
      default:
        return { status: 405, body: { errorMessages: ['Method not allowed'] } };
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    comments,
    transitions,
    statusOf: (key) => issues.get(key)?.status,
    labelsOf: (key) => [...(issues.get(key)?.labels ?? [])],
    writes: () => requests.filter((r) => WRITE.has(r.method)),
    failNext(count, fault, method) {
      for (let i = 0; i < count; i++) faults.push({ fault, method });
    },
    setFaults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
