import { parentPort } from 'node:worker_threads';
import { compilePage, type PageSource } from '../core/docs/compile-page.js';

// Worker thread: compiles batches of pages sent by adapters/page-compiler.ts. It says when each
// page starts, so the parent can stop a page that runs past its time budget.
parentPort?.on('message', (batch: { index: number; source: PageSource }[]) => {
  for (const { index, source } of batch) {
    parentPort!.postMessage({ started: index });
    parentPort!.postMessage({ index, page: compilePage(source) });
  }
});
