import type { Subscriber } from '../model/index.js';
import { neutraliseCell } from './subscriber-import.js';

/** The header of a subscriber export; `herald subscribers import` reads it back. */
export const SUBSCRIBER_CSV_HEADER = 'email,name,locale,topics,status,source';

/** A CSV field: quoted when it holds a quote, comma or line break (RFC 4180). */
export const csvField = (value: string) =>
  /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
/** An exported cell: a spreadsheet shows it as text, never runs it as a formula (import undoes it). */
export const exportCell = (value: string) => csvField(neutraliseCell(value));
export const topicsText = (topics: Subscriber['topics']) => (topics === 'all' ? 'all' : topics.join(';'));

/** One subscriber as a line of the export. */
export function subscriberCsvRow(s: Subscriber): string {
  return [s.email, s.name ?? '', s.locale ?? '', topicsText(s.topics), s.status, s.source]
    .map(exportCell)
    .join(',');
}
