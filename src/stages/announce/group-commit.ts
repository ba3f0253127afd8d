import type { FenceAttempt, SettleAttempt, StorePort } from '../../ports/index.js';

/**
 * Fences and settles from every worker, written together: whatever is waiting when the store is
 * free goes in one transaction. A busy run (five SMTP connections, a message every few
 * milliseconds) commits once for several attempts instead of twice for each; a quiet one writes
 * each at once. Each worker still has at most one attempt fenced and not settled, so a crash
 * leaves no more unknown rows than before.
 */
export function groupCommit(store: StorePort) {
  type Waiting<T> = { input: T; resolve: (written: boolean) => void; reject: (error: unknown) => void };
  let settles: Waiting<SettleAttempt>[] = [];
  let fences: Waiting<FenceAttempt>[] = [];
  let writing = false;
  const write = async () => {
    while (settles.length + fences.length > 0) {
      const batch = { settle: settles, fence: fences };
      settles = [];
      fences = [];
      try {
        const written = await store.recordAttempts({
          settle: batch.settle.map((w) => w.input),
          fence: batch.fence.map((w) => w.input),
        });
        for (const [i, w] of batch.settle.entries()) w.resolve(written.settled[i] === true);
        for (const [i, w] of batch.fence.entries()) w.resolve(written.fenced[i] === true);
      } catch (error) {
        for (const w of [...batch.settle, ...batch.fence]) w.reject(error);
      }
    }
    writing = false;
  };
  const enqueue = <T>(queue: Waiting<T>[], input: T) =>
    new Promise<boolean>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      // After the I/O callbacks of this turn: replies that arrived together are written together.
      if (!writing) {
        writing = true;
        setImmediate(() => void write());
      }
    });
  return {
    fence: (input: FenceAttempt) => enqueue(fences, input),
    settle: (input: SettleAttempt) => enqueue(settles, input),
  };
}
