/** Per target: how many rows this run had to do, how many it has finished, and when. */
export interface TargetProgress {
  total: number;
  done: number;
  sent: number;
  failed: number;
  /** (time ms, done) samples of the last few seconds, for the rate. */
  samples: [number, number][];
}

const WINDOW_MS = 5_000;

/**
 * A self-overwriting bar only on a terminal outside CI: CI logs (some CIs give jobs a terminal)
 * keep every carriage return as a line, so there a plain line is printed now and then instead.
 */
export function drawsLiveBar(stream: { isTTY?: boolean }, inCi: boolean): boolean {
  return stream.isTTY === true && !inCi;
}

export function newProgress(total: number): TargetProgress {
  return { total, done: 0, sent: 0, failed: 0, samples: [] };
}

/** Records one finished row at `now` (sent, skipped or failed). */
export function recordDone(progress: TargetProgress, state: string, now: number): void {
  progress.done++;
  if (state === 'sent') progress.sent++;
  if (state === 'failed') progress.failed++;
  // More rows than the queue said (planned by a run that overlaps this one): the total follows.
  progress.total = Math.max(progress.total, progress.done);
  const last = progress.samples.at(-1);
  if (!last || now - last[0] >= 100) progress.samples.push([now, progress.done]);
  while (progress.samples.length > 2 && now - progress.samples[0]![0] > WINDOW_MS) progress.samples.shift();
}

/** Rows per second over the last few seconds (null until there is a second's worth). */
export function rateOf(progress: TargetProgress, now: number): number | null {
  const first = progress.samples[0];
  if (!first) return null;
  const span = now - first[0];
  if (span < 1_000) return null;
  return (progress.done - first[1]) / (span / 1000);
}

/** `0:17`, `4:05`, `1:02:09`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

const count = (n: number) => n.toLocaleString('en');

/**
 * One target's progress: `email 62,310/100,000 ━━━━━━━━━━━━──────── 62% · 2,150/s · 0:17 left`
 * (`bar: false` for logs). A target with a handful of rows shows only its counts.
 */
export function progressText(target: string, progress: TargetProgress, now: number, bar: boolean): string {
  const { total, done, failed } = progress;
  const failures = failed > 0 ? ` · ${count(failed)} failed` : '';
  if (total < 50) return `${target} ${done}/${total}${failures}`;
  const share = total === 0 ? 1 : done / total;
  const width = 20;
  const filled = Math.round(share * width);
  const rate = rateOf(progress, now);
  const left = rate && rate > 0 && done < total ? ` · ${formatDuration((total - done) / rate)} left` : '';
  return [
    `${target} ${count(done)}/${count(total)}`,
    bar ? ` ${'━'.repeat(filled)}${'─'.repeat(width - filled)}` : '',
    ` ${Math.floor(share * 100)}%`,
    rate === null || done >= total ? '' : ` · ${count(Math.round(rate))}/s`,
    left,
    failures,
  ].join('');
}

export interface StatusLine {
  /** Shows `text` in place of the previous one, once the work has taken longer than the delay. */
  update(text: string): void;
  /** Clears the line (if one was shown). */
  done(): void;
}

/**
 * A one-line status on a terminal for work that takes a while (`docs diff`, a cold `docs check`):
 * nothing for the first second, so quick runs stay quiet, and nothing at all when the stream is
 * not a terminal, so tests and CI logs stay clean.
 */
export function createStatusLine(
  stream: { isTTY?: boolean; write(text: string): unknown },
  options: { delayMs?: number; now?: () => number } = {},
): StatusLine {
  if (stream.isTTY !== true) return { update() {}, done() {} };
  const now = options.now ?? Date.now;
  const delay = options.delayMs ?? 1_000;
  const started = now();
  let shown = false;
  return {
    update(text) {
      if (now() - started < delay) return;
      shown = true;
      stream.write(`\r${text}\x1b[K`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
