/**
 * How a call to an external target failed, as the announce engine needs to know it:
 * - `retryable`: nothing happened (429, 5xx answered, refused connection): try again later;
 * - `ambiguous`: the request may have taken effect (timeout or reset after sending): reconcile
 *   against the target before any new attempt;
 * - `permanent`: the target refused the request (4xx validation, auth, missing section): fail the
 *   delivery with `fix`, keep going with the others.
 * `retryAfterMs` is the target's own floor (Retry-After), when it gave one.
 */
export type FailureKind = 'retryable' | 'ambiguous' | 'permanent';

export class DeliveryFailure extends Error {
  override readonly name = 'DeliveryFailure';
  readonly kind: FailureKind;
  readonly retryAfterMs: number | null;
  readonly status: number | null;
  readonly fix: string | undefined;

  constructor(init: {
    kind: FailureKind;
    message: string;
    retryAfterMs?: number | null;
    status?: number | null;
    fix?: string;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.status = init.status ?? null;
    this.fix = init.fix;
  }
}

export function isDeliveryFailure(value: unknown): value is DeliveryFailure {
  return value instanceof DeliveryFailure;
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent
 * or unreadable. `now` is the caller's clock (only used to turn a date into a delay).
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
