// A page compiler worker (same protocol as src/adapters/page-compiler-worker.ts) that never
// finishes a page containing HANG: stands in for a page the Markdown parser would need hours for.
import { parentPort } from 'node:worker_threads';
import { compilePage } from '../../dist/core/docs/compile-page.js';

parentPort.on('message', (batch) => {
  for (const { index, source } of batch) {
    if (new TextDecoder().decode(source.bytes).includes('HANG')) for (;;) {}
    parentPort.postMessage({ index, page: compilePage(source) });
  }
});
parentPort.postMessage({ ready: true });
