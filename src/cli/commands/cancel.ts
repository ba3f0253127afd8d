import type { Output } from '../output.js';
import { runHoldOrCancel } from './hold.js';

// `herald cancel <version>`: cancel a release's announcement; what went out stays recorded.

export function runCancel(argv: string[], output: Output, cwd: string): Promise<number> {
  return runHoldOrCancel('cancel', argv, output, cwd);
}
