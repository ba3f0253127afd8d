import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compilePage, type PageSource } from '../core/docs/compile-page.js';
import { defaultMeta } from '../core/docs/frontmatter.js';
import type { CompiledPage } from '../model/index.js';
import type { PageCompilerPort } from '../ports/index.js';

/** Below this many pages, starting workers costs more than it saves. */
const MIN_PAGES_FOR_WORKERS = 48;
const BATCH_BYTES = 256 * 1024;
/**
 * Pages this large go to a worker even in small jobs: only a large page can hold an input shape
 * the parser needs minutes for, and only a worker can be stopped when it does.
 */
const LARGE_PAGE_BYTES = 16 * 1024;
/**
 * Compile time one page may take on a worker before it is stopped and the page reported as too
 * complex. Generous: a legitimate 2 MB page takes a few seconds on a busy machine, and shapes known
 * to be slow are refused before parsing anyway.
 */
const PAGE_BUDGET_MS = 20_000;
const released = new Uint8Array(0);

export interface PageCompilerOptions {
  workers?: number;
  workerUrl?: URL;
  /** Milliseconds of compile time per page on a worker (default 20 s). */
  pageBudgetMs?: number;
  /** Called as pages finish (for a progress line): pages done so far of this job's total. */
  onCompiled?: (done: number, total: number) => void;
}

/**
 * Compiles small pages of small jobs in this thread and the rest on worker threads (one per core,
 * at most 4). Workers take batches as they finish the previous one, so a few huge pages do not
 * hold up the rest; a page that runs past its budget is reported as too complex and its worker
 * replaced, so one page never blocks the others. The worker script sits next to this module
 * (bundled: next to herald.js).
 */
export function createPageCompiler(options: PageCompilerOptions = {}): PageCompilerPort {
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), 4));
  const workerUrl = options.workerUrl ?? findWorkerScript();
  const budget = options.pageBudgetMs ?? PAGE_BUDGET_MS;
  return {
    async compile(sources) {
      const all = sources.map((_, i) => i);
      const onWorkers =
        sources.length >= MIN_PAGES_FOR_WORKERS
          ? all
          : all.filter((i) => sources[i]!.bytes.length >= LARGE_PAGE_BYTES);
      const results: CompiledPage[] = new Array(sources.length);
      let done = 0;
      const away = new Set(onWorkers);
      // A compiled page's Markdown is let go at once: a big job does not hold every page to the end.
      const finished = (i: number) => {
        sources[i] = { ...sources[i]!, bytes: released };
        options.onCompiled?.(++done, sources.length);
      };
      for (const i of all)
        if (!away.has(i)) {
          results[i] = compilePage(sources[i]!);
          finished(i);
        }
      if (onWorkers.length > 0)
        await compileOnWorkers(
          sources,
          onWorkers,
          results,
          Math.min(workers, onWorkers.length),
          workerUrl,
          budget,
          finished,
        );
      return results;
    },
  };
}

async function compileOnWorkers(
  sources: PageSource[],
  indices: number[],
  results: CompiledPage[],
  count: number,
  workerUrl: URL,
  budget: number,
  finished: (index: number) => void,
): Promise<void> {
  const queue: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const i of indices) {
    current.push(i);
    bytes += sources[i]!.bytes.length;
    if (bytes >= BATCH_BYTES) {
      queue.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (current.length > 0) queue.push(current);

  const live = new Set<Worker>();
  // One lane per worker: it runs batches until the queue is empty, and replaces its worker when a
  // page runs past the budget (the rest of that batch goes back to the queue).
  const lane = () =>
    new Promise<void>((resolve, reject) => {
      let worker: Worker;
      // The batch's pages not yet answered, in the order the worker compiles them: the first one
      // is the page running now, and the timer measures it from the previous answer.
      let pending = new Set<number>();
      let timer: NodeJS.Timeout | undefined;
      const startClock = () => {
        clearTimeout(timer);
        const [running] = pending;
        if (running !== undefined) timer = setTimeout(() => overrun(running), budget);
      };
      const send = () => {
        const batch = queue.shift();
        if (!batch) {
          clearTimeout(timer);
          return resolve();
        }
        pending = new Set(batch);
        worker.postMessage(batch.map((i) => ({ index: i, source: sources[i]! })));
        startClock();
      };
      const start = () => {
        // A small old generation makes V8 size the worker's heap as on a low-memory device (it
        // grows by 1.3x instead of up to 4x between major GCs): measured on 1,350 pages, 34 major
        // GCs instead of 19 and roughly 10% more CPU for the build, but 35-60 MB less peak RSS,
        // which is what keeps a 5,000-page build under 400 MB.
        const own = new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: 192 } });
        worker = own;
        live.add(own);
        own.on('message', (message: { ready: true } | { index: number; page: CompiledPage }) => {
          if (own !== worker) return; // a stopped worker's last words
          if ('ready' in message) return send();
          results[message.index] = message.page;
          finished(message.index);
          pending.delete(message.index);
          if (pending.size === 0) send();
          else startClock();
        });
        own.on('error', (error) => own === worker && reject(error));
        own.on('exit', (code) => {
          live.delete(own);
          // Also before it said it was ready (nothing sent yet): the lane would wait forever.
          if (own === worker && code !== 0)
            reject(new Error(`page compiler worker exited with code ${code}`));
        });
      };
      const overrun = (index: number) => {
        const stopped = worker;
        pending.delete(index);
        results[index] = overBudget(sources[index]!, budget);
        finished(index);
        if (pending.size > 0) queue.unshift([...pending]);
        pending = new Set();
        void stopped.terminate();
        start();
      };
      start();
    });
  try {
    await Promise.all(Array.from({ length: Math.min(count, queue.length) }, lane));
  } finally {
    await Promise.all([...live].map((w) => w.terminate()));
  }
}

function overBudget(source: PageSource, budget: number): CompiledPage {
  return {
    path: source.path,
    meta: defaultMeta(source.path, source.defaultLocale),
    html: '',
    anchors: [],
    links: [],
    assets: [],
    route: null,
    messages: [
      {
        file: source.file,
        line: 1,
        column: 1,
        message: `page took over ${budget / 1000} s to compile and was stopped: its Markdown has a shape the parser is slow on (long runs of * _ [ or deep nesting); simplify it`,
        ruleId: 'too-complex',
        severity: 'error',
      },
    ],
  };
}

/** Next to this module (tsc build), or one level up when this code sits in a bundle chunk. */
function findWorkerScript(): URL {
  const candidates = [
    new URL('./page-compiler-worker.js', import.meta.url),
    new URL('../page-compiler-worker.js', import.meta.url),
  ];
  return candidates.find((url) => existsSync(fileURLToPath(url))) ?? candidates[0]!;
}
