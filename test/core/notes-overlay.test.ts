import { describe, expect, it } from 'vitest';
import { applyOverlay, parseEditDocument, renderEditDocument } from '../../src/core/notes-overlay.js';
import type { NoteEntry, NotesOverlay, ReleaseNotes } from '../../src/model/index.js';

const entry = (hash: string, type: string, text: string, component: string | null = null): NoteEntry => ({
  hash: hash.padEnd(40, '0'),
  shortHash: hash.slice(0, 7),
  commitUrl: null,
  type,
  scope: null,
  component,
  text,
  breaking: false,
  pullRequest: null,
  issues: [],
  authors: [],
});
const a = entry('aaaa1111', 'feat', 'Export invoices as CSV', 'Billing');
const b = entry('bbbb2222', 'feat', 'Dark mode for the web app', 'Web app');
const c = entry('cccc3333', 'feat', 'Faster search');
const d = entry('dddd4444', 'fix', 'Return 404 for unknown projects');

const notes: ReleaseNotes = {
  schemaVersion: 1,
  product: 'Acme Cloud',
  packageName: null,
  audience: 'customer',
  version: '1.1.0',
  previousVersion: '1.0.0',
  tag: 'v1.1.0',
  previousTag: 'v1.0.0',
  date: '2026-09-03',
  compareUrl: null,
  sections: [
    {
      type: 'feat',
      title: 'Features',
      entries: [a, b, c],
      components: [
        { component: 'Billing', entries: [a] },
        { component: 'Web app', entries: [b] },
        { component: 'General', entries: [c] },
      ],
    },
    { type: 'fix', title: 'Bug fixes', entries: [d], components: [] },
  ],
  breaking: [{ text: 'CSV columns changed', entry: a }],
  components: ['Billing', 'Web app'],
  contributors: [],
  linked: [],
  counts: { entries: 4, breaking: 1, hidden: 2 },
  empty: false,
  intro: null,
};

describe('applyOverlay', () => {
  it('rewords, hides, reorders and adds an intro, keeping components and counts consistent', () => {
    const overlay: NotesOverlay = {
      intro: '  This release is all about **billing**.  ',
      entries: { [b.hash]: { hidden: true }, [c.hash]: { text: 'Search is twice as fast' } },
      order: { feat: [c.hash, a.hash] },
    };
    const { notes: edited, orphans } = applyOverlay(notes, overlay);
    expect(orphans).toEqual([]);
    expect(edited.intro).toBe('This release is all about **billing**.');
    expect(edited.sections[0]!.entries.map((e) => e.text)).toEqual([
      'Search is twice as fast',
      'Export invoices as CSV',
    ]);
    expect(edited.sections[0]!.components.map((g) => g.component)).toEqual(['Billing', 'General']);
    expect(edited.counts).toEqual({ entries: 3, breaking: 1, hidden: 3 });
    expect(edited.breaking).toHaveLength(1);
  });

  it('drops breaking notes of hidden changes and whole sections left empty', () => {
    const { notes: edited } = applyOverlay(notes, {
      intro: null,
      entries: { [a.hash]: { hidden: true }, [d.hash]: { hidden: true } },
      order: {},
    });
    expect(edited.breaking).toEqual([]);
    expect(edited.sections.map((s) => s.type)).toEqual(['feat']);
  });

  it('reports edits whose change left the release, and places new changes after ordered ones', () => {
    const gone = 'eeee5555'.padEnd(40, '0');
    const { notes: edited, orphans } = applyOverlay(notes, {
      intro: null,
      entries: { [gone]: { text: 'Old wording' } },
      order: { feat: [b.hash, gone] },
    });
    expect(orphans).toEqual([gone]);
    expect(edited.sections[0]!.entries.map((e) => e.hash)).toEqual([b.hash, a.hash, c.hash]);
  });
});

describe('edit document', () => {
  it('round-trips: an untouched document means no overlay', () => {
    const text = renderEditDocument(notes, undefined);
    expect(text).toContain('=== Features [feat] ===\n[#aaaa111100] Export invoices as CSV');
    const parsed = parseEditDocument(text, notes, 'edit.txt');
    expect(parsed).toEqual({ ok: true, overlay: { intro: null, entries: {}, order: {} } });
  });

  it('reads rewording, moves, deleted lines, hidden ones and the intro', () => {
    const text = renderEditDocument(notes, undefined)
      .replace('=== Intro ===\n', '=== Intro ===\nBig one.\n\nSecond paragraph.\n')
      .replace('[#aaaa111100] Export invoices as CSV\n[#bbbb222200] Dark mode for the web app\n', '')
      .replace(
        '[#cccc333300] Faster search',
        '[#cccc333300] Search is faster\n[#aaaa111100] Export invoices as CSV',
      )
      .replace('=== Hidden ===', '=== Hidden ===\n[#bbbb222200] Dark mode');
    const parsed = parseEditDocument(text, notes, 'edit.txt');
    expect(parsed).toEqual({
      ok: true,
      overlay: {
        intro: 'Big one.\n\nSecond paragraph.',
        entries: { [b.hash]: { hidden: true, text: 'Dark mode' }, [c.hash]: { text: 'Search is faster' } },
        order: { feat: [c.hash, a.hash] },
      },
    });
    // Rendering again shows the edits, hidden entries under Hidden.
    const again = renderEditDocument(notes, parsed.ok ? parsed.overlay : undefined);
    expect(again).toContain('=== Hidden ===\n[#bbbb222200] Dark mode\n');
    expect(parseEditDocument(again, notes, 'edit.txt')).toEqual(parsed);
  });

  it('reports every problem with its line and saves nothing', () => {
    const text = renderEditDocument(notes, undefined)
      .replace('[#aaaa111100] Export invoices as CSV\n', '')
      .replace(
        '[#dddd444400] Return 404 for unknown projects',
        '[#dddd444400] Return 404\n[#aaaa111100] moved across\n[#ffff999900] unknown',
      )
      .replace(
        '[#bbbb222200] Dark mode for the web app',
        '[#bbbb222200] Dark mode\nstray text\n[#bbbb222200] twice',
      )
      .replace(
        '=== Features [feat] ===',
        '=== Features [feat] ===\n=== Made up [nope] ===\n=== Features [feat] ===',
      );
    const parsed = parseEditDocument(text, notes, 'edit.txt');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const messages = parsed.problems.map((p) => `${p.location!.line}: ${p.message}`);
    expect(messages).toHaveLength(5);
    expect(messages.join('\n')).toMatch(/unknown section heading "=== Made up \[nope\] ==="/);
    expect(messages.join('\n')).toMatch(/not an entry line/);
    expect(messages.join('\n')).toMatch(/appears twice \(first on line \d+\)/);
    expect(messages.join('\n')).toMatch(/\[#aaaa111100\] belongs to "Features"/);
    expect(messages.join('\n')).toMatch(/no change \[#ffff999900\]/);
  });
});
