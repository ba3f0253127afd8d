import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prng } from './prng.js';

/**
 * A local stand-in for the GitHub REST API: the repository, its issues and pull requests (read,
 * comment, label), its releases (by tag, create, update) and `GET /user`, with token checks,
 * primary and secondary rate limits (content creation too), injected faults (statuses, 429 with
 * and without Retry-After, resets before and after the request took effect) and a log of every
 * request. Status codes and messages follow GitHub's REST reference: a locked issue refuses
 * comments with 403 "Unable to create comment because issue is locked.", a second release for a
 * tag is 422 `already_exists`, list endpoints paginate with a `Link` header.
 */

export interface GitHubSeed {
  number: number;
  title: string;
  /** A pull request: the answer carries a `pull_request` key and a `/pull/` web URL. */
  pull?: boolean;
  labels?: string[];
  /** Serve labels as plain strings instead of `{ name }` objects. */
  labelsAsStrings?: boolean;
  /** The author's login; null for a deleted ("ghost") user. Default `octocat`. */
  user?: string | null;
  body?: string | null;
  /** Comments refused with GitHub's 403 "Unable to create comment because issue is locked." */
  locked?: boolean;
}

export interface GitHubEmulatorOptions {
  /** `owner/name`, default `acme/app`. */
  repository?: string;
  issues?: GitHubSeed[];
  /** When set, every request must carry `Authorization: Bearer <token>` (or `token <token>`). */
  token?: string | null;
  /** Sent as `X-OAuth-Scopes` (a classic token's scopes); unset: the header is not sent (fine-grained). */
  scopes?: string;
  /** What `GET /repos/{owner}/{repo}` says the token may do; default push true. */
  push?: boolean;
  /**
   * Answer `limit` requests per window of `resetSeconds`, then refuse until the window ends:
   * `primary` (default) is 403 with `x-ratelimit-remaining: 0`, `secondary` is 429 with `retry-after`.
   */
  rateLimit?: { limit: number; resetSeconds: number; kind?: 'primary' | 'secondary' };
  /**
   * GitHub's secondary limit on content creation (comments, releases): `limit` POSTs per window of
   * `windowSeconds`, then 403 "You have exceeded a secondary rate limit" with `retry-after`.
   */
  contentLimit?: { limit: number; windowSeconds: number };
  /** Delay before every answer, so that concurrent requests overlap. */
  delayMs?: number;
  /** Comments per page of the list endpoint when the request names none (GitHub: 30). */
  defaultPerPage?: number;
  /** Seeded random faults on a share of requests. */
  faults?: RandomFaults | null;
}

export interface LoggedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The status answered, `reset` for a destroyed connection, 0 while unanswered. */
  status: number | 'reset';
  /** The fault injected into this request, if any. */
  fault?: Fault;
}

/**
 * A status to answer with instead (nothing happens), `429-bare` (a 429 without Retry-After),
 * `403-primary` (the primary limit: 403, `x-ratelimit-remaining: 0`, reset in a second, no
 * Retry-After), `reset` (the connection drops before the request is handled) or `reset-after` (it
 * is handled, then the connection drops: the answer is lost) or `500-after` (it is handled, and
 * answered 500 all the same, as a proxy timing out in front of GitHub does).
 */
export type Fault = number | 'reset' | 'reset-after' | '500-after' | '429-bare' | '403-primary';

/** A share `rate` (0..1) of requests fail with one of `kinds`, drawn from a seeded PRNG. */
export interface RandomFaults {
  rate: number;
  kinds?: Fault[];
  seed?: number;
  /** Only POST/PATCH/PUT/DELETE draw faults. */
  onlyWrites?: boolean;
}

export interface GitHubComment {
  id: number;
  issue: number;
  body: string;
}

export interface GitHubRelease {
  id: number;
  tag_name: string;
  name: string | null;
  body: string | null;
  make_latest: string | null;
}

