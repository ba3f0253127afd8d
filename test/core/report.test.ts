import { describe, expect, it } from 'vitest';
import { planReport, type ReportState, reportMessage, summarizeRelease } from '../../src/core/report.js';

const HOUR = 3_600_000;
const failure = (key: string, message = 'Slack refused: not_in_channel') => ({
  target: 'slack:C0RELEASES',
  key,
  error: { message, fix: 'Invite the app: /invite @herald' },
});

describe('release report planning', () => {
  it('counts done/total per target, groups failures by reason and leaves its own rows out', () => {
    const summary = summarizeRelease(
      'Acme Cloud 2.0.0',
      {
        zendesk: { sent: 3 },
        'slack:C0RELEASES': { sent: 1, failed: 4 },
        'report:slack': { sent: 1 },
      },
      [failure('post:a'), failure('post:b'), failure('post:c'), failure('post:d')],
    );
    expect(summary.targets).toEqual([
      { target: 'zendesk', done: 3, total: 3, failed: 0 },
      { target: 'slack:C0RELEASES', done: 1, total: 5, failed: 4 },
    ]);
    expect(summary.problems).toHaveLength(1);
    const text = JSON.stringify(reportMessage(summary));
    expect(text).toContain('4/8 deliveries done, 4 failed');
    expect(text).toContain('post:a, post:b, post:c and 1 more');
  });

  it('never lets a failure message ping or link', () => {
    const summary = summarizeRelease('Acme 1.0.0', { jira: { failed: 1 } }, [
      { target: 'jira', key: 'PROJ-1', error: { message: 'locked by <!channel> <@U1> @here', fix: null } },
    ]);
    const text = JSON.stringify(reportMessage(summary).blocks);
    expect(text).not.toMatch(/<[!@#]/);
    expect(text).not.toMatch(/@(channel|here|everyone)/);
  });

  it('posts first, then updates with a reply only when failures change, and reminds once per period', () => {
    const failing = summarizeRelease('A 1.0.0', { s: { sent: 1, failed: 1 } }, [failure('k')]);
    const first = planReport(null, failing, 0, HOUR);
    expect(first.parent).toBe('post');
    expect(first.replies).toEqual([]);
    const state = (plan: typeof first, previous?: ReportState): ReportState => ({
      channel: 'C0R',
      ts: '1.1',
      text:
        previous && plan.parent === 'none'
          ? previous.text
          : `${plan.message.text}${JSON.stringify(plan.message.blocks)}`,
      problems: plan.problems,
    });
    const s1 = state(first);

    const quiet = planReport(s1, failing, HOUR - 1, HOUR);
    expect(quiet.parent).toBe('none');
    expect(quiet.replies).toEqual([]);

    const reminded = planReport(s1, failing, HOUR, HOUR);
    expect(reminded.replies).toHaveLength(1);
    expect(reminded.replies[0]).toContain('Still failing');
    const s2 = state(reminded, s1);
    expect(planReport(s2, failing, 2 * HOUR - 1, HOUR).replies).toEqual([]);
    expect(planReport(s2, failing, 2 * HOUR, HOUR).replies).toHaveLength(1);

    const fixed = planReport(s2, summarizeRelease('A 1.0.0', { s: { sent: 2 } }, []), HOUR + 5, HOUR);
    expect(fixed.parent).toBe('update');
    expect(fixed.replies).toHaveLength(1);
    expect(fixed.replies[0]).toContain('resolved');

    const worse = summarizeRelease('A 1.0.0', { s: { failed: 2 } }, [failure('k'), failure('j', 'timeout')]);
    const more = planReport(s2, worse, HOUR + 5, HOUR);
    expect(more.replies).toHaveLength(1);
    expect(more.replies[0]).toContain('New failures');
    expect(more.replies[0]).toContain('timeout');
  });
});
