import { parentPort } from 'node:worker_threads';
import { compilePage, type PageSource } from '../core/docs/compile-page.js';

// Worker thread: compiles batches of pages sent by adapters/page-compiler.ts, in order, one
// message per page. It says once when it is loaded (its start-up is not a page's compile time);
// the parent times each page from the previous answer, so no per-page "started" message is
// needed: every message crossing threads costs a wake-up of the other side.
parentPort?.on('message', (batch: { index: number; source: PageSource }[]) => {
  for (const { index, source } of batch) parentPort!.postMessage({ index, page: compilePage(source) });
});
parentPort?.postMessage({ ready: true });
