import type { HeraldConfig } from '../config/validate-config.js';
import { isValidTimeZone, parseAnnounceTime } from '../core/announce-time.js';
import type { Schedule } from '../core/bundle-lifecycle.js';
import { errors } from '../errors/index.js';

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
