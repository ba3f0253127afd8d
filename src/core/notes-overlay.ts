/**
 * Release-manager edits of generated notes, kept as an overlay keyed by change (the entry's commit
 * hash) so they survive regeneration: reword, hide, reorder within a section, and an intro. The
 * edit document is plain text a person edits in $EDITOR; parsing it back yields the overlay.
 */
import type { Problem } from '../errors/index.js';
import type { NoteEntry, NoteSection, NotesOverlay, ReleaseNotes } from '../model/index.js';

export const emptyOverlay = (): NotesOverlay => ({ intro: null, entries: {}, order: {} });

export interface OverlayResult {
  notes: ReleaseNotes;
  /** Overlay keys whose change is no longer in the notes (reported, kept in case it returns). */
  orphans: string[];
}

/** The notes as the release manager edited them. */
export function applyOverlay(notes: ReleaseNotes, overlay: NotesOverlay | undefined): OverlayResult {
  if (!overlay) return { notes, orphans: [] };
  const present = new Set(notes.sections.flatMap((s) => s.entries.map((e) => e.hash)));
  const orphans = [
    ...new Set([...Object.keys(overlay.entries), ...Object.values(overlay.order).flat()]),
  ].filter((hash) => !present.has(hash));

  const edit = (entry: NoteEntry): NoteEntry | null => {
    const change = overlay.entries[entry.hash];
    if (change?.hidden) return null;
    return change?.text !== undefined ? { ...entry, text: change.text } : entry;
  };
  const ordered = (type: string, entries: NoteEntry[]) => {
    const order = overlay.order[type];
    if (!order) return entries;
    const rank = new Map(order.map((hash, i) => [hash, i]));
    // Entries the order does not name (new since the edit) keep their place after the named ones.
    return entries
      .map((entry, i) => ({ entry, key: rank.get(entry.hash) ?? order.length + i }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.entry);
  };
  let hidden = 0;
  const sections: NoteSection[] = [];
  for (const section of notes.sections) {
    const entries = ordered(
      section.type,
      section.entries.map(edit).filter((e): e is NoteEntry => e !== null),
    );
    hidden += section.entries.length - entries.length;
    if (entries.length === 0) continue;
    const shown = new Map(entries.map((e) => [e.hash, e]));
    const components = section.components
      .map((group) => ({
        component: group.component,
        entries: ordered(
          section.type,
          group.entries.map((e) => shown.get(e.hash)).filter((e): e is NoteEntry => e !== undefined),
        ),
      }))
      .filter((group) => group.entries.length > 0);
    sections.push({ ...section, entries, components });
  }
  const visible = new Set(sections.flatMap((s) => s.entries.map((e) => e.hash)));
  const breaking = notes.breaking
    .filter((b) => visible.has(b.entry.hash))
    .map((b) => ({ ...b, entry: edit(b.entry)! }));
  const entryCount = sections.reduce((n, s) => n + s.entries.length, 0);
  const intro = overlay.intro?.trim() ? overlay.intro.trim() : null;
  return {
    notes: {
      ...notes,
      sections,
      breaking,
      intro,
      counts: {
        entries: entryCount,
        breaking: breaking.length,
        hidden: notes.counts.hidden + hidden,
      },
      empty: entryCount === 0 && breaking.length === 0 && intro === null,
    },
    orphans,
  };
}

const ID_LENGTH = 10;
const markerOf = (hash: string) => `[#${hash.slice(0, ID_LENGTH)}]`;
const entryLine = /^\[#([0-9a-f]{4,40})\][ \t]*(.*)$/;
const heading = /^===[ \t]*(.*?)[ \t]*===[ \t]*$/;
const typeOfHeading = /\[([^\]]+)\]$/;

/** The edit document: the notes as currently edited, one line per change, with instructions. */
export function renderEditDocument(generated: ReleaseNotes, overlay: NotesOverlay | undefined): string {
  const current = applyOverlay(generated, overlay).notes;
  const shown = new Set(current.sections.flatMap((s) => s.entries.map((e) => e.hash)));
  const lines = [
    `# Release notes: ${generated.product} ${generated.version}, audience "${generated.audience}".`,
    '#',
    '# Reword an entry by changing the text after its [#id] marker; move lines up or down within',
    '# their section to reorder; delete a line (or move it under "Hidden") to hide that change,',
    '# and move a hidden one back into its section to show it again. Write an intro paragraph',
    '# (Markdown) under "=== Intro ===". Lines starting with "#" are ignored.',
    '# Save and close to store a new revision; save an empty file to change nothing.',
    '',
    '=== Intro ===',
    ...(current.intro ? [current.intro] : []),
    '',
  ];
  for (const section of generated.sections) {
    const edited = current.sections.find((s) => s.type === section.type);
    lines.push(`=== ${section.title} [${section.type}] ===`);
    for (const entry of edited?.entries ?? []) lines.push(`${markerOf(entry.hash)} ${oneLine(entry.text)}`);
    lines.push('');
  }
  lines.push('=== Hidden ===');
  for (const section of generated.sections)
    for (const entry of section.entries)
      if (!shown.has(entry.hash)) {
        const text = overlay?.entries[entry.hash]?.text ?? entry.text;
        lines.push(`${markerOf(entry.hash)} ${oneLine(text)}`);
      }
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export type ParsedEdit = { ok: true; overlay: NotesOverlay } | { ok: false; problems: Problem[] };

/** Reads an edited document back into an overlay relative to the generated notes. */
export function parseEditDocument(text: string, generated: ReleaseNotes, file: string): ParsedEdit {
  const problems: Problem[] = [];
  const problem = (line: number, message: string, fix?: string) =>
    problems.push({ message, location: { file, line, column: 1 }, ...(fix ? { fix } : {}) });
  const sectionOf = new Map<string, NoteSection>();
  const entries = new Map<string, NoteEntry>();
  for (const section of generated.sections)
    for (const entry of section.entries) {
      sectionOf.set(entry.hash, section);
      entries.set(entry.hash, entry);
    }
  const find = (prefix: string) => [...entries.keys()].filter((hash) => hash.startsWith(prefix));

  let block: { kind: 'intro' } | { kind: 'section'; type: string } | { kind: 'hidden' } | null = null;
  const intro: string[] = [];
  const placed = new Map<string, { hidden: boolean; text: string; line: number }>();
  const order: Record<string, string[]> = {};

  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trimEnd();
    if (line.startsWith('#')) return;
    const head = heading.exec(line);
    if (head) {
      const title = head[1]!;
      if (/^intro$/i.test(title)) block = { kind: 'intro' };
      else if (/^hidden$/i.test(title)) block = { kind: 'hidden' };
      else {
        const type = typeOfHeading.exec(title)?.[1];
        const section = generated.sections.find((s) => s.type === type);
        if (!section) {
          problem(
            lineNo,
            `unknown section heading "${line}"`,
            `Keep the section headings as written, e.g. "=== ${generated.sections[0]?.title ?? 'Features'} [${generated.sections[0]?.type ?? 'feat'}] ===".`,
          );
          block = null;
        } else block = { kind: 'section', type: section.type };
      }
      return;
    }
    const current = block as typeof block;
    if (current?.kind === 'intro') {
      intro.push(raw);
      return;
    }
    if (line.trim() === '') return;
    const match = entryLine.exec(line.trim());
    if (!match) {
      problem(
        lineNo,
        'not an entry line',
        'Each entry starts with its [#id] marker; an intro goes under "=== Intro ===".',
      );
      return;
    }
    const candidates = find(match[1]!);
    if (candidates.length !== 1) {
      problem(
        lineNo,
        candidates.length === 0
          ? `no change [#${match[1]}] in these notes`
          : `[#${match[1]}] matches several changes`,
        'Keep the markers as they were written.',
      );
      return;
    }
    const hash = candidates[0]!;
    const entryText = match[2]!.trim();
    const earlier = placed.get(hash);
    if (earlier) {
      problem(
        lineNo,
        `[#${match[1]}] appears twice (first on line ${earlier.line})`,
        'Keep one line per change.',
      );
      return;
    }
    if (current === null) {
      problem(lineNo, 'entry outside a section', 'Put it under its section heading.');
      return;
    }
    if (current.kind === 'section' && sectionOf.get(hash)!.type !== current.type) {
      problem(
        lineNo,
        `[#${match[1]}] belongs to "${sectionOf.get(hash)!.title}"`,
        'Entries move only within their own section (or to "Hidden").',
      );
      return;
    }
    if (entryText === '' && current.kind === 'section') {
      problem(lineNo, 'entry text is empty', 'Write the wording, or move the line under "Hidden".');
      return;
    }
    placed.set(hash, { hidden: current.kind === 'hidden', text: entryText, line: lineNo });
    if (current.kind === 'section') {
      order[current.type] ??= [];
      order[current.type]!.push(hash);
    }
  });
  if (problems.length > 0) return { ok: false, problems };

  const overlay = emptyOverlay();
  const introText = intro.join('\n').trim();
  overlay.intro = introText === '' ? null : introText;
  for (const [hash, entry] of entries) {
    const edit = placed.get(hash);
    const change: { text?: string; hidden?: boolean } = {};
    if (!edit || edit.hidden) change.hidden = true;
    if (edit && edit.text !== '' && edit.text !== oneLine(entry.text)) change.text = edit.text;
    if (Object.keys(change).length > 0) overlay.entries[hash] = change;
  }
  for (const section of generated.sections) {
    const wanted = order[section.type] ?? [];
    const natural = section.entries.map((e) => e.hash).filter((hash) => wanted.includes(hash));
    if (wanted.join() !== natural.join()) overlay.order[section.type] = wanted;
  }
  return { ok: true, overlay };
}
