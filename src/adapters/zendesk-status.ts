import { DeliveryFailure } from '../errors/delivery-failure.js';

/**
 * How a Zendesk call failed, as the announce engine needs it, and the checks on what an answer
 * carries before anything from it is stored.
 */

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Fixes for the refusals that are not about a setting Zendesk names in its answer. */
const PERMANENT_FIX: Record<number, string> = {
  401: 'Check ZENDESK_EMAIL and ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN): the user must be a Guide manager or an agent with publishing rights; `herald doctor` checks them.',
  403: 'Check ZENDESK_EMAIL and ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN): the user must be a Guide manager or an agent with publishing rights; `herald doctor` checks them.',
  404: 'Check the section, category and article ids in herald.helpCenter (`herald doctor` checks them).',
  402: "Zendesk refuses this on the account's current plan or billing state: check the subscription in Admin Center › Account, then run `herald retry <version>`.",
  410: 'Zendesk has removed what this request addressed (an article deleted in Guide, or a retired endpoint): run `herald doctor`; if it passes, update Herald, then run `herald retry <version>`.',
  413: 'The request is larger than Zendesk accepts (an attachment over 20 MB, or a very long page): shrink the image or split the page, prepare again and run `herald retry <version>`.',
};

/** The Help Center error bodies come in two shapes; both say what was wrong. */
export function describeBody(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const b = body as {
    error?: unknown;
    description?: string;
    details?: Record<string, { description?: string }[]>;
  };
  if (b.error && typeof b.error === 'object') {
    const e = b.error as { title?: string; message?: string };
    return [e.title, e.message].filter(Boolean).join(': ');
  }
  const details = Object.values(b.details ?? {})
    .flat()
    .map((d) => d?.description)
    .filter(Boolean);
  return [typeof b.error === 'string' ? b.error : '', b.description ?? '', ...details]
    .filter(Boolean)
    .join(': ');
}

/**
 * Every failure as the engine needs it. `write`: the request may have changed something, so an
 * answer that does not say it was refused (a 5xx, a CDN page, a lost connection) is ambiguous.
 */
export function zendeskFailure(
  error: unknown,
  what: string,
  write: boolean,
  retryAfterMs: number | null,
): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number') {
    const detail =
      describeBody((error as { result?: unknown }).result) || ((error as { text?: string }).text ?? '');
    const message = `Zendesk answered ${status} to ${what}${detail ? `: ${detail}` : ''}`;
    // 429, and 503 (Zendesk's "try later", with Retry-After): refused before anything happened.
    if (status === 429 || status === 503)
      return new DeliveryFailure({ kind: 'retryable', message, status, retryAfterMs });
    // 500, and a 502/504 from the CDN: the write may have reached Zendesk. Reconcile first.
    if (status >= 500)
      return new DeliveryFailure({ kind: write ? 'ambiguous' : 'retryable', message, status, retryAfterMs });
    return new DeliveryFailure({
      kind: 'permanent',
      message,
      status,
      fix:
        PERMANENT_FIX[status] ??
        'Correct the setting or content Zendesk names above, then run `herald retry <version>`.',
    });
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code ?? (error as Error).name;
  const message = `${what} failed: ${(error as Error).message}${code ? ` (${code})` : ''}`;
  // Refused before sending: nothing happened. Anything later may have reached Zendesk.
  if (CONNECT_ERRORS.has(code ?? '') || !write)
    return new DeliveryFailure({ kind: 'retryable', message, cause: error });
  return new DeliveryFailure({ kind: 'ambiguous', message, cause: error });
}

/** An answer that says it succeeded but lacks what Herald must store: the effect may have happened. */
export function unreadableAnswer(what: string, write: boolean, missing: string): DeliveryFailure {
  return new DeliveryFailure({
    kind: write ? 'ambiguous' : 'retryable',
    message: `Zendesk's answer to ${what} has no ${missing}`,
  });
}

/** A Zendesk id (a positive integer, number or digits) as Herald stores it; null when it is not one. */
export function zendeskId(value: unknown): string | null {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? String(n) : null;
}

/** An absolute http(s) URL, or null. */
export function webUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : null;
  } catch {
    return null;
  }
}
