import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the GitHub REST API: `GET /repos/{owner}/{repo}` and
 * `GET /repos/{owner}/{repo}/issues/{number}`, with token checks, primary and secondary rate
 * limits, injected faults and a log of every request.
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
}

export interface GitHubEmulatorOptions {
  /** `owner/name`, default `acme/app`. */
  repository?: string;
  issues?: GitHubSeed[];
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string | null;
  /**
   * Answer `limit` requests per window of `resetSeconds`, then refuse until the window ends:
   * `primary` (default) is 403 with `x-ratelimit-remaining: 0`, `secondary` is 429 with `retry-after`.
   */
  rateLimit?: { limit: number; resetSeconds: number; kind?: 'primary' | 'secondary' };
  /** Delay before every answer, so that concurrent requests overlap. */
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

export interface GitHubEmulator {
  /** The API root to pass as `apiUrl`. */
  url: string;
  requests: LoggedRequest[];
  /** Most requests being answered at the same moment. */
  readonly maxInFlight: number;
  /** Fails the next `count` requests with this status, or by destroying the connection. */
  failNext(count: number, fault: Fault): void;
  close(): Promise<void>;
}

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const repository = options.repository ?? 'acme/app';
  const issues = new Map((options.issues ?? []).map((seed) => [seed.number, seed]));
  const requests: LoggedRequest[] = [];
  const faults: Fault[] = [];
  const limit = { used: 0, windowEnd: 0 };
  let inFlight = 0;
  let maxInFlight = 0;
  let base = '';

  const send = (
    res: ServerResponse,
    entry: LoggedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    entry.status = status;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
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
    if (fault !== undefined) return send(res, entry, fault, { message: 'Server Error' });

    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      return send(res, entry, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const limited = checkRateLimit();
    if (limited) return send(res, entry, limited.status, limited.body, limited.headers);

    const match = /^\/repos\/([^/]+)\/([^/]+)(?:\/issues\/(\d+))?$/.exec(
      new URL(req.url ?? '/', base).pathname,
    );
    const known =
      match !== null && `${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}` === repository;
    const number = match?.[3];
    const seed = number ? issues.get(Number(number)) : undefined;
    const rateHeaders = remainingHeaders();
    if (req.method !== 'GET' || !known || (number && !seed)) {
      return send(
        res,
        entry,
        404,
        { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
        rateHeaders,
      );
    }
    send(res, entry, 200, seed ? issueJson(seed) : { full_name: repository, private: false }, rateHeaders);
  };

  /** Counts the request against the window; the refusal to send when the window is used up. */
  function checkRateLimit(): { status: number; body: unknown; headers: Record<string, string> } | null {
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
