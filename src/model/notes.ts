import type { Person } from './change.js';

export interface NoteLink {
  /** Display text: `#123`, `PROJ-7`, `abc1234`. */
  text: string;
  url: string | null;
}

export interface NoteEntry {
  hash: string;
  shortHash: string;
  commitUrl: string | null;
  type: string;
  scope: string | null;
  component: string | null;
  /** The text to show: release-note wording when given, else the subject. */
  text: string;
  breaking: boolean;
  pullRequest: NoteLink | null;
  issues: NoteLink[];
  authors: Person[];
}

export interface NoteComponentGroup {
  component: string;
  entries: NoteEntry[];
}

export interface NoteSection {
  type: string;
  title: string;
  entries: NoteEntry[];
  /** Entries grouped by component when scopes are mapped (ungrouped entries under "General"). */
  components: NoteComponentGroup[];
}

export interface BreakingChange {
  /** The migration text from the footer, or the subject for `feat!:`. */
  text: string;
  entry: NoteEntry;
}

/** The pure notes model that templates render; `herald notes --json` prints it. */
export interface ReleaseNotes {
  schemaVersion: 1;
  product: string;
  packageName: string | null;
  audience: string;
  version: string;
  previousVersion: string | null;
  tag: string;
  previousTag: string | null;
  /** Release date, YYYY-MM-DD (the target commit's date). */
  date: string;
  compareUrl: string | null;
  sections: NoteSection[];
  breaking: BreakingChange[];
  components: string[];
  contributors: Person[];
  linked: NoteLink[];
  counts: { entries: number; breaking: number; hidden: number };
  /** True when nothing in range is shown to this audience. */
  empty: boolean;
  /** A paragraph the release manager wrote above the notes (`herald edit`), Markdown; else null. */
  intro: string | null;
}