export interface GitHubEmulator {
  /** The API root to pass as `apiUrl`. */
  url: string;
  requests: LoggedRequest[];
  /** Comments made, in order, on every issue and pull request. */
  comments: GitHubComment[];
  releases: GitHubRelease[];
  /** Labels of an item as they are now. */
  labelsOf(number: number): string[];
  /** Requests that change something (POST, PATCH, PUT, DELETE). */
  writes(): LoggedRequest[];
  /** Most requests being answered at the same moment. */
  readonly maxInFlight: number;
  /** Fails the next `count` requests (only those of `method`, e.g. `POST`, when given) with this fault. */
  failNext(count: number, fault: Fault, method?: string): void;
  setFaults(faults: RandomFaults | null): void;
  /** Adds a release as semantic-release or a person would have made it. */
  addRelease(release: Omit<GitHubRelease, 'id' | 'make_latest'>): void;
  close(): Promise<void>;
}

const ALL_FAULTS: Fault[] = [429, '403-primary', 500, 502, 'reset', 'reset-after'];
const WRITE = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const repository = options.repository ?? 'acme/app';
  const issues = new Map((options.issues ?? []).map((seed) => [seed.number, { ...seed }]));
  const requests: LoggedRequest[] = [];
  const comments: GitHubComment[] = [];
  const releases: GitHubRelease[] = [];
  const faults: { fault: Fault; method: string | undefined }[] = [];
  let random: { faults: RandomFaults; next: () => number } | null = null;
  const setFaults = (next: RandomFaults | null | undefined) => {
    random = next ? { faults: next, next: prng(next.seed ?? 1) } : null;
  };
  setFaults(options.faults);
  const limit = { used: 0, windowEnd: 0 };
  const content = { used: 0, windowEnd: 0 };
  let nextId = 1;
  let inFlight = 0;
  let maxInFlight = 0;
  let base = '';

  const send = (res: ServerResponse, entry: LoggedRequest, answer: Answer) => {
    entry.status = answer.status;
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      ...(options.scopes !== undefined ? { 'x-oauth-scopes': options.scopes } : {}),
      ...answer.headers,
    });
    res.end(answer.status === 204 ? undefined : JSON.stringify(answer.body));
  };
  const notFound = (headers: Record<string, string> = {}): Answer => ({
    status: 404,
    body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
    headers,
  });

  const drawFault = (method: string): Fault | undefined => {
    const index = faults.findIndex((f) => f.method === undefined || f.method === method);
    if (index >= 0) return faults.splice(index, 1)[0]?.fault;
    if (!random || (random.faults.onlyWrites && !WRITE.has(method))) return undefined;
    if (random.next() >= random.faults.rate) return undefined;
    const kinds = random.faults.kinds?.length ? random.faults.kinds : ALL_FAULTS;
    return kinds[Math.floor(random.next() * kinds.length)];
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
    if (fault === '429-bare')
      return send(res, entry, { status: 429, body: { message: 'Too Many Requests' } });
    if (fault === '403-primary')
      return send(res, entry, {
        status: 403,
        body: {
          message: 'API rate limit exceeded for user ID 7.',
          documentation_url: 'https://docs.github.com/rest',
        },
        headers: {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
        },
      });
    if (fault === 429)
      return send(res, entry, {
        status: 429,
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        },
        headers: { 'retry-after': '1' },
      });
    if (typeof fault === 'number')
      return send(res, entry, { status: fault, body: { message: 'Server Error' } });

    // GitHub takes both schemes (octokit sends `token`).
    const credentials = /^(?:Bearer|token) (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (options.token && credentials !== options.token) {
      return send(res, entry, {
        status: 401,
        body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
      });
    }
    const limited = checkRateLimit();
    if (limited) return send(res, entry, limited);

    const url = new URL(req.url ?? '/', base);
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return send(res, entry, { status: 400, body: { message: 'Problems parsing JSON' } });
    }
    const answer = route(entry.method, url, body);
    if (fault === 'reset-after') {
      // The request took effect; its answer never arrives.
      entry.status = 'reset';
      req.socket.destroy();
      return;
    }
    if (fault === '500-after') return send(res, entry, { status: 500, body: { message: 'Server Error' } });
    send(res, entry, answer);
  };

  function route(method: string, url: URL, body: Record<string, unknown>): Answer {
    const rateHeaders = remainingHeaders();
    if (method === 'GET' && url.pathname === '/user')
      return { status: 200, body: { login: 'herald-bot', id: 7 }, headers: rateHeaders };
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const known =
      match !== null && `${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}` === repository;
    if (!match || !known) return notFound(rateHeaders);
    const rest = match[3] ?? '';
    if (rest === '' && method === 'GET')
      return {
        status: 200,
        body: {
          full_name: repository,
          private: false,
          permissions: { admin: false, push: options.push ?? true, pull: true },
        },
        headers: rateHeaders,
      };
    const item = /^\/issues\/(\d+)(\/comments|\/labels)?$/.exec(rest);
    if (item) {
      const seed = issues.get(Number(item[1]));
      if (!seed) return notFound(rateHeaders);
      if (!item[2] && method === 'GET') return { status: 200, body: issueJson(seed), headers: rateHeaders };
      if (item[2] === '/comments' && method === 'GET') return listComments(seed, url, rateHeaders);
      if (item[2] === '/comments' && method === 'POST') return createComment(seed, body);
      if (item[2] === '/labels' && method === 'POST') {
        const labels = Array.isArray(body.labels) ? body.labels.map(String) : [];
        seed.labels = [...new Set([...(seed.labels ?? []), ...labels])];
        return { status: 200, body: (seed.labels ?? []).map((name, i) => ({ id: i + 1, name })) };
      }
      return notFound(rateHeaders);
    }
    const byTag = /^\/releases\/tags\/(.+)$/.exec(rest);
    if (byTag && method === 'GET') {
      const release = releases.find((r) => r.tag_name === decodeURIComponent(byTag[1]!));
      return release
        ? { status: 200, body: releaseJson(release), headers: rateHeaders }
        : notFound(rateHeaders);
    }
    if (rest === '/releases' && method === 'POST') return createRelease(body);
    const byId = /^\/releases\/(\d+)$/.exec(rest);
    if (byId && method === 'PATCH') {
      const release = releases.find((r) => r.id === Number(byId[1]));
      if (!release) return notFound();
      if (typeof body.body === 'string') release.body = body.body;
      if (typeof body.name === 'string') release.name = body.name;
      if (typeof body.make_latest === 'string') release.make_latest = body.make_latest;
      return { status: 200, body: releaseJson(release) };
    }
    return notFound(rateHeaders);
  }

  function createComment(seed: GitHubSeed, body: Record<string, unknown>): Answer {
    const refused = checkContentLimit();
    if (refused) return refused;
    if (seed.locked)
      return {
        status: 403,
        body: {
          message: 'Unable to create comment because issue is locked.',
          documentation_url: 'https://docs.github.com/articles/locking-conversations/',
        },
      };
    if (typeof body.body !== 'string' || body.body === '')
      return {
        status: 422,
        body: { message: 'Validation Failed', errors: [{ field: 'body', code: 'missing_field' }] },
      };
    const comment = { id: nextId++, issue: seed.number, body: body.body };
    comments.push(comment);
    return { status: 201, body: commentJson(comment) };
  }

  function listComments(seed: GitHubSeed, url: URL, headers: Record<string, string>): Answer {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? options.defaultPerPage ?? 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const all = comments.filter((c) => c.issue === seed.number);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const link = (p: number, rel: string) => {
      const next = new URL(url.href);
      next.searchParams.set('page', String(p));
      next.searchParams.set('per_page', String(perPage));
      return `<${next.href}>; rel="${rel}"`;
    };
    const links = page < last ? [link(page + 1, 'next'), link(last, 'last')] : [];
    return {
      status: 200,
      body: slice.map(commentJson),
      headers: { ...headers, ...(links.length > 0 ? { link: links.join(', ') } : {}) },
    };
  }

  function createRelease(body: Record<string, unknown>): Answer {
    const refused = checkContentLimit();
    if (refused) return refused;
    const tag = body.tag_name;
    if (typeof tag !== 'string' || tag === '')
      return {
        status: 422,
        body: { message: 'Validation Failed', errors: [{ field: 'tag_name', code: 'missing_field' }] },
      };
    if (releases.some((r) => r.tag_name === tag))
      return {
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
        },
      };
    const release: GitHubRelease = {
      id: nextId++,
      tag_name: tag,
      name: typeof body.name === 'string' ? body.name : null,
      body: typeof body.body === 'string' ? body.body : null,
      make_latest: typeof body.make_latest === 'string' ? body.make_latest : null,
    };
    releases.push(release);
    return { status: 201, body: releaseJson(release) };
  }

  function checkContentLimit(): Answer | null {
    const rate = options.contentLimit;
    if (!rate) return null;
    const now = Date.now();
    if (now >= content.windowEnd)
      Object.assign(content, { used: 0, windowEnd: now + rate.windowSeconds * 1000 });
    if (content.used < rate.limit) {
      content.used++;
      return null;
    }
    return {
      status: 403,
      body: {
        message:
          'You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.',
        documentation_url:
          'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      },
      headers: { 'retry-after': String(Math.ceil((content.windowEnd - now) / 1000)) },
    };
  }

  function commentJson(comment: GitHubComment) {
    return {
      id: comment.id,
      html_url: `https://github.com/${repository}/issues/${comment.issue}#issuecomment-${comment.id}`,
      body: comment.body,
      user: { login: 'herald-bot', id: 7, type: 'Bot' },
    };
  }

  function releaseJson(release: GitHubRelease) {
    return {
      id: release.id,
      tag_name: release.tag_name,
      name: release.name,
      body: release.body,
      draft: false,
      prerelease: false,
      html_url: `https://github.com/${repository}/releases/tag/${encodeURIComponent(release.tag_name)}`,
    };
  }

  /** Counts the request against the window; the refusal to send when the window is used up. */
  function checkRateLimit(): Answer | null {
    const rate = options.rateLimit;
    if (!rate) return null;
    const now = Date.now();
    if (now >= limit.windowEnd) Object.assign(limit, { used: 0, windowEnd: now + rate.resetSeconds * 1000 });
    if (limit.used < rate.limit) {
      limit.used++;
      return null;
    }
    if (rate.kind === 'secondary') {
      return {
        status: 429,
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        },
        headers: { 'retry-after': String(Math.ceil((limit.windowEnd - now) / 1000)) },
      };
    }
    return {
      status: 403,
      body: {
        message: 'API rate limit exceeded for 127.0.0.1.',
        documentation_url: 'https://docs.github.com/rest',
      },
      headers: remainingHeaders(),
    };
  }

  function remainingHeaders(): Record<string, string> {
    const rate = options.rateLimit;
    if (!rate) return {};
    return {
      'x-ratelimit-limit': String(rate.limit),
      'x-ratelimit-remaining': String(rate.limit - limit.used),
      'x-ratelimit-reset': String(Math.ceil(limit.windowEnd / 1000)),
      'x-ratelimit-resource': 'core',
    };
  }

  function issueJson(seed: GitHubSeed) {
    const path = seed.pull ? 'pull' : 'issues';
    return {
      url: `${base}/repos/${repository}/issues/${seed.number}`,
      html_url: `https://github.com/${repository}/${path}/${seed.number}`,
      id: 100_000 + seed.number,
      number: seed.number,
      title: seed.title,
      state: 'closed',
      locked: seed.locked ?? false,
      active_lock_reason: seed.locked ? 'resolved' : null,
      user: seed.user === null ? null : { login: seed.user ?? 'octocat', id: 1, type: 'User' },
      labels: (seed.labels ?? []).map((name, i) =>
        seed.labelsAsStrings ? name : { id: i + 1, name, color: 'ededed', default: false },
      ),
      body: seed.body ?? null,
      ...(seed.pull
        ? {
            pull_request: {
              url: `${base}/repos/${repository}/pulls/${seed.number}`,
              merged_at: '2024-01-01T00:00:00Z',
            },
          }
        : {}),
    };
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
    releases,
    labelsOf: (number) => [...(issues.get(number)?.labels ?? [])],
    writes: () => requests.filter((r) => WRITE.has(r.method)),
    get maxInFlight() {
      return maxInFlight;
    },
    failNext(count, fault, method) {
      for (let i = 0; i < count; i++) faults.push({ fault, method });
    },
    setFaults,
    addRelease(release) {
      releases.push({ ...release, id: nextId++, make_latest: null });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
