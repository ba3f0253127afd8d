import type { DeliverySummary, SlackMessage } from '../model/index.js';
import { escapeMrkdwn, truncateMrkdwn, truncatePlain } from './slack-mrkdwn.js';

// The release report: after each announce run, per release, what went out and what failed, as one
// Slack thread. Pure: the stage reads the ledger and talks to Slack, this decides what to say.

/** The ledger row that remembers a release's report thread (a side row, never planned). */
export const REPORT_TARGET = 'report:slack';
export const reportKey = (channel: string) => `thread:${channel}`;
/** Rows of these targets are the report's own: never counted in it. */
export const isReportTarget = (target: string) => target.startsWith('report:');

/** Keys of failed deliveries a report names per problem; the rest are counted. */
const KEYS_NAMED = 3;
/** Slack's limit for a section's text. */
const SECTION_CHARS = 3000;

/** Failed deliveries of one target with the same reason: one problem. */
export interface ReportProblem {
  target: string;
  message: string;
  fix: string | null;
  count: number;
  keys: string[];
}

export interface ReleaseSummary {
  /** "Acme Cloud 2.0.0" (with the package for a monorepo package). */
  title: string;
  targets: { target: string; done: number; total: number; failed: number }[];
  problems: ReportProblem[];
}

/** What the report remembers of a release between runs (in its ledger row). */
export interface ReportState {
  channel: string;
  ts: string;
  /** The parent's text as last posted: unchanged, it is not updated. */
  text: string;
  /** Per problem id: when it was first reported, when last reminded of, how many deliveries. */
  problems: Record<string, { since: number; remindedAt: number | null; count: number }>;
}

export interface FailedRow {
  target: string;
  key: string;
  error: { message: string; fix: string | null };
}

const problemId = (p: { target: string; message: string }) => `${p.target}\u0000${p.message}`;

/** Per target done/total (done: sent or skipped) and the failures grouped by reason. */
export function summarizeRelease(
  title: string,
  summary: DeliverySummary,
  failed: FailedRow[],
): ReleaseSummary {
  const targets = Object.entries(summary)
    .filter(([target]) => !isReportTarget(target))
    .map(([target, states]) => {
      const total = Object.values(states).reduce((a, n) => a + (n ?? 0), 0);
      return { target, total, done: (states.sent ?? 0) + (states.skipped ?? 0), failed: states.failed ?? 0 };
    });
  const problems = new Map<string, ReportProblem>();
  for (const row of failed) {
    if (isReportTarget(row.target)) continue;
    const id = problemId({ target: row.target, message: row.error.message });
    const problem = problems.get(id) ?? {
      target: row.target,
      message: row.error.message,
      fix: row.error.fix,
      count: 0,
      keys: [],
    };
    problem.count += 1;
    if (problem.keys.length < KEYS_NAMED) problem.keys.push(row.key);
    problems.set(id, problem);
  }
  return { title, targets, problems: [...problems.values()] };
}

function problemLine(p: ReportProblem): string {
  const more = p.count > p.keys.length ? ` and ${(p.count - p.keys.length).toLocaleString('en')} more` : '';
  const fix = p.fix ? ` — fix: ${escapeMrkdwn(p.fix)}` : '';
  return `• \`${escapeMrkdwn(p.target)}\` ${escapeMrkdwn(p.keys.join(', '))}${more}: ${escapeMrkdwn(p.message)}${fix}`;
}

/** The parent message: a headline, per target done/total, and each failure with its fix. */
export function reportMessage(summary: ReleaseSummary): SlackMessage {
  const done = summary.targets.reduce((a, t) => a + t.done, 0);
  const total = summary.targets.reduce((a, t) => a + t.total, 0);
  const failed = summary.problems.reduce((a, p) => a + p.count, 0);
  const headline = `${summary.title}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} deliveries done${failed > 0 ? `, ${failed.toLocaleString('en')} failed` : ''}`;
  const targets = summary.targets
    .map(
      (t) =>
        `• \`${escapeMrkdwn(t.target)}\` ${t.done.toLocaleString('en')}/${t.total.toLocaleString('en')}${t.failed > 0 ? ` (${t.failed.toLocaleString('en')} failed)` : ''}`,
    )
    .join('\n');
  const blocks: SlackMessage['blocks'] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncateMrkdwn(`*${escapeMrkdwn(headline)}*`, SECTION_CHARS) },
    },
  ];
  if (targets)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(targets, SECTION_CHARS) } });
  if (summary.problems.length > 0)
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncateMrkdwn(`*Failed*\n${summary.problems.map(problemLine).join('\n')}`, SECTION_CHARS),
      },
    });
  return { text: truncatePlain(headline, SECTION_CHARS), blocks };
}

export interface ReportPlan {
  /** Post the parent (first report in this channel), update it (its text changed), or leave it. */
  parent: 'post' | 'update' | 'none';
  message: SlackMessage;
  /** Thread replies, mrkdwn: what changed since the last run, and reminders. */
  replies: string[];
  problems: ReportState['problems'];
}

/**
 * What this run reports of a release. A reply when failures were resolved or new ones appeared;
 * a reminder for a problem unresolved for `remindAfterMs`, at most once per `remindAfterMs`.
 */
export function planReport(
  previous: ReportState | null,
  summary: ReleaseSummary,
  now: number,
  remindAfterMs: number,
): ReportPlan {
  const message = reportMessage(summary);
  const problems: ReportState['problems'] = {};
  const replies: string[] = [];
  const fresh: ReportProblem[] = [];
  const due: ReportProblem[] = [];
  for (const p of summary.problems) {
    const was = previous?.problems[problemId(p)];
    const since = was?.since ?? now;
    let remindedAt = was?.remindedAt ?? null;
    if (previous && (!was || p.count > was.count)) fresh.push(p);
    else if (was && now - (remindedAt ?? since) >= remindAfterMs) {
      due.push(p);
      remindedAt = now;
    }
    problems[problemId(p)] = { since, remindedAt, count: p.count };
  }
  if (previous) {
    const resolved = Object.entries(previous.problems).flatMap(([id, was]) => {
      const left = problems[id]?.count ?? 0;
      if (left >= was.count) return [];
      const [target, message] = id.split('\u0000') as [string, string];
      const fixed = was.count - left;
      return [
        `• \`${escapeMrkdwn(target)}\` ${fixed.toLocaleString('en')} ${left === 0 ? 'resolved' : `of ${was.count.toLocaleString('en')} resolved`}: ${escapeMrkdwn(message)}`,
      ];
    });
    if (resolved.length > 0) replies.push(`*Resolved since the last report*\n${resolved.join('\n')}`);
  }
  if (fresh.length > 0) replies.push(`*New failures*\n${fresh.map(problemLine).join('\n')}`);
  if (due.length > 0)
    replies.push(
      `*Still failing* (reported ${hoursText(remindAfterMs)} or more ago)\n${due.map(problemLine).join('\n')}`,
    );
  const parent = previous === null ? 'post' : previous.text === parentText(message) ? 'none' : 'update';
  return { parent, message, replies: replies.map((r) => truncateMrkdwn(r, SECTION_CHARS)), problems };
}

/** What is compared to tell whether the parent changed: its fallback and its blocks. */
export const parentText = (message: SlackMessage) => message.text + JSON.stringify(message.blocks);

function hoursText(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 1 ? `${Number(hours.toFixed(1))} h` : `${Math.max(1, Math.round(ms / 60_000))} min`;
}
