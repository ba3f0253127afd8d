import { describe, expect, it } from 'vitest';
import {
  formatInstant,
  isoWithOffset,
  isValidTimeZone,
  parseAnnounceTime,
  relativeTime,
} from '../../src/core/announce-time.js';

describe('parseAnnounceTime', () => {
  it('reads a wall time in the given zone, summer and winter', () => {
    expect(parseAnnounceTime('2026-12-01 09:00', 'Europe/Berlin')).toEqual({
      ok: true,
      at: Date.parse('2026-12-01T08:00:00Z'),
      zone: 'Europe/Berlin',
    });
    expect(parseAnnounceTime('2026-07-01T09:30:15', 'Europe/Berlin')).toMatchObject({
      at: Date.parse('2026-07-01T07:30:15Z'),
    });
    expect(parseAnnounceTime('2026-12-01 09:00', 'America/New_York')).toMatchObject({
      at: Date.parse('2026-12-01T14:00:00Z'),
    });
    expect(parseAnnounceTime('2026-12-01 09:00', 'Asia/Kolkata')).toMatchObject({
      at: Date.parse('2026-12-01T03:30:00Z'),
    });
  });

  it('takes ISO 8601 with an offset exactly, whatever the zone', () => {
    for (const text of [
      '2026-12-01T09:00+01:00',
      '2026-12-01T09:00:00+0100',
      '2026-12-01T08:00:00.000Z',
      '2026-12-01 08:00Z',
    ])
      expect(parseAnnounceTime(text, 'America/Los_Angeles')).toMatchObject({
        ok: true,
        at: Date.parse('2026-12-01T08:00:00Z'),
        zone: 'America/Los_Angeles',
      });
  });

  it('refuses the hour the clocks skip', () => {
    const result = parseAnnounceTime('2026-03-29 02:30', 'Europe/Berlin');
    expect(result).toMatchObject({ ok: false, reason: 'gap' });
    expect(result.ok || result.message).toContain('does not exist in Europe/Berlin');
  });

  it('refuses the hour that happens twice and names both offsets, which are accepted', () => {
    const result = parseAnnounceTime('2026-10-25 02:30', 'Europe/Berlin');
    expect(result).toMatchObject({
      ok: false,
      reason: 'ambiguous',
      candidates: ['2026-10-25T02:30+02:00', '2026-10-25T02:30+01:00'],
    });
    if (result.ok) return;
    const [first, second] = result.candidates!.map((c) => parseAnnounceTime(c, 'Europe/Berlin'));
    expect(first).toMatchObject({ ok: true, at: Date.parse('2026-10-25T00:30:00Z') });
    expect(second).toMatchObject({ ok: true, at: Date.parse('2026-10-25T01:30:00Z') });
  });

  it('refuses unknown zones and malformed or impossible dates', () => {
    expect(parseAnnounceTime('2026-12-01 09:00', 'Mars/Olympus')).toMatchObject({
      ok: false,
      reason: 'zone',
    });
    for (const text of [
      'tomorrow 9am',
      '2026-02-30 09:00',
      '2026-12-01 24:00',
      '2026-13-01 09:00',
      '2026-12-01',
    ])
      expect(parseAnnounceTime(text, 'UTC')).toMatchObject({ ok: false, reason: 'syntax' });
  });

  it('knows zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Europe/Nowhere')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('formatting', () => {
  const at = Date.parse('2026-12-01T08:00:00Z');
  it('shows an instant in a zone, by name or offset', () => {
    expect(formatInstant(at, 'Europe/Berlin')).toBe('2026-12-01 09:00 Europe/Berlin');
    expect(formatInstant(at, 'UTC')).toBe('2026-12-01 08:00 UTC');
    expect(formatInstant(at, 'America/St_Johns', { offset: true })).toBe('2026-12-01 04:30 -03:30');
    expect(isoWithOffset(at, 'Asia/Kolkata')).toBe('2026-12-01T13:30+05:30');
  });

  it('says how far away a time is', () => {
    const now = Date.parse('2026-11-22T08:00:00Z');
    expect(relativeTime(at, now)).toBe('in 9 days');
    expect(relativeTime(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(relativeTime(now + 3 * 3_600_000, now)).toBe('in 3 hours');
    expect(relativeTime(now + 10_000, now)).toBe('now');
  });
});
