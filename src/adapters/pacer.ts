/**
 * Spaces requests evenly to stay under a per-minute limit, and holds them all back while the
 * target asked us to wait (Retry-After). Evenly spaced rather than a bursty bucket: a limit
 * counted over any sliding minute is then never exceeded, and a long publish runs at the limit.
 */
export interface Pacer {
  /** Resolves when the next request may go. */
  wait(): Promise<void>;
  /** How long a request asking now would wait (nothing is reserved). */
  delay(): number;
  /** Nothing goes for `ms` (a Retry-After). */
  pause(ms: number): void;
  /** How long the current pause still lasts, or null when there is none. */
  pausedFor(): number | null;
  /**
   * A request just finished: the next waits a whole interval from now. For strict per-second
   * limits, where a request the transport held back must not arrive right before the next one.
   */
  finished(): void;
}

export function createPacer(requestsPerMinute: number | null): Pacer {
  // n requests spaced by 60 s / (n - 1) fit any 60-second window, ends included.
  const interval = requestsPerMinute === null ? 0 : 60_000 / Math.max(1, requestsPerMinute - 1);
  let next = 0;
  let pausedUntil = 0;
  return {
    async wait() {
      const now = Date.now();
      const at = Math.max(now, next, pausedUntil);
      next = at + interval;
      if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
    },
    delay() {
      return Math.max(0, next - Date.now(), pausedUntil - Date.now());
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, Date.now() + ms);
    },
    finished() {
      next = Math.max(next, Date.now() + interval);
    },
    pausedFor() {
      const left = pausedUntil - Date.now();
      return left > 0 ? left : null;
    },
  };
}
