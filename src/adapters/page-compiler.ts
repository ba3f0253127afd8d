import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compilePage, type PageSource } from '../core/docs/compile-page.js';
import type { CompiledPage } from '../model/index.js';
import type { PageCompilerPort } from '../ports/index.js';

/** Below this many pages, starting workers costs more than it saves. */
const MIN_PAGES_FOR_WORKERS = 48;
const BATCH_BYTES = 256 * 1024;

/**
 * Compiles in this thread for small jobs, on worker threads (one per core, at most 4) for large
 * ones. Workers take batches as they finish the previous one, so a few huge pages do not hold up
 * the rest. The worker script sits next to this module (bundled: next to herald.js).
 */
export function createPageCompiler(options: { workers?: number; workerUrl?: URL } = {}): PageCompilerPort {
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), 4));
  const workerUrl = options.workerUrl ?? findWorkerScript();
  return {
    async compile(sources) {
      if (workers === 1 || sources.length < MIN_PAGES_FOR_WORKERS) return sources.map(compilePage);
      return compileOnWorkers(sources, workers, workerUrl);
    },
  };
}

async function compileOnWorkers(
  sources: PageSource[],
  count: number,
  workerUrl: URL,
): Promise<CompiledPage[]> {
  const batches: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  sources.forEach((source, i) => {
    current.push(i);
    bytes += source.bytes.length;
    if (bytes >= BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
  });
  if (current.length > 0) batches.push(current);

  const results: CompiledPage[] = new Array(sources.length);
  let next = 0;
  const run = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      const send = () => {
        const batch = batches[next++];
        if (!batch) return resolve();
        worker.postMessage(batch.map((i) => ({ index: i, source: sources[i]! })));
      };
      worker.on('message', (done: { index: number; page: CompiledPage }[]) => {
        for (const { index, page } of done) results[index] = page;
        send();
      });
      worker.on('error', reject);
      worker.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`page compiler worker exited with code ${code}`)),
      );
      send();
    });
  // A worker only ever holds one batch (a 2 MB page at most): a small old generation makes its
  // GC collect early instead of growing the heap, which keeps the peak RSS of big builds down.
  const pool = Array.from(
    { length: Math.min(count, batches.length) },
    () => new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: 192 } }),
  );
  try {
    await Promise.all(pool.map(run));
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

/** Next to this module (tsc build), or one level up when this code sits in a bundle chunk. */
function findWorkerScript(): URL {
  const candidates = [
    new URL('./page-compiler-worker.js', import.meta.url),
    new URL('../page-compiler-worker.js', import.meta.url),
  ];
  return candidates.find((url) => existsSync(fileURLToPath(url))) ?? candidates[0]!;
}
