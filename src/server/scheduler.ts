export interface SchedulerSettings {
  /** Time from the start of one run to the start of the next (a longer run: the next at once). */
  intervalMs: number;
  /** One announce run; `signal` aborts when the server stops (the run finishes what it holds). */
  run(signal: AbortSignal): Promise<void>;
  /** A failed run is logged (once while it fails the same way), and the next one comes as usual. */
  log(line: string): void;
}

export interface Scheduler {
  /** Stops starting runs, and waits for the one under way (drained, not cut). */
  stop(): Promise<void>;
}

/**
 * `herald serve`'s announce loop: one run at a time in this process (never two overlapping),
 * the first at once. Whether anything is due is the announce stage's question, asked of the
 * store's clock; other processes running the same loop, or CI's `herald announce`, are safe
 * beside it (leases and the ledger: each effect once).
 */
export function startScheduler(settings: SchedulerSettings): Scheduler {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  // A failure that repeats every few seconds (a revoked token) is logged once, not each run.
  let lastFailure: string | null = null;
  const loop = async () => {
    while (!abort.signal.aborted) {
      const started = Date.now();
      try {
        await settings.run(abort.signal);
        if (lastFailure !== null) settings.log('scheduled announce runs again');
        lastFailure = null;
      } catch (error) {
        const message = (error as Error).message;
        if (message !== lastFailure)
          settings.log(
            `scheduled announce failed: ${message}; trying again every run, logged once until it works`,
          );
        lastFailure = message;
      }
      if (abort.signal.aborted) break;
      await pause(Math.max(0, settings.intervalMs - (Date.now() - started)));
    }
  };
  const running = loop();

  return {
    async stop() {
      abort.abort();
      if (timer) clearTimeout(timer);
      wake?.();
      await running;
    },
  };
}
