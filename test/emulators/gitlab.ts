import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the GitLab REST API v4: `GET /projects/:id/merge_requests` and
 * `GET /projects/:id/issues` filtered by `iids[]`, paginated, with `PRIVATE-TOKEN` checks, 429 rate
 * limits, injected faults and a log of every request.
 */

export interface GitLabSeed {
  iid: number;
  title: string;
  labels?: string[];
  /** The author's username; default `jdoe`. */
  author?: string;
  description?: string | null;
}

export interface GitLabEmulatorOptions {
  /** The project path, default `group/sub/project`. */
  project?: string;
  mergeRequests?: GitLabSeed[];
  issues?: GitLabSeed[];
  /** When set, every request must carry `PRIVATE-TOKEN: <token>`. */
  token?: string | null;
  /** Answer `limit` requests per window of `resetSeconds`, then 429 with `retry-after` until it ends. */
  rateLimit?: { limit: number; resetSeconds: number };
  /** Items per page whatever `per_page` says, to force pagination. */
  pageSize?: number;
  /** Which pagination headers to send; default both, as GitLab does. */
  pagination?: 'both' | 'link' | 'x-next-page';
  delayMs?: number;
}

export interface LoggedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The status answered, `reset` for a destroyed connection, 0 while unanswered. */
  status: number | 'reset';
}

export type Fault = number | 'reset';

export interface GitLabEmulator {
  /** The API root (`…/api/v4`) to pass as `apiUrl`. */
  url: string;
  requests: LoggedRequest[];
  readonly maxInFlight: number;
  /** Fails the next `count` requests with this status, or by destroying the connection. */
  failNext(count: number, fault: Fault): void;
  close(): Promise<void>;
}

/** GitLab's documented maximum for `per_page`, also used here as the `iids[]` maximum. */
const MAX_PER_PAGE = 100;

export async function startGitLabEmulator(options: GitLabEmulatorOptions = {}): Promise<GitLabEmulator> {
  const project = options.project ?? 'group/sub/project';
  const lists = { merge_requests: options.mergeRequests ?? [], issues: options.issues ?? [] };
  const requests: LoggedRequest[] = [];
  const faults: Fault[] = [];
  const limit = { used: 0, windowEnd: 0 };
  let inFlight = 0;
  let maxInFlight = 0;
  let origin = '';

  const send = (
    res: ServerResponse,
    entry: LoggedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    entry.status = status;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain' : 'application/json';
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const entry: LoggedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      status: 0,
    };
    requests.push(entry);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));

    const fault = faults.shift();
    if (fault === 'reset') {
      entry.status = 'reset';
      req.socket.destroy();
      return;
    }
    if (fault !== undefined) return send(res, entry, fault, { message: '500 Internal Server Error' });

    if (options.token && req.headers['private-token'] !== options.token) {
      return send(res, entry, 401, { message: '401 Unauthorized' });
    }
    const limited = checkRateLimit();
    if (limited) return send(res, entry, 429, 'Retry later\n', limited);

    const url = new URL(req.url ?? '/', origin);
    // The project id is one URL-encoded path segment: `group%2Fsub%2Fproject`.
    const match = /^\/api\/v4\/projects\/([^/]+)\/(merge_requests|issues)$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) return send(res, entry, 404, { error: '404 Not Found' });
    if (decodeURIComponent(match[1]!) !== project)
      return send(res, entry, 404, { message: '404 Project Not Found' });

    const iids = url.searchParams.getAll('iids[]').map(Number);
    if (iids.length > MAX_PER_PAGE) return send(res, entry, 400, { error: 'iids has too many values' });
    const kind = match[2] as keyof typeof lists;
    const wanted = new Set(iids);
    // GitLab's default order: newest first.
    const items = lists[kind]
      .filter((seed) => iids.length === 0 || wanted.has(seed.iid))
      .sort((a, b) => b.iid - a.iid);
    const perPage =
      options.pageSize ?? Math.min(Number(url.searchParams.get('per_page') ?? 20) || 20, MAX_PER_PAGE);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const pages = Math.max(1, Math.ceil(items.length / perPage));
    const body = items.slice((page - 1) * perPage, page * perPage).map((seed) => itemJson(seed, kind));
    send(res, entry, 200, body, {
      ...pageHeaders(url, page, pages, perPage, items.length),
      ...remainingHeaders(),
    });
  };

  function pageHeaders(
    url: URL,
    page: number,
    pages: number,
    perPage: number,
    total: number,
  ): Record<string, string> {
    const headers: Record<string, string> = {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(total),
      'x-total-pages': String(pages),
      'x-prev-page': page > 1 ? String(page - 1) : '',
    };
    const mode = options.pagination ?? 'both';
    if (mode !== 'link') headers['x-next-page'] = page < pages ? String(page + 1) : '';
    if (mode !== 'x-next-page') {
      const at = (n: number) => {
        const target = new URL(url);
        target.searchParams.set('page', String(n));
        return target.href;
      };
      const links = [`<${at(1)}>; rel="first"`, `<${at(pages)}>; rel="last"`];
      if (page < pages) links.unshift(`<${at(page + 1)}>; rel="next"`);
      if (page > 1) links.unshift(`<${at(page - 1)}>; rel="prev"`);
      headers.link = links.join(', ');
    }
    return headers;
  }

  /** Counts the request against the window; the 429 headers to send when the window is used up. */
  function checkRateLimit(): Record<string, string> | null {
    const rate = options.rateLimit;
    if (!rate) return null;
    const now = Date.now();
    if (now >= limit.windowEnd) Object.assign(limit, { used: 0, windowEnd: now + rate.resetSeconds * 1000 });
    if (limit.used < rate.limit) {
      limit.used++;
      return null;
    }
    return { 'retry-after': String(Math.ceil((limit.windowEnd - now) / 1000)), ...remainingHeaders() };
  }

  function remainingHeaders(): Record<string, string> {
    const rate = options.rateLimit;
    if (!rate) return {};
    return {
      'ratelimit-limit': String(rate.limit),
      'ratelimit-remaining': String(rate.limit - limit.used),
      'ratelimit-reset': String(Math.ceil(limit.windowEnd / 1000)),
    };
  }

  function itemJson(seed: GitLabSeed, kind: keyof typeof lists) {
    const path = kind === 'merge_requests' ? 'merge_requests' : 'issues';
    return {
      id: 500_000 + seed.iid,
      iid: seed.iid,
      project_id: 42,
      title: seed.title,
      description: seed.description ?? null,
      state: kind === 'merge_requests' ? 'merged' : 'closed',
      labels: seed.labels ?? [],
      author: { id: 7, username: seed.author ?? 'jdoe', name: 'J. Doe' },
      web_url: `https://gitlab.example.com/${project}/-/${path}/${seed.iid}`,
    };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/api/v4`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    failNext(count, fault) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
