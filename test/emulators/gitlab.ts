import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prng } from './prng.js';

/**
 * A local stand-in for the GitLab REST API v4: `GET /projects/:id/merge_requests` and
 * `GET /projects/:id/issues` filtered by `iids[]`, paginated; one issue or merge request (read,
 * notes list and create, `PUT` with `add_labels`); releases (`GET`/`PUT /releases/:tag_name`,
 * `POST /releases`, 409 when the tag has one); `GET /personal_access_tokens/self`. With
 * `PRIVATE-TOKEN` checks, 429 rate limits with Retry-After, injected faults (statuses, 429 without
 * Retry-After, resets before and after the request took effect) and a log of every request.
 */

export interface GitLabSeed {
  iid: number;
  title: string;
  labels?: string[];
  /** The author's username; default `jdoe`. */
  author?: string;
  description?: string | null;
  /** `discussion_locked`: GitLab refuses notes from non-members. */
  locked?: boolean;
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
  /** What `GET /personal_access_tokens/self` says the token may do; default `['api']`. */
  scopes?: string[];
  faults?: RandomFaults | null;
}

/** A share `rate` (0..1) of requests fail with one of `kinds`, drawn from a seeded PRNG. */
export interface RandomFaults {
  rate: number;
  kinds?: Fault[];
  seed?: number;
  onlyWrites?: boolean;
}

export interface GitLabNote {
  id: number;
  kind: 'issues' | 'merge_requests';
  iid: number;
  body: string;
}

export interface GitLabRelease {
  tag_name: string;
  name: string | null;
  description: string | null;
}

export interface LoggedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The status answered, `reset` for a destroyed connection, 0 while unanswered. */
  status: number | 'reset';
  fault?: Fault;
}

/** A status (nothing happens), `429` (with Retry-After), `429-bare`, `reset`, or `reset-after` (done, answer lost). */
export type Fault = number | 'reset' | 'reset-after' | '429-bare';

export interface GitLabEmulator {
  /** The API root (`…/api/v4`) to pass as `apiUrl`. */
  url: string;
  requests: LoggedRequest[];
  readonly maxInFlight: number;
  notes: GitLabNote[];
  releases: GitLabRelease[];
  labelsOf(kind: 'issues' | 'merge_requests', iid: number): string[];
  writes(): LoggedRequest[];
  /** Fails the next `count` requests (of `method` only, when given) with this fault. */
  failNext(count: number, fault: Fault, method?: string): void;
  setFaults(faults: RandomFaults | null): void;
  addRelease(release: GitLabRelease): void;
  close(): Promise<void>;
}

const ALL_FAULTS: Fault[] = [429, '429-bare', 500, 502, 'reset', 'reset-after'];
const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** GitLab's documented maximum for `per_page`, also used here as the `iids[]` maximum. */
const MAX_PER_PAGE = 100;

