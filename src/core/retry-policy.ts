/**
 * When to try a delivery again: exponential backoff with full jitter (AWS architecture blog,
 * "Exponential Backoff And Jitter"), never sooner than the target's own Retry-After, and a cap
 * on attempts after which the delivery fails and waits for `herald retry`.
 */
export const RETRY = { baseMs: 1_000, capMs: 5 * 60_000, maxAttempts: 8 } as const;

/** Delay before attempt `attempts + 1`; `random` in [0, 1). */
export function retryDelay(attempts: number, retryAfterMs: number | null, random: number): number {
  const ceiling = Math.min(RETRY.capMs, RETRY.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.max(retryAfterMs ?? 0, Math.round(ceiling * random));
}

export function attemptsExhausted(attempts: number): boolean {
  return attempts >= RETRY.maxAttempts;
}
