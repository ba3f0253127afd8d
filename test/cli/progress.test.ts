import { describe, expect, it } from 'vitest';
import { formatDuration, newProgress, progressText, rateOf, recordDone } from '../../src/cli/progress.js';

describe('announce progress', () => {
  it('shows done/total, a bar, the rate over the last seconds and the time left', () => {
    const progress = newProgress(10_000);
    // 2,000 rows in the first two seconds, 100 per 100 ms.
    for (let i = 0; i < 2_000; i++) recordDone(progress, i % 500 === 0 ? 'skipped' : 'sent', 1_000 + i);
    const now = 3_000;
    expect(rateOf(progress, now)).toBeCloseTo(1_000, -1);
    expect(progressText('email', progress, now, true)).toBe(
      'email 2,000/10,000 ━━━━──────────────── 20% · 1,000/s · 0:08 left',
    );
    expect(progressText('email', progress, now, false)).toBe('email 2,000/10,000 20% · 1,000/s · 0:08 left');
    expect(progress.sent).toBe(1_996);
  });

  it('keeps a few rows short, counts failures, and never goes past 100%', () => {
    const few = newProgress(3);
    recordDone(few, 'sent', 0);
    recordDone(few, 'failed', 1);
    expect(progressText('helpcenter', few, 2, true)).toBe('helpcenter 2/3 · 1 failed');
    const more = newProgress(60);
    for (let i = 0; i < 70; i++) recordDone(more, 'sent', i * 50);
    expect(more.total).toBe(70);
    // Finished: no rate left to show.
    expect(progressText('email', more, 3_500, false)).toBe('email 70/70 100%');
  });

  it('has no rate before a second of samples', () => {
    const progress = newProgress(1_000);
    recordDone(progress, 'sent', 0);
    recordDone(progress, 'sent', 500);
    expect(rateOf(progress, 600)).toBeNull();
    expect(progressText('email', progress, 600, false)).toBe('email 2/1,000 0%');
  });

  it('formats durations', () => {
    expect(formatDuration(7.4)).toBe('0:07');
    expect(formatDuration(245)).toBe('4:05');
    expect(formatDuration(3_729)).toBe('1:02:09');
    expect(formatDuration(-3)).toBe('0:00');
  });
});
