import { parentPort } from 'node:worker_threads';
import { compilePage, type PageSource } from '../core/docs/compile-page.js';

// Worker thread: compiles batches of pages sent by adapters/page-compiler.ts.
parentPort?.on('message', (batch: { index: number; source: PageSource }[]) => {
  parentPort!.postMessage(batch.map(({ index, source }) => ({ index, page: compilePage(source) })));
});
