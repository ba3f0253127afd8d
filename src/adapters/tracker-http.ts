import { DeliveryFailure, parseRetryAfter } from '../errors/delivery-failure.js';

/** What a tracker answered, read out of whichever client error carried it. */
export interface TrackerAnswer {
  /** null: no answer at all (refused, reset, timed out, the answer lost). */
  status: number | null;
  headers: Record<string, string | undefined>;
  /** The tracker's own words (`Unable to create comment because issue is locked.`). */
  message: string;
}

/** The marker hidden in a Markdown comment: invisible when rendered, found again by text search. */
export const hiddenMarker = (marker: string) => `<!-- ${marker} -->`;

/** Reads status, headers and message out of an @octokit/request RequestError (no `response`: no answer). */
export function octokitAnswer(error: unknown): TrackerAnswer {
  const e = error as {
    status?: number;
    message?: string;
    response?: { headers?: Record<string, string | undefined>; data?: unknown };
  };
  if (!e || typeof e !== 'object' || !e.response)
    return { status: null, headers: {}, message: errorText(error) };
  const data = e.response.data as { message?: unknown } | string | undefined;
  const message =
    typeof data === 'object' && data && typeof data.message === 'string' ? data.message : errorText(error);
  return { status: e.status ?? null, headers: e.response.headers ?? {}, message };
}

function errorText(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown; code?: unknown } };
  const cause = e?.cause && typeof e.cause.message === 'string' ? e.cause.message : null;
  const text = typeof e?.message === 'string' ? e.message : String(error);
  return cause && cause !== text ? `${text} (${cause})` : text;
}

/**
 * A tracker's failure as the announce engine needs it. No answer to a write: ambiguous (it may
 * have been made; the comment's marker settles it). Rate limits and 5xx: retryable, with the
 * tracker's Retry-After (or its rate-limit reset) as the floor. Other 4xx: permanent, with the
 * tracker's own message and what to do.
 */
export function trackerFailure(
  error: unknown,
  context: {
    what: string;
    write: boolean;
    tokenVariable: string;
    answer?: (error: unknown) => TrackerAnswer;
    /** The wait after a rate limit that names none (GitHub: "at least one minute"); default the engine's backoff. */
    limitWithoutWaitMs?: number;
  },
): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const answer = (context.answer ?? octokitAnswer)(error);
  const { status, headers } = answer;
  const message = `${context.what}: ${status === null ? 'no answer' : `${status}`} ${answer.message}`.trim();
  if (status === null)
    return new DeliveryFailure({ kind: context.write ? 'ambiguous' : 'retryable', message, cause: error });
  const retryAfterMs = retryAfterOf(headers);
  const limited =
    status === 429 ||
    (status === 403 && (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(answer.message)));
  if (limited || status >= 500 || status === 408)
    return new DeliveryFailure({
      kind: 'retryable',
      message,
      status,
      retryAfterMs: retryAfterMs ?? (limited ? (context.limitWithoutWaitMs ?? null) : null),
      cause: error,
    });
  const fix =
    status === 401
      ? `Check ${context.tokenVariable}: the tracker does not accept it (expired or revoked?).`
      : status === 403
        ? `Give the token in ${context.tokenVariable} write access to issues and pull/merge requests, or unlock the item; then run \`herald retry <version>\`.`
        : status === 404 || status === 410
          ? `The item is gone or the token cannot see it: check the reference in the commit, or ${context.tokenVariable}'s access; then run \`herald retry <version>\`.`
          : 'Run `herald retry <version>` once the cause is fixed.';
  return new DeliveryFailure({ kind: 'permanent', message, status, fix, cause: error });
}

/** Retry-After (seconds or HTTP date), else a rate-limit reset in epoch seconds (GitHub, GitLab, Jira). */
function retryAfterOf(headers: Record<string, string | undefined>): number | null {
  const now = Date.now();
  const after = parseRetryAfter(headers['retry-after'], now);
  if (after !== null) return after;
  const reset = headers['x-ratelimit-reset'] ?? headers['ratelimit-reset'];
  if (headers['x-ratelimit-remaining'] === '0' && reset && /^\d+$/.test(reset))
    return Math.max(0, Number(reset) * 1000 - now);
  return null;
}
