// Slack's faults for Herald's tests, injected into the product's Slack emulator through its
// interceptor: scheduled ones (`failNext`) and seeded random ones, so a fault sequence repeats
// run to run (HERALD_FAULT_SEED). The product's `herald emulate slack` runs without any.
import {
  type SlackEmulator as PlainSlackEmulator,
  type SlackEmulatorOptions as PlainSlackEmulatorOptions,
  type SlackInterception,
  startSlackEmulator as startPlainSlackEmulator,
} from '../../src/server/emulators/slack.js';
import { prng } from './prng.js';

export type {
  EmulatedSlackMessage,
  SlackMetadata,
  SlackRequestLog,
} from '../../src/server/emulators/slack.js';

export type SlackFaultKind = 429 | 500 | 'reset' | 'reset-after' | 'slow';

/** Random faults: a fraction `rate` (0..1) of authorized, in-scope requests fail with one of `kinds`. */
export interface RandomFaults {
  rate: number;
  /** Default all kinds. */
  kinds?: SlackFaultKind[];
  /** PRNG seed, default 1: the same seed draws the same faults. */
  seed?: number;
  /** Only chat.postMessage/update/delete draw faults. */
  onlyWrites?: boolean;
}

export interface SlackEmulatorOptions extends Omit<PlainSlackEmulatorOptions, 'intercept'> {
  faults?: RandomFaults;
}

export interface SlackEmulator extends PlainSlackEmulator {
  /**
   * Fails the next `count` authorized, in-scope requests (only those of `apiMethod` when given), before
   * random faults. A string that is not a fault kind answers HTTP 200 `{ok:false,error:<string>}`.
   */
  failNext(count: number, fault: SlackFaultKind | string, apiMethod?: string): void;
  setFaults(faults: RandomFaults | null): void;
}

const WRITE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.delete']);
const ALL_KINDS: SlackFaultKind[] = [429, 500, 'reset', 'reset-after', 'slow'];
/** A slow answer: past the adapter's patience for a quick answer, well within its timeout. */
const SLOW_MS = 1500;

/** What one fault does to a request, as the emulator's interceptor says it. */
function interceptionOf(fault: SlackFaultKind | string): SlackInterception {
  switch (fault) {
    case 'slow':
      return { label: fault, delayMs: SLOW_MS };
    case 'reset':
      return { label: fault, drop: 'before' };
    case 'reset-after':
      return { label: fault, drop: 'after' };
    case 429:
      return {
        label: fault,
        answer: { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } },
      };
    case 500:
      return {
        label: fault,
        answer: { status: 500, html: '<html><body><h1>500 Internal Server Error</h1></body></html>' },
      };
    default:
      return { label: fault, answer: { status: 200, body: { ok: false, error: String(fault) } } };
  }
}

/** The Slack emulator with fault injection: scheduled faults first, then seeded random ones. */
export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const { faults, ...plain } = options;
  const scheduled: { fault: SlackFaultKind | string; apiMethod?: string }[] = [];
  let random: { faults: RandomFaults; next: () => number } | null = null;
  const setFaults = (next: RandomFaults | null | undefined) => {
    random = next ? { faults: next, next: prng(next.seed ?? 1) } : null;
  };
  setFaults(faults);

  const drawFault = (apiMethod: string): SlackFaultKind | string | undefined => {
    const index = scheduled.findIndex((s) => s.apiMethod === undefined || s.apiMethod === apiMethod);
    if (index >= 0) return scheduled.splice(index, 1)[0]?.fault;
    if (!random || (random.faults.onlyWrites && !WRITE_METHODS.has(apiMethod))) return undefined;
    if (random.next() >= random.faults.rate) return undefined;
    const kinds = random.faults.kinds?.length ? random.faults.kinds : ALL_KINDS;
    return kinds[Math.floor(random.next() * kinds.length)];
  };

  const emulator = await startPlainSlackEmulator({
    ...plain,
    intercept: (apiMethod) => {
      const fault = drawFault(apiMethod);
      return fault === undefined ? undefined : interceptionOf(fault);
    },
  });
  return {
    ...emulator,
    failNext(count, fault, apiMethod) {
      for (let i = 0; i < count; i++) scheduled.push({ fault, apiMethod });
    },
    setFaults,
  };
}
