/**
 * Announce times: what a release manager types ("2026-12-01 09:00" in Europe/Berlin, or ISO 8601
 * with an offset) to an instant, refusing what would be a guess: unknown zones, wall times that
 * do not exist (the hour skipped when clocks go forward) or happen twice (the hour repeated when
 * they go back). Pure: Intl only, no clock.
 */

export type AnnounceTimeResult =
  | { ok: true; at: number; zone: string }
  | { ok: false; reason: 'syntax' | 'zone' | 'gap' | 'ambiguous'; message: string; candidates?: string[] };

/** A date and time, with an optional fraction of a second and an optional offset. */
const dateTime =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** True when the IANA zone is known to this runtime. */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/**
 * Parses an announce time. `zone` is where a wall time is read (and the zone stored for display);
 * an ISO time with an offset is exact whatever the zone.
 */
export function parseAnnounceTime(text: string, zone: string): AnnounceTimeResult {
  const input = text.trim();
  if (!isValidTimeZone(zone))
    return { ok: false, reason: 'zone', message: `"${zone}" is not a known IANA time zone` };
  const match = dateTime.exec(input);
  const [, y, mo, d, h, mi, s = '0', ms, offset] = match ?? [];
  // A fraction of a second only means something with an exact offset.
  if (!match || (ms !== undefined && offset === undefined)) return syntax(input);
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (!validFields(...fields)) return syntax(input);
  const asUtc = Date.UTC(
    fields[0],
    fields[1] - 1,
    fields[2],
    fields[3],
    fields[4],
    fields[5],
    Number((ms ?? '0').padEnd(3, '0')),
  );
  if (offset !== undefined) return { ok: true, at: asUtc - offsetMinutes(offset) * 60_000, zone };
  // The instant is asUtc - offset, for an offset the zone uses around that time. Offsets change
  // at most once in a few hours, so the offsets a day either side cover every candidate.
  const offsets = new Set(
    [-36, -12, 0, 12, 36].map((hours) => zoneOffsetMs(asUtc + hours * 3_600_000, zone)),
  );
  const instants = [...new Set([...offsets].map((o) => asUtc - o))]
    .filter((at) => wallClockMs(at, zone) === asUtc)
    .sort((a, b) => a - b);
  if (instants.length === 0)
    return {
      ok: false,
      reason: 'gap',
      message: `${input} does not exist in ${zone}: the clocks skip that hour (daylight saving time starts)`,
    };
  if (instants.length > 1) {
    const candidates = instants.map((at) => isoWithOffset(at, zone));
    return {
      ok: false,
      reason: 'ambiguous',
      message: `${input} happens twice in ${zone} (the clocks go back): ${candidates.join(' or ')}`,
      candidates,
    };
  }
  return { ok: true, at: instants[0]!, zone };
}

function syntax(input: string): AnnounceTimeResult {
  return {
    ok: false,
    reason: 'syntax',
    message: `"${input}" is not a date and time such as "2026-12-01 09:00" or "2026-12-01T09:00:00+01:00"`,
  };
}

function validFields(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function offsetMinutes(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(zone: string): Intl.DateTimeFormat {
  let format = partsFormatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(zone, format);
  }
  return format;
}

/** The wall-clock time in `zone` at instant `at`, as if it were UTC (ms, whole seconds). */
function wallClockMs(at: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(zone).formatToParts(new Date(Math.floor(at / 1000) * 1000)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** The zone's offset from UTC at instant `at`, in ms (Berlin in winter: +3,600,000). */
export function zoneOffsetMs(at: number, zone: string): number {
  return wallClockMs(at, zone) - Math.floor(at / 1000) * 1000;
}

/** "2026-12-01 09:00 Europe/Berlin" (or with the numeric offset: "2026-12-01 09:00 +01:00"). */
export function formatInstant(at: number, zone: string, options: { offset?: boolean } = {}): string {
  const wall = new Date(wallClockMs(at, zone)).toISOString();
  const text = `${wall.slice(0, 10)} ${wall.slice(11, 16)}`;
  if (options.offset) {
    const minutes = Math.round(zoneOffsetMs(at, zone) / 60_000);
    const sign = minutes < 0 ? '-' : '+';
    const abs = Math.abs(minutes);
    return `${text} ${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }
  return `${text} ${zone === 'Etc/UTC' ? 'UTC' : zone}`;
}

/** "2026-10-25T02:30+02:00": the instant as the zone's wall time with its offset (accepted as input). */
export function isoWithOffset(at: number, zone: string): string {
  const [date, time, offset] = formatInstant(at, zone, { offset: true }).split(' ');
  return `${date}T${time}${offset}`;
}

/** "in 3 days", "5 minutes ago", "now". */
export function relativeTime(at: number, now: number): string {
  const seconds = Math.round((at - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'now';
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['minute', 60],
    ['hour', 3600],
    ['day', 86400],
    ['month', 2629800],
    ['year', 31557600],
  ];
  let unit = units[0]!;
  for (const candidate of units) if (abs >= candidate[1] * 0.9) unit = candidate;
  const value = Math.round(seconds / unit[1]);
  relativeFormat ??= new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  return relativeFormat.format(value, unit[0]);
}

/** Made once: making one costs more than formatting (a page of 50 releases formats 50). */
let relativeFormat: Intl.RelativeTimeFormat | null = null;
