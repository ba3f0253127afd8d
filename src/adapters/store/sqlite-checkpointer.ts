import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Write transactions in one process before checkpoints move to their own thread. */
const BUSY_AFTER_COMMITS = 200;
const EVERY_MS = 100;
/** The committing thread's own checkpoints once the background one runs: only if it falls far behind (~64 MB). */
const BACKSTOP_PAGES = 16_000;
/** SQLite's own default. */
const DEFAULT_PAGES = 1000;

// CommonJS, evaluated in the worker; the driver's path is resolved here, so it is found
// whatever directory herald runs in.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Sqlite = require(workerData.driver);
const db = new Sqlite(workerData.file, { timeout: 0 });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick tries again */ }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/**
 * WAL checkpoints off the committing thread. SQLite checkpoints inside COMMIT once the WAL
 * passes 1,000 pages, copying pages and syncing the file while the transaction's caller waits:
 * in a run that commits thousands of small transactions (an email per subscriber) that was two
 * thirds of every commit's cost. A busy process hands them to a worker thread with its own
 * connection (PASSIVE: it never blocks a writer); a quiet one never starts the thread.
 */
export function createCheckpointer(file: string, setAutocheckpoint: (pages: number) => void) {
  let commits = 0;
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  return {
    /** Called after each write transaction. */
    committed() {
      if (worker || file === ':memory:' || ++commits < BUSY_AFTER_COMMITS) return;
      const started = new Worker(WORKER, {
        eval: true,
        workerData: {
          file,
          driver: createRequire(import.meta.url).resolve('better-sqlite3'),
          everyMs: EVERY_MS,
        },
      });
      worker = started;
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      // Never the reason the process stays up; a failed worker hands checkpoints back.
      started.unref();
      started.on('error', () => setAutocheckpoint(DEFAULT_PAGES));
      setAutocheckpoint(BACKSTOP_PAGES);
    },
    /** Stops the thread (before the store's connection closes, so that close can checkpoint). */
    async close() {
      if (worker) {
        worker.ref();
        worker.postMessage('stop');
        worker = null;
      }
      await exited;
    },
  };
}
