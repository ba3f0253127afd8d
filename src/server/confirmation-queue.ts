import { isDeliveryFailure } from '../errors/delivery-failure.js';
import type { ConfirmationJob, SignupStorePort } from '../ports/index.js';

/**
 * Confirmation emails are retried for hours, not minutes (the link stays valid 7 days): backoff
 * from 5 s doubling to 15 min, with full jitter, 16 attempts (about two hours and a half at most).
 */
const RETRY = { baseMs: 5_000, capMs: 15 * 60_000, maxAttempts: 16 } as const;
const backoff = (attempts: number) =>
  Math.round(Math.min(RETRY.capMs, RETRY.baseMs * 2 ** Math.max(0, attempts - 1)) * Math.random());

export interface ConfirmationQueueSettings {
  store: SignupStorePort;
  product: string;
  /** Sends one confirmation email; throws a DeliveryFailure (or anything) when it did not go. */
  send(job: ConfirmationJob): Promise<void>;
  /** One line per failure, retry and abandoned email: nothing is dropped without a word. */
  log(line: string): void;
  /** Emails taken from the store at a time. */
  batch?: number;
  /** How long a taken email is this process's: another one sends it after that (a crash). */
  leaseMs?: number;
  /** How often the store is looked at without a wake-up: other processes' sign-ups, retries. */
  pollMs?: number;
  /** Wait before the next attempt after `attempts` failed ones (default: backoff with full jitter). */
  retryDelayMs?(attempts: number): number;
}

export interface ConfirmationQueue {
  /** Something was queued: look at the store now. */
  wake(): void;
  /**
   * Finishes the email being sent and stops; emails taken but not tried are handed back to the
   * store (due now), so the next `herald serve` sends them. Nothing queued is lost.
   */
  stop(): Promise<void>;
}

/**
 * Sends web sign-ups' confirmation emails in the background, from the queue in the store, so a
 * sign-up is answered before (and the same way whether or not) anything is sent. Failures are
 * retried with backoff; a refused address or one that keeps failing is given up, with a log line.
 */
export function startConfirmationQueue(settings: ConfirmationQueueSettings): ConfirmationQueue {
  const { store, product, log } = settings;
  const batch = settings.batch ?? 5;
  const leaseMs = settings.leaseMs ?? 5 * 60_000;
  const delayOf = settings.retryDelayMs ?? backoff;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      wake();
    }, ms);
    // The queue never keeps the process alive on its own.
    timer.unref();
    timers.add(timer);
  };

  const attempt = async (job: ConfirmationJob) => {
    const id = job.subscriber.id;
    try {
      await settings.send(job);
      await store.settleConfirmation(id, 'sent');
    } catch (error) {
      const attempts = job.attempts + 1;
      const reason = (error as Error).message;
      if ((isDeliveryFailure(error) && error.kind === 'permanent') || attempts >= RETRY.maxAttempts) {
        log(`confirmation email to subscriber ${id} given up after ${attempts} attempt(s): ${reason}`);
        await store.settleConfirmation(id, 'abandoned');
        return;
      }
      const wait = delayOf(attempts);
      log(
        `confirmation email to subscriber ${id} failed (attempt ${attempts}), retried in ${Math.ceil(wait / 1000)} s: ${reason}`,
      );
      await store.settleConfirmation(id, { retryInMs: wait });
      later(wait);
    }
  };

  const drain = async () => {
    do {
      again = false;
      const jobs = await store.claimConfirmations(product, batch, leaseMs);
      for (const [i, job] of jobs.entries()) {
        if (stopped) {
          for (const rest of jobs.slice(i)) await store.settleConfirmation(rest.subscriber.id, 'released');
          return;
        }
        await attempt(job);
      }
      if (jobs.length === batch) again = true;
    } while (again && !stopped);
  };

  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch((error: unknown) => {
        // The store itself failed: what was taken comes back when its lease ends.
        log(`confirmation emails: ${(error as Error).message}; trying again shortly`);
        later(settings.pollMs ?? 30_000);
      })
      .finally(() => {
        running = null;
        if (again && !stopped) wake();
      });
  };

  const poll = setInterval(wake, settings.pollMs ?? 30_000);
  poll.unref();
  // A (re)start is when mail settings get fixed: what waits out a retry is tried at once.
  running = store
    .resumeConfirmations(product)
    .then((resumed) => {
      if (resumed > 0) log(`${resumed} confirmation email(s) that failed before are tried again now`);
    })
    .catch((error: unknown) => log(`confirmation emails: ${(error as Error).message}`))
    .finally(() => {
      running = null;
      wake();
    });

  return {
    wake,
    async stop() {
      stopped = true;
      clearInterval(poll);
      for (const timer of timers) clearTimeout(timer);
      await running;
    },
  };
}
