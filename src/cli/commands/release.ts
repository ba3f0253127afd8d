import type { Output } from '../output.js';
import { runCancel } from './cancel.js';
import { runEdit } from './edit.js';
import { runHoldOrCancel } from './hold.js';
import { runList } from './list.js';
import { runLog } from './log.js';
import { runPreview } from './preview.js';
import { runSchedule } from './schedule.js';
import { runShow } from './show.js';

// The release manager's commands (schedule, hold, cancel, list, show, preview, log, edit), one
// file each; their help texts are in release-help.ts so `herald --help` loads none of them.

export async function runReleaseCommand(
  command: string,
  argv: string[],
  output: Output,
  cwd: string,
): Promise<number> {
  switch (command) {
    case 'schedule':
      return runSchedule(argv, output, cwd);
    case 'hold':
      return runHoldOrCancel('hold', argv, output, cwd);
    case 'cancel':
      return runCancel(argv, output, cwd);
    case 'list':
      return runList(argv, output, cwd);
    case 'show':
      return runShow(argv, output, cwd);
    case 'preview':
      return runPreview(argv, output, cwd);
    case 'log':
      return runLog(argv, output, cwd);
    case 'edit':
      return runEdit(argv, output, cwd);
    default:
      throw new Error(`no release command ${command}`);
  }
}
