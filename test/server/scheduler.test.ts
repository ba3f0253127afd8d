import { describe, expect, it } from 'vitest';
import { startScheduler } from '../../src/server/scheduler.js';

/** A promise and the function that settles it: runs that end when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('the announce scheduler of herald serve', () => {
  it('never overlaps runs, and stop waits for the one under way', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const gates = [gate(), gate(), gate()];
    const started = [gate(), gate(), gate()];
    const scheduler = startScheduler({
      intervalMs: 0,
      log: () => {},
      async run() {
        const n = runs++;
        running++;
        most = Math.max(most, running);
        started[n]?.open();
        await gates[n]?.opened;
        running--;
      },
    });
    await started[0]!.opened;
    gates[0]!.open();
    await started[1]!.opened;
    const stopped = scheduler.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    gates[1]!.open();
    await stopped;
    expect(most).toBe(1);
    expect(runs).toBe(2);
  });

  it('logs a failure once while it repeats, keeps running, and says when it works again', async () => {
    const lines: string[] = [];
    const outcomes = ['boom', 'boom', 'boom', 'ok', 'other'];
    const finished = gate();
    let runs = 0;
    const scheduler = startScheduler({
      intervalMs: 0,
      log: (line) => lines.push(line),
      async run() {
        const outcome = outcomes[runs++];
        if (runs === outcomes.length) finished.open();
        if (outcome === undefined) return finished.opened;
        if (outcome !== 'ok') throw new Error(outcome);
      },
    });
    await finished.opened;
    await scheduler.stop();
    expect(lines).toEqual([
      'scheduled announce failed: boom; trying again every run, logged once until it works',
      'scheduled announce runs again',
      'scheduled announce failed: other; trying again every run, logged once until it works',
    ]);
  });
});
