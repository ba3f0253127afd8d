import { countAllRows, countRows, UNFINISHED } from '../../core/delivery-counts.js';
import { NOTES_ARTICLE_KEY } from '../../core/delivery-ops/index.js';
import { isReportTarget, REPORT_TARGET, reportKey } from '../../core/report.js';
import type { BundleRecord, DeliveryRow, DeliverySummary } from '../../model/index.js';
import type { StorePort } from '../../ports/index.js';
import { decodeError } from '../../stages/announce.js';
import { parseCommandArgs } from '../args.js';
import { common, requireBundle, versionArg, withContext } from '../context.js';
import { versionArgs, versionOf } from '../format.js';
import type { Output } from '../output.js';

// `herald status <version>`: the delivery ledger of a release.

/** Open deliveries `herald status` lists per target without --all. */
const STATUS_ROWS_PER_TARGET = 20;

export async function runStatus(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { all: { type: 'boolean' }, ...common }, 'status');
  const version = versionArg(positionals, 'status');
  return withContext(values, output, cwd, async ({ store, key, products, runtime }) => {
    const record = await requireBundle(store, key(version), products);
    // The release report's own row is shown as its own line, not as a delivery.
    const summary = withoutReportRows(await store.deliverySummary(record.id));
    const report = await reportOf(store, record, runtime.config.report.slack?.channel ?? null);
    if (output.json) {
      const rows = await store.listDeliveries(record.id);
      output.out(
        JSON.stringify(
          {
            ok: true,
            version: record.key.version,
            package: record.key.package || null,
            status: record.status,
            summary,
            deliveries: rows.filter((r) => !isReportTarget(r.target)).map(rowJson),
            report,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const total = countAllRows(summary);
    output.out(`${versionOf(record.key)}: ${record.status}, ${total.toLocaleString('en')} deliveries`);
    if (total === 0) {
      output.out(
        record.status === 'scheduled' || record.status === 'draft' || record.status === 'held'
          ? '  nothing planned yet: deliveries are planned when the announce time has come'
          : '  no deliveries',
      );
      return 0;
    }
    printCounts(summary, output);
    if (report) output.out(`  ${reportLine(report)}`);
    const [notes] = await store.listDeliveries(record.id, { keys: [NOTES_ARTICLE_KEY] });
    if (notes?.externalUrl) output.out(`  release notes: ${notes.externalUrl}`);
    await printRows(store, record, summary, values.all === true, output);
    return 0;
  });
}

function withoutReportRows(summary: DeliverySummary): DeliverySummary {
  return Object.fromEntries(Object.entries(summary).filter(([target]) => !isReportTarget(target)));
}

/** The release report's thread in the configured channel, and its last failure if the last run failed. */
async function reportOf(store: StorePort, record: BundleRecord, channel: string | null) {
  if (channel === null) return null;
  const [row] = await store.listDeliveries(record.id, { keys: [reportKey(channel)] });
  if (row?.target !== REPORT_TARGET) return null;
  const error = row.lastError === null ? null : decodeError(row.lastError);
  return {
    channel,
    ts: row.externalId,
    url: row.externalUrl,
    error: error?.message ?? null,
    fix: error?.fix ?? null,
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

function reportLine(report: NonNullable<Awaited<ReturnType<typeof reportOf>>>): string {
  const thread = report.ts
    ? `report: ${report.url ?? `thread ${report.ts} in ${report.channel}`}`
    : `report: not posted to ${report.channel}`;
  return report.error
    ? `${thread}; the last report failed: ${report.error}${report.fix ? ` (fix: ${report.fix})` : ''}`
    : thread;
}

/** Per target, how many deliveries are in each state. */
function printCounts(summary: DeliverySummary, output: Output): void {
  const width = Math.max(...Object.keys(summary).map((t) => t.length));
  for (const [target, states] of Object.entries(summary))
    output.out(
      `  ${target.padEnd(width)}  ${Object.entries(states)
        .filter(([, n]) => (n ?? 0) > 0)
        .map(([state, n]) => `${n!.toLocaleString('en')} ${state}`)
        .join(' · ')}`,
    );
}

/**
 * A release mailed to 100,000 subscribers has as many rows: the open ones are shown a few per
 * target, every row only with --all.
 */
async function printRows(
  store: StorePort,
  record: BundleRecord,
  summary: DeliverySummary,
  all: boolean,
  output: Output,
): Promise<void> {
  const rows = all
    ? await store.listDeliveries(record.id)
    : await store.listDeliveries(record.id, { open: true, limit: 5000 });
  const perTarget = new Map<string, number>();
  for (const row of rows) {
    if (isReportTarget(row.target)) continue;
    const shown = perTarget.get(row.target) ?? 0;
    perTarget.set(row.target, shown + 1);
    if (!all && shown >= STATUS_ROWS_PER_TARGET) continue;
    const j = rowJson(row);
    const where = j.url ?? j.receipt ?? (j.error ? `${j.error}${j.fix ? ` (fix: ${j.fix})` : ''}` : '');
    output.out(
      `  ${row.state.padEnd(10)} ${row.target} ${row.key}${row.attempts > 1 ? ` ×${row.attempts}` : ''}${where ? `  ${where}` : ''}`,
    );
  }
  if (all) return;
  for (const [target, states] of Object.entries(summary)) {
    const open = countRows(states, UNFINISHED);
    if (open > STATUS_ROWS_PER_TARGET)
      output.out(`  … ${(open - STATUS_ROWS_PER_TARGET).toLocaleString('en')} more open on ${target}`);
  }
  output.out(`  (herald status ${versionArgs(record.key)} --all lists every delivery)`);
}

function rowJson(row: DeliveryRow) {
  const error = row.lastError === null ? null : decodeError(row.lastError);
  return {
    target: row.target,
    key: row.key,
    phase: row.phase,
    state: row.state,
    attempts: row.attempts,
    externalId: row.externalId,
    url: row.externalUrl,
    receipt: row.receipt,
    error: error?.message ?? null,
    fix: error?.fix ?? null,
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}
