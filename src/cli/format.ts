import { formatInstant, relativeTime } from '../core/announce-time.js';
import { isEmbargoed } from '../core/bundle-lifecycle.js';
import { countAllRows, countRows } from '../core/delivery-counts.js';
import type {
  BundleKey,
  BundleListing,
  BundleRecord,
  BundleStatus,
  DeliverySummary,
  ReleaseBundle,
} from '../model/index.js';
import { localZone } from './schedule-flags.js';

// How the CLI prints bundles, statuses and delivery counts: text for people, JSON for tools.

export function summariseDeliveries(deliveries: DeliverySummary): string {
  const parts = Object.entries(deliveries).map(([target, states]) => {
    const total = countRows(states);
    const detail = Object.entries(states)
      .filter(([state]) => state !== 'sent')
      .map(([state, count]) => `${count} ${state}`)
      .join(', ');
    return `${target} ${states.sent ?? 0}/${total} sent${detail ? ` (${detail})` : ''}`;
  });
  return parts.length > 0 ? parts.join('; ') : '—';
}

/**
 * A status as the release manager reads it: held or scheduled releases are embargoed only while
 * nothing of them has gone out (a release held after a failed announce is partly out).
 */
export function describeStatus(status: BundleStatus, deliveries: DeliverySummary | null): string {
  if (!isEmbargoed(status)) return status;
  return deliveries && countAllRows(deliveries, ['sent']) > 0
    ? `${status} (partly out)`
    : `${status} (embargoed)`;
}

/** One line for a bundle: version, status, when (stored zone, viewer's zone, relative), revision. */
export function renderBundleLine(record: BundleRecord | BundleListing, now: number): string {
  const when = describeWhen(record, now);
  const deliveries = 'deliveries' in record ? `  ${summariseDeliveries(record.deliveries)}` : '';
  const status = describeStatus(record.status, 'deliveries' in record ? record.deliveries : null);
  return `  ${record.key.version}: ${status}, ${when}, revision r${record.revision}${deliveries}`;
}

export function describeWhen(record: BundleRecord, now: number): string {
  if (record.announceAt === null)
    return record.status === 'cancelled' ? 'will not be announced' : 'no announce date';
  const zone = record.timeZone ?? 'UTC';
  const local = localZone();
  const stored = formatInstant(record.announceAt, zone);
  const mine = zone === local ? '' : ` (${formatInstant(record.announceAt, local)} local)`;
  return `${stored}${mine}, ${relativeTime(record.announceAt, now)}`;
}

/** A bundle row as JSON, times as ISO 8601 (UTC). */
export function recordJson(record: BundleRecord) {
  return {
    version: record.key.version,
    product: record.key.product,
    package: record.key.package || null,
    status: record.status,
    announceAt: record.announceAt === null ? null : new Date(record.announceAt).toISOString(),
    timeZone: record.timeZone,
    revision: record.revision,
    contentRevision: record.contentRevision,
    contentHash: record.contentHash,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

/** "since 1.0.0: 2 added, 3 changed, 1 renamed, 1 removed", or null before any announcement. */
export function describeDocsDiff(diff: ReleaseBundle['docsDiff']): string | null {
  if (!diff) return null;
  return `since ${diff.since}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.renamed.length} renamed, ${diff.removed.length} removed`;
}

/** Rows as a left-aligned text table, columns two spaces apart (null cells print empty). */
export function table(rows: (string | null)[][]): string {
  const columns = rows[0]!.map((_, i) => i).filter((i) => rows[0]![i] !== null);
  const widths = columns.map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      columns
        .map((i, j) => (r[i] ?? '').padEnd(widths[j]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A bundle as people name it: `package@version`, or the version alone. */
export const versionOf = (key: BundleKey) => `${key.package ? `${key.package}@` : ''}${key.version}`;

/** The arguments naming a bundle on the command line: `1.2.0 --package web`, or the version alone. */
export const versionArgs = (key: BundleKey) =>
  key.package ? `${key.version} --package ${key.package}` : key.version;
