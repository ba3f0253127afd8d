import { describe, expect, it } from 'vitest';
import { releaseKeyOf, releaseUrl } from '../../src/server/dashboard/release-key.js';
import { calendarWeeks, viewerZone } from '../../src/server/dashboard/zones.js';

describe('the dashboard’s zones and addresses', () => {
  it('takes the viewer’s zone from ?tz=, then the cookie, then the config, ignoring unknown names', () => {
    expect(viewerZone({ tz: 'Asia/Tokyo' }, { herald_tz: 'Europe/Berlin' }, 'UTC')).toBe('Asia/Tokyo');
    expect(viewerZone({ tz: '<script>' }, { herald_tz: 'Europe/Berlin' }, 'UTC')).toBe('Europe/Berlin');
    expect(viewerZone({}, { herald_tz: 'Mars/Base' }, 'America/New_York')).toBe('America/New_York');
    expect(viewerZone({}, undefined, null)).toBe('UTC');
  });

  it('puts an announcement on its calendar day in the viewer’s zone, across a DST change', () => {
    // Sunday 2026-10-25 is when Berlin's clocks go back; the week starts Monday the 19th.
    const now = Date.parse('2026-10-21T12:00:00Z');
    const at = Date.parse('2026-10-25T23:30:00Z'); // Monday 00:30 in Berlin (UTC+1 by then)
    const calendar = calendarWeeks(now, 'Europe/Berlin', 2, [
      { at, name: 'Acme 2.0.0', url: '/releases/2.0.0', status: 'scheduled' },
    ]);
    expect(calendar.weeks.map((w) => w.label)).toEqual(['2026-10-19', '2026-10-26']);
    const days = calendar.weeks.flatMap((w) => w.days);
    expect(days.filter((d) => d.items.length > 0).map((d) => d.label)).toEqual(['10-26']);
    expect(days.find((d) => d.today)?.label).toBe('10-21');
    expect(days[0]!.items).toEqual([]);
    expect(days[7]!.items[0]).toMatchObject({ name: 'Acme 2.0.0', time: '00:30' });
  });

  it('names a release by version, package@version, and product when not the served one', () => {
    const key = { product: 'Acme', package: '@acme/web', version: '1.2.0' };
    expect(releaseUrl(key, 'Acme', '/status')).toBe('/releases/%40acme%2Fweb%401.2.0/status');
    expect(releaseUrl({ ...key, package: '' }, 'Other')).toBe('/releases/1.2.0?product=Acme');
    expect(releaseKeyOf('@acme/web@1.2.0', undefined, 'Acme')).toEqual(key);
    expect(releaseKeyOf('1.2.0', 'Other', 'Acme')).toEqual({
      product: 'Other',
      package: '',
      version: '1.2.0',
    });
  });
});