export async function startGitLabEmulator(options: GitLabEmulatorOptions = {}): Promise<GitLabEmulator> {
  const project = options.project ?? 'group/sub/project';
  const lists = {
    merge_requests: (options.mergeRequests ?? []).map((s) => ({ ...s })),
    issues: (options.issues ?? []).map((s) => ({ ...s })),
  };
  const requests: LoggedRequest[] = [];
  const faults: { fault: Fault; method: string | undefined }[] = [];
  const notes: GitLabNote[] = [];
  const releases: GitLabRelease[] = [];
  let nextId = 1;
  let random: { faults: RandomFaults; next: () => number } | null = null;
  const setFaults = (next: RandomFaults | null | undefined) => {
    random = next ? { faults: next, next: prng(next.seed ?? 1) } : null;
  };
  setFaults(options.faults);
  const drawFault = (method: string): Fault | undefined => {
    const index = faults.findIndex((f) => f.method === undefined || f.method === method);
    if (index >= 0) return faults.splice(index, 1)[0]?.fault;
    if (!random || (random.faults.onlyWrites && !WRITE.has(method))) return undefined;
    if (random.next() >= random.faults.rate) return undefined;
    const kinds = random.faults.kinds?.length ? random.faults.kinds : ALL_FAULTS;
    return kinds[Math.floor(random.next() * kinds.length)];
  };
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
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));

    const fault = drawFault(entry.method);
    if (fault !== undefined) entry.fault = fault;
    if (fault === 'reset') {
      entry.status = 'reset';
      req.socket.destroy();
      return;
    }
    if (fault === 429) return send(res, entry, 429, 'Retry later\n', { 'retry-after': '1' });
    if (fault === '429-bare') return send(res, entry, 429, 'Retry later\n');
    if (typeof fault === 'number') return send(res, entry, fault, { message: '500 Internal Server Error' });

    if (options.token && req.headers['private-token'] !== options.token) {
      return send(res, entry, 401, { message: '401 Unauthorized' });
    }
    const limited = checkRateLimit();
    if (limited) return send(res, entry, 429, 'Retry later\n', limited);

    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/api/v4/personal_access_tokens/self' && req.method === 'GET')
      return send(res, entry, 200, {
        id: 1,
        name: 'herald',
        active: true,
        revoked: false,
        scopes: options.scopes ?? ['api'],
        expires_at: '2099-01-01',
      });
    let payload: Record<string, unknown> = {};
    try {
      payload = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return send(res, entry, 400, { error: 'body is not JSON' });
    }
    const one =
      /^\/api\/v4\/projects\/([^/]+)\/(merge_requests|issues|releases)(?:\/([^/]+)(\/notes)?)?$/.exec(
        url.pathname,
      );
    if (one && (one[3] !== undefined || one[2] === 'releases')) {
      if (decodeURIComponent(one[1]!) !== project)
        return send(res, entry, 404, { message: '404 Project Not Found' });
      const answer =
        one[2] === 'releases'
          ? releaseRoute(req.method ?? '', one[3] === undefined ? null : decodeURIComponent(one[3]), payload)
          : itemRoute(
              req.method ?? '',
              one[2] as keyof typeof lists,
              Number(one[3]),
              one[4] !== undefined,
              url,
              payload,
            );
      if (fault === 'reset-after') {
        entry.status = 'reset';
        req.socket.destroy();
        return;
      }
      return send(res, entry, answer.status, answer.body, answer.headers);
    }
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
    const list = items.slice((page - 1) * perPage, page * perPage).map((seed) => itemJson(seed, kind));
    send(res, entry, 200, list, {
      ...pageHeaders(url, page, pages, perPage, items.length),
      ...remainingHeaders(),
    });
  };

  type Answer = { status: number; body: unknown; headers?: Record<string, string> };

  function itemRoute(
    method: string,
    kind: keyof typeof lists,
    iid: number,
    notesPath: boolean,
    url: URL,
    body: Record<string, unknown>,
  ): Answer {
    const seed = lists[kind].find((s) => s.iid === iid);
    if (!seed) return { status: 404, body: { message: '404 Not found' } };
    if (!notesPath && method === 'GET') return { status: 200, body: itemJson(seed, kind) };
    if (!notesPath && method === 'PUT') {
      const add = typeof body.add_labels === 'string' ? body.add_labels.split(',').filter(Boolean) : [];
      seed.labels = [...new Set([...(seed.labels ?? []), ...add])];
      return { status: 200, body: itemJson(seed, kind) };
    }
    if (notesPath && method === 'GET') {
      const all = notes.filter((n) => n.kind === kind && n.iid === iid);
      const perPage =
        options.pageSize ?? Math.min(Number(url.searchParams.get('per_page') ?? 20) || 20, MAX_PER_PAGE);
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
      const pages = Math.max(1, Math.ceil(all.length / perPage));
      return {
        status: 200,
        body: all.slice((page - 1) * perPage, page * perPage).map(noteJson),
        headers: pageHeaders(url, page, pages, perPage, all.length),
      };
    }
    if (notesPath && method === 'POST') {
      if (seed.locked) return { status: 403, body: { message: '403 Forbidden' } };
      if (typeof body.body !== 'string' || body.body === '')
        return { status: 400, body: { error: 'body is missing' } };
      const note: GitLabNote = { id: nextId++, kind, iid, body: body.body };
      notes.push(note);
      return { status: 201, body: noteJson(note) };
    }
    return { status: 404, body: { error: '404 Not Found' } };
  }

  function releaseRoute(method: string, tag: string | null, body: Record<string, unknown>): Answer {
    if (tag === null && method === 'POST') {
      const name = body.tag_name;
      if (typeof name !== 'string' || name === '')
        return { status: 400, body: { error: 'tag_name is missing' } };
      if (releases.some((r) => r.tag_name === name))
        return { status: 409, body: { message: 'Release already exists' } };
      const release: GitLabRelease = {
        tag_name: name,
        name: typeof body.name === 'string' ? body.name : null,
        description: typeof body.description === 'string' ? body.description : null,
      };
      releases.push(release);
      return { status: 201, body: releaseJson(release) };
    }
    const release = releases.find((r) => r.tag_name === tag);
    if (!release) return { status: 404, body: { message: '404 Not Found' } };
    if (method === 'GET') return { status: 200, body: releaseJson(release) };
    if (method === 'PUT') {
      if (typeof body.description === 'string') release.description = body.description;
      if (typeof body.name === 'string') release.name = body.name;
      return { status: 200, body: releaseJson(release) };
    }
    return { status: 404, body: { error: '404 Not Found' } };
  }

  function noteJson(note: GitLabNote) {
    return {
      id: note.id,
      body: note.body,
      system: false,
      author: { id: 9, username: 'herald-bot' },
      noteable_iid: note.iid,
    };
  }

  function releaseJson(release: GitLabRelease) {
    return {
      tag_name: release.tag_name,
      name: release.name,
      description: release.description,
      _links: {
        self: `https://gitlab.example.com/${project}/-/releases/${encodeURIComponent(release.tag_name)}`,
      },
    };
  }

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
      discussion_locked: seed.locked ?? null,
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
    notes,
    releases,
    labelsOf: (kind, iid) => [...(lists[kind].find((s) => s.iid === iid)?.labels ?? [])],
    writes: () => requests.filter((r) => WRITE.has(r.method)),
    failNext(count, fault, method) {
      for (let i = 0; i < count; i++) faults.push({ fault, method });
    },
    setFaults,
    addRelease(release) {
      releases.push({ ...release });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
