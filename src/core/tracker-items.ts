import type { ReleaseBundle } from '../model/index.js';
import type { TrackerItem } from './delivery-ops/index.js';

/** Which items of one tracker a release's notes reference. */
export interface TrackerSelection {
  tracker: 'github' | 'gitlab' | 'jira';
  /** Audiences whose notes count (the customer's by default; config adds the internal one). */
  audiences: readonly string[];
  /** Code hosts: the repository (`owner/name`, `group/project`) whose `#N` references are its own. */
  repository: string | null;
  /** Code hosts: bare `#N` references belong to this tracker (the repository's own host). */
  home: boolean;
  /** Jira: the project keys to comment on (empty: every key that looks like a Jira key). */
  projects: readonly string[];
}

const JIRA_KEY = /^([A-Z][A-Z0-9_]*)-[1-9]\d*$/;
const CODE_REF = /^(?:([\w.-]+(?:\/[\w.-]+)+))?#([1-9]\d*)$/;

/**
 * The items a release's notes link to, for one tracker: each entry's pull/merge request and the
 * issues it closes or mentions, as the notes show them (an entry hidden from an audience brings
 * nothing from that audience). Order is first appearance; each item once.
 */
export function selectTrackerItems(bundle: ReleaseBundle, selection: TrackerSelection): TrackerItem[] {
  const found = new Map<string, TrackerItem>();
  const add = (item: TrackerItem) => {
    const seen = found.get(item.id);
    // A number named both as an issue and as a PR is one item on GitHub; prefer what the entry says it merged.
    if (!seen || (item.kind === 'pull' && seen.kind === 'issue')) found.set(item.id, item);
  };
  for (const audience of selection.audiences) {
    const notes = bundle.notes[audience]?.model;
    if (!notes) continue;
    for (const section of notes.sections)
      for (const entry of section.entries) {
        if (entry.pullRequest) {
          const id = codeRefOf(entry.pullRequest.text, selection);
          if (id) add({ kind: 'pull', id });
        }
        for (const link of entry.issues) {
          const id =
            selection.tracker === 'jira' ? jiraKeyOf(link.text, selection) : codeRefOf(link.text, selection);
          if (id) add({ kind: 'issue', id });
        }
      }
  }
  return [...found.values()];
}

function codeRefOf(text: string, selection: TrackerSelection): string | null {
  if (selection.tracker === 'jira') return null;
  const match = CODE_REF.exec(text);
  if (!match) return null;
  const repository = match[1] ?? null;
  if (repository === null) return selection.home ? match[2]! : null;
  return selection.repository !== null && repository.toLowerCase() === selection.repository.toLowerCase()
    ? match[2]!
    : null;
}

function jiraKeyOf(text: string, selection: TrackerSelection): string | null {
  const match = JIRA_KEY.exec(text);
  if (!match) return null;
  return selection.projects.length === 0 || selection.projects.includes(match[1]!) ? text : null;
}
