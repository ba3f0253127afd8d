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

type EditBlock = { kind: 'intro' } | { kind: 'section'; type: string } | { kind: 'hidden' } | null;
type ReportProblem = (line: number, message: string, fix?: string) => void;

/** What the edit document says so far, line by line. */
interface EditState {
  block: EditBlock;
  intro: string[];
  placed: Map<string, { hidden: boolean; text: string; line: number }>;
  order: Record<string, string[]>;
}

/** The generated notes, looked up by change. */
interface GeneratedIndex {
  notes: ReleaseNotes;
  sectionOf: Map<string, NoteSection>;
  entries: Map<string, NoteEntry>;
}

/** Reads an edited document back into an overlay relative to the generated notes. */
export function parseEditDocument(text: string, generated: ReleaseNotes, file: string): ParsedEdit {
  const problems: Problem[] = [];
  const problem: ReportProblem = (line, message, fix) =>
    problems.push({ message, location: { file, line, column: 1 }, ...(fix ? { fix } : {}) });
  const index: GeneratedIndex = { notes: generated, sectionOf: new Map(), entries: new Map() };
  for (const section of generated.sections)
    for (const entry of section.entries) {
      index.sectionOf.set(entry.hash, section);
      index.entries.set(entry.hash, entry);
    }
  const state: EditState = { block: null, intro: [], placed: new Map(), order: {} };
  text.split(/\r?\n/).forEach((raw, i) => {
    readEditLine(raw, i + 1, state, index, problem);
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, overlay: overlayOf(state, index) };
}

/** One line of the edit document: a comment, a heading, intro text or an entry. */
function readEditLine(
  raw: string,
  lineNo: number,
  state: EditState,
  index: GeneratedIndex,
  problem: ReportProblem,
): void {
  const line = raw.trimEnd();
  if (line.startsWith('#')) return;
  const head = heading.exec(line);
  if (head) {
    state.block = blockOfHeading(head[1]!, line, lineNo, index.notes, problem);
    return;
  }
  if (state.block?.kind === 'intro') {
    state.intro.push(raw);
    return;
  }
  if (line.trim() === '') return;
  readEntryLine(line, lineNo, state, index, problem);
}

function blockOfHeading(
  title: string,
  line: string,
  lineNo: number,
  generated: ReleaseNotes,
  problem: ReportProblem,
): EditBlock {
  if (/^intro$/i.test(title)) return { kind: 'intro' };
  if (/^hidden$/i.test(title)) return { kind: 'hidden' };
  const type = typeOfHeading.exec(title)?.[1];
  const section = generated.sections.find((s) => s.type === type);
  if (section) return { kind: 'section', type: section.type };
  problem(
    lineNo,
    `unknown section heading "${line}"`,
    `Keep the section headings as written, e.g. "=== ${generated.sections[0]?.title ?? 'Features'} [${generated.sections[0]?.type ?? 'feat'}] ===".`,
  );
  return null;
}

/** An entry line, `[#id] wording`: where it is placed, or a problem when it cannot go there. */
function readEntryLine(
  line: string,
  lineNo: number,
  state: EditState,
  index: GeneratedIndex,
  problem: ReportProblem,
): void {
  const match = entryLine.exec(line.trim());
  if (!match) {
    problem(
      lineNo,
      'not an entry line',
      'Each entry starts with its [#id] marker; an intro goes under "=== Intro ===".',
    );
    return;
  }
  const candidates = [...index.entries.keys()].filter((hash) => hash.startsWith(match[1]!));
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
  const earlier = state.placed.get(hash);
  const current = state.block;
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
  if (current.kind === 'section' && index.sectionOf.get(hash)!.type !== current.type) {
    problem(
      lineNo,
      `[#${match[1]}] belongs to "${index.sectionOf.get(hash)!.title}"`,
      'Entries move only within their own section (or to "Hidden").',
    );
    return;
  }
  if (entryText === '' && current.kind === 'section') {
    problem(lineNo, 'entry text is empty', 'Write the wording, or move the line under "Hidden".');
    return;
  }
  state.placed.set(hash, { hidden: current.kind === 'hidden', text: entryText, line: lineNo });
  if (current.kind === 'section') {
    state.order[current.type] ??= [];
    state.order[current.type]!.push(hash);
  }
}

/** The overlay the document describes: what differs from the generated notes, and nothing else. */
function overlayOf(state: EditState, index: GeneratedIndex): NotesOverlay {
  const overlay = emptyOverlay();
  const introText = state.intro.join('\n').trim();
  overlay.intro = introText === '' ? null : introText;
  for (const [hash, entry] of index.entries) {
    const edit = state.placed.get(hash);
    const change: { text?: string; hidden?: boolean } = {};
    if (!edit || edit.hidden) change.hidden = true;
    if (edit && edit.text !== '' && edit.text !== oneLine(entry.text)) change.text = edit.text;
    if (Object.keys(change).length > 0) overlay.entries[hash] = change;
  }
  for (const section of index.notes.sections) {
    const wanted = state.order[section.type] ?? [];
    const natural = section.entries.map((e) => e.hash).filter((hash) => wanted.includes(hash));
    if (wanted.join() !== natural.join()) overlay.order[section.type] = wanted;
  }
  return overlay;
}
