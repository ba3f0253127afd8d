import type { NoteEntry, NoteSection, ReleaseNotes } from '../../src/model/index.js';

/** A release-notes entry with a hash made from `id`. */
export const noteEntry = (id: number, text: string, extra: Partial<NoteEntry> = {}): NoteEntry => ({
  hash: id.toString(16).padStart(40, '0'),
  shortHash: id.toString(16).padStart(7, '0'),
  commitUrl: null,
  type: 'feat',
  scope: null,
  component: null,
  text,
  breaking: false,
  pullRequest: null,
  issues: [],
  authors: [],
  ...extra,
});

export const noteSection = (type: string, title: string, entries: NoteEntry[]): NoteSection => ({
  type,
  title,
  entries,
  components: [],
});

/** Acme Cloud 2.0.0's notes with these parts; the counts follow the sections and breaking changes. */
export function makeNotes(parts: Partial<ReleaseNotes> = {}): ReleaseNotes {
  const sections = parts.sections ?? [];
  const breaking = parts.breaking ?? [];
  const entries = sections.reduce((n, s) => n + s.entries.length, 0);
  return {
    schemaVersion: 1,
    product: 'Acme Cloud',
    packageName: null,
    audience: 'customer',
    version: '2.0.0',
    previousVersion: '1.9.0',
    tag: 'v2.0.0',
    previousTag: 'v1.9.0',
    date: '2026-09-03',
    compareUrl: null,
    breaking,
    components: [],
    contributors: [],
    linked: [],
    counts: { entries, breaking: breaking.length, hidden: 0 },
    empty: entries === 0,
    intro: null,
    ...parts,
    sections,
  };
}

/** Notes with one Features section of these entries. */
export const featureNotes = (texts: string[], parts: Partial<ReleaseNotes> = {}) =>
  makeNotes({
    sections: [
      noteSection(
        'feat',
        'Features',
        texts.map((t, i) => noteEntry(i + 1, t)),
      ),
    ],
    ...parts,
  });
