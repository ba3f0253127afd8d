import type { HeraldConfig } from '../config/validate-config.js';
import { formatInstant, isValidTimeZone, parseAnnounceTime, relativeTime } from '../core/announce-time.js';
import { isEmbargoed, type Schedule } from '../core/bundle-lifecycle.js';
import { countAllRows, countRows } from '../core/delivery-counts.js';
import { errors } from '../errors/index.js';
import type {
  BundleListing,
  BundleRecord,
  BundleStatus,
  DeliverySummary,
  ReleaseBundle,
} from '../model/index.js';

export const storeFlag = { store: { type: 'string' } } as const;

/** The zone of whoever runs Herald (TZ, else the system's). */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** --at/--tz/--now to a schedule; every refusal names the fix. */
export function parseScheduleFlags(
  flags: { at?: string | undefined; tz?: string | undefined; now?: boolean | undefined },
  config: HeraldConfig,
): Schedule {
  const zone = flags.tz ?? config.schedule.timeZone ?? localZone();
  if (!isValidTimeZone(zone))
    throw errors.announceTime(
      'ETIMEZONE',
      `"${zone}" is not a known IANA time zone`,
      'Use a zone name such as Europe/Berlin, America/New_York or UTC.',
    );
  if (flags.now) {
    if (flags.at !== undefined) throw errors.usage('--now and --at both given', 'Pass one of them.');
    return { at: 'now', zone };
  }
  if (flags.at === undefined)
    throw errors.usage(
      'no announce time given',
      'Pass --at "YYYY-MM-DD HH:MM" (with --tz <zone>) or an ISO 8601 time with offset, or --now.',
    );
  const parsed = parseAnnounceTime(flags.at, zone);
  if (parsed.ok) return { at: parsed.at, zone };
  switch (parsed.reason) {
    case 'syntax':
      throw errors.announceTime(
        'ETIME',
        parsed.message,
        'Write "2026-12-01 09:00" with --tz Europe/Berlin, or ISO 8601 with an offset: 2026-12-01T09:00+01:00.',
      );
    case 'zone':
      throw errors.announceTime('ETIMEZONE', parsed.message, 'Use a zone name such as Europe/Berlin or UTC.');
    case 'gap':
      throw errors.announceTime(
        'ETIMEGAP',
        parsed.message,
        'Pick a time outside the skipped hour, or give an explicit offset (ISO 8601).',
      );
    case 'ambiguous':
      throw errors.announceTime(
        'ETIMEAMBIGUOUS',
        parsed.message,
        `Say which one you mean with its offset: --at ${parsed.candidates!.join(' or --at ')}.`,
      );
  }
}

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
