import { formatInstant, isValidTimeZone, relativeTime } from '../../core/announce-time.js';

/** Every zone the runtime knows, for the zone fields' suggestions. */
export const ZONES: readonly string[] = [
  'UTC',
  ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC'),
];

/** The cookie the dashboard's zone script sets to the browser's IANA zone. */
export const ZONE_COOKIE = 'herald_tz';

/**
 * The viewer's zone: `?tz=` (a link or the filter form), else the cookie the zone script sets
 * from the browser, else the configured schedule zone, else UTC. Unknown names are ignored.
 */
export function viewerZone(
  query: { tz?: string | undefined },
  cookies: Record<string, string | undefined> | undefined,
  fallback: string | null,
): string {
  for (const zone of [query.tz, cookies?.[ZONE_COOKIE], fallback ?? undefined])
    if (zone && isValidTimeZone(zone)) return zone;
  return 'UTC';
}

/** An announce time three ways: in the stored zone, in the viewer's (when different), relative. */
export function describeAt(at: number | null, stored: string | null, viewer: string, now: number) {
  if (at === null) return { stored: '—', local: null, relative: null };
  const zone = stored ?? 'UTC';
  return {
    stored: formatInstant(at, zone),
    local: zone === viewer ? null : formatInstant(at, viewer),
    relative: relativeTime(at, now),
  };
}

const DAY = 86_400_000;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface CalendarItem {
  at: number;
  name: string;
  url: string;
  status: string;
}

/**
 * Weeks (Monday first) from the viewer's current week, each day with the announcements that
 * fall on it in the viewer's zone. Days are calendar dates, so a DST change never shifts them.
 */
export function calendarWeeks(now: number, zone: string, weeks: number, items: CalendarItem[]) {
  const today = formatInstant(now, zone).slice(0, 10);
  const todayUtc = Date.parse(`${today}T00:00:00Z`);
  const monday = todayUtc - ((new Date(todayUtc).getUTCDay() + 6) % 7) * DAY;
  const byDay = new Map<string, (CalendarItem & { time: string })[]>();
  for (const item of [...items].sort((a, b) => a.at - b.at)) {
    const [date, time] = formatInstant(item.at, zone).split(' ');
    byDay.set(date!, [...(byDay.get(date!) ?? []), { ...item, time: time! }]);
  }
  return {
    weekdays: WEEKDAYS,
    weeks: Array.from({ length: weeks }, (_, w) => {
      const start = monday + w * 7 * DAY;
      return {
        label: new Date(start).toISOString().slice(0, 10),
        days: Array.from({ length: 7 }, (_, d) => {
          const date = new Date(start + d * DAY).toISOString().slice(0, 10);
          return {
            label: date.slice(5),
            today: date === today,
            past: date < today,
            items: byDay.get(date) ?? [],
          };
        }),
      };
    }),
    first: monday,
    last: monday + weeks * 7 * DAY,
  };
}
