import { decodeError, encodeError, failureFacts } from '../../core/ledger-outcome.js';
import {
  type FailedRow,
  parentText,
  planReport,
  REPORT_TARGET,
  type ReportState,
  reportKey,
  summarizeRelease,
} from '../../core/report.js';
import type { BundleKey, BundleRecord, DeliveryRow } from '../../model/index.js';
import type { ChatMetadata, ChatPort, StorePort } from '../../ports/index.js';

// After an announce run (the CLI's, or each run of the `herald serve` scheduler): per release being
// announced, or announced by this run, one Slack thread saying what went out and what failed.

export type ReportStore = Pick<
  StorePort,
  | 'now'
  | 'findBundle'
  | 'listBundles'
  | 'deliverySummary'
  | 'failedDeliveries'
  | 'listDeliveries'
  | 'saveSideRow'
>;

export interface ReportInput {
  store: ReportStore;
  chat: ChatPort;
  channel: string;
  remindAfterMs: number;
  /** Releases this run announced (finished): reported once more, with their final counts. */
  announced: BundleKey[];
}

/** What the report did for one release; `error` when Slack refused (the announce is unaffected). */
export interface ReleaseReportOutcome {
  key: BundleKey;
  parent: 'posted' | 'updated' | 'unchanged' | 'failed';
  replies: number;
  ts: string | null;
  error: { message: string; fix: string | null } | null;
}

const METADATA_EVENT = 'herald_release_report';

/**
 * Reports every release being announced, and those `announced` by this run. Never throws for what
 * Slack answers: a failure is recorded on the release's report row (shown by `herald status`)
 * and returned, and the next run tries again.
 */
export async function reportReleases(input: ReportInput): Promise<ReleaseReportOutcome[]> {
  const { store } = input;
  const now = await store.now();
  const records = new Map<number, BundleRecord>();
  for (const record of await store.listBundles({ statuses: ['announcing'], limit: 500 }))
    records.set(record.id, record);
  for (const key of input.announced) {
    const record = await store.findBundle(key);
    if (record) records.set(record.id, record);
  }
  const failed = new Map<number, DeliveryRow[]>();
  for (const row of await store.failedDeliveries()) {
    const rows = failed.get(row.bundleId) ?? [];
    rows.push(row);
    failed.set(row.bundleId, rows);
  }
  const outcomes: ReleaseReportOutcome[] = [];
  for (const record of records.values()) {
    // Embargo: nothing about a release is said before its announce time (by the store's clock).
    if (record.announceAt === null || record.announceAt > now) continue;
    if (record.status !== 'announcing' && record.status !== 'announced') continue;
    outcomes.push(await reportRelease(input, record, failed.get(record.id) ?? [], now));
  }
  return outcomes;
}

function titleOf(key: BundleKey): string {
  return `${key.product} ${key.package ? `${key.package} ` : ''}${key.version}`;
}

/**
 * A parent posted by a run that stopped before it saved the ts (killed, or the store write
 * failed), or by a run at the same time: found by its metadata, updated rather than posted again.
 * Not found, or the lookup failed: a new parent (a duplicate report costs less than none).
 */
async function findParent(
  chat: ChatPort,
  channel: string,
  record: BundleRecord,
  metadata: ChatMetadata,
): Promise<ReportState | null> {
  // An hour's margin for a store whose clock is not Slack's; nothing is reported before announce time.
  const since = (record.announceAt ?? 0) - 3_600_000;
  const found = await chat.find({ channel, threadTs: null, since, metadata }).catch(() => null);
  // The text is unknown: the parent is updated, and failures since are new to the thread.
  return found ? { channel, ts: found.ts, text: '', problems: {} } : null;
}

function readState(row: DeliveryRow | undefined, channel: string): ReportState | null {
  if (!row?.receipt || row.externalId === null) return null;
  try {
    const state = JSON.parse(row.receipt) as ReportState;
    return state.channel === channel && state.ts ? state : null;
  } catch {
    return null;
  }
}

async function reportRelease(
  input: ReportInput,
  record: BundleRecord,
  failedRows: DeliveryRow[],
  now: number,
): Promise<ReleaseReportOutcome> {
  const { store, chat, channel } = input;
  const key = reportKey(channel);
  const [row] = await store.listDeliveries(record.id, { keys: [key] });
  const metadata = { eventType: METADATA_EVENT, payload: { delivery: `${record.id}:${key}` } };
  const previous =
    readState(row?.target === REPORT_TARGET ? row : undefined, channel) ??
    (await findParent(chat, channel, record, metadata));
  const failed: FailedRow[] = failedRows.map((r) => ({
    target: r.target,
    key: r.key,
    error: decodeError(r.lastError),
  }));
  const summary = summarizeRelease(titleOf(record.key), await store.deliverySummary(record.id), failed);
  const plan = planReport(previous, summary, now, input.remindAfterMs);
  const outcome: ReleaseReportOutcome = {
    key: record.key,
    parent: 'unchanged',
    replies: 0,
    ts: previous?.ts ?? null,
    error: null,
  };
  let permalink = row?.externalUrl ?? null;
  // Saved as far as it got: a parent posted before a reply failed is updated, not posted again.
  let state: ReportState | null = previous;
  try {
    if (plan.parent === 'post') {
      const posted = await chat.post({
        channel,
        message: plan.message,
        threadTs: null,
        metadata,
      });
      permalink = posted.permalink;
      outcome.parent = 'posted';
      outcome.ts = posted.ts;
    } else if (plan.parent === 'update' && previous) {
      await chat.update({ channel, ts: previous.ts, message: plan.message });
      outcome.parent = 'updated';
    }
    state = { channel, ts: outcome.ts!, text: parentText(plan.message), problems: previous?.problems ?? {} };
    for (const reply of plan.replies) {
      await chat.post({
        channel,
        message: { text: reply, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: reply } }] },
        threadTs: state.ts,
        metadata: { eventType: METADATA_EVENT, payload: { delivery: `${record.id}:${key}:reply` } },
      });
      outcome.replies += 1;
    }
    state.problems = plan.problems;
  } catch (error) {
    const facts = failureFacts(error);
    // The Slack client's fixes name the announcement channels' setting; this channel is the report's.
    const fix = facts.fix?.replaceAll('herald.slack.channels', 'herald.report.slack.channel') ?? null;
    outcome.error = { message: facts.message, fix };
    if (outcome.parent === 'unchanged') outcome.parent = 'failed';
  }
  await store.saveSideRow(record.id, {
    target: REPORT_TARGET,
    key,
    state: state ? 'sent' : 'skipped',
    externalId: state?.ts ?? null,
    externalUrl: permalink,
    receipt: state ? JSON.stringify(state) : null,
    lastError: outcome.error ? encodeError(outcome.error.message, outcome.error.fix) : null,
  });
  return outcome;
}
