import type {
  BreakingChange,
  Change,
  Collected,
  IssueInfo,
  NoteEntry,
  NoteLink,
  NoteSection,
  Person,
  ReleaseNotes,
} from '../model/index.js';
import { pushTo } from './collections.js';
import type { Linker } from './links.js';

export interface NotesAudience {
  name: string;
  types: 'all' | readonly string[];
  hideLabels: readonly string[];
}

export interface NotesInput {
  collected: Collected;
  audience: NotesAudience;
  types: readonly { type: string; title: string; hidden: boolean }[];
  components: Readonly<Record<string, string>>;
  nonConventional: 'other' | 'drop';
  product: string;
  packageName: string | null;
  version: string;
  tag: string;
  linker: Linker;
}

const GENERAL = 'General';

/** Pure: the notes model one audience sees for one release. */
export function buildNotes(input: NotesInput): ReleaseNotes {
  const { collected, audience, linker } = input;
  const issues = new Map<string, IssueInfo>();
  for (const issue of collected.issues) issues.set(issue.id, issue);
  const typeOrder = new Map(input.types.map((t, i) => [t.type, i]));
  const typeInfo = new Map(input.types.map((t) => [t.type, t]));
  const componentNames = Object.values(input.components);

  const bySection = new Map<string, NoteEntry[]>();
  const breaking: BreakingChange[] = [];
  const contributors = new Map<string, Person>();
  const linked = new Map<string, NoteLink>();
  let hidden = 0;

  for (const change of collected.changes) {
    if (change.type === null && input.nonConventional === 'drop') continue;
    const enriched = enrich(change, issues);
    if (isHiddenByLabel(enriched, audience)) {
      hidden++;
      continue;
    }
    const type = change.type !== null && typeInfo.has(change.type) ? change.type : 'other';
    // A list shows what it lists; `hidden` only trims the audiences that show "all" types.
    const visible = audience.types === 'all' ? !typeInfo.get(type)!.hidden : audience.types.includes(type);
    const entry = toEntry(enriched, type, input.components, linker, issues);
    if (change.breaking.length > 0) {
      for (const text of change.breaking) breaking.push({ text, entry });
    }
    if (!visible) {
      if (change.breaking.length === 0) hidden++;
      continue;
    }
    pushTo(bySection, type, entry);
  }

  const sections: NoteSection[] = [...bySection.entries()]
    .sort(([a], [b]) => typeOrder.get(a)! - typeOrder.get(b)!)
    .map(([type, entries]) => ({
      type,
      title: typeInfo.get(type)!.title,
      entries,
      components: groupByComponent(entries, componentNames),
    }));

  for (const entry of [...sections.flatMap((s) => s.entries), ...breaking.map((b) => b.entry)]) {
    for (const author of entry.authors) {
      const key = (author.email ?? author.name).toLowerCase();
      if (!contributors.has(key)) contributors.set(key, author);
    }
    for (const link of [...(entry.pullRequest ? [entry.pullRequest] : []), ...entry.issues])
      linked.set(link.text, link);
  }

  const entryCount = sections.reduce((n, s) => n + s.entries.length, 0);
  const from = collected.range.from;
  return {
    schemaVersion: 1,
    product: input.product,
    packageName: input.packageName,
    audience: audience.name,
    version: input.version,
    previousVersion: from?.version ?? null,
    tag: input.tag,
    previousTag: from?.tag ?? null,
    date: collected.range.to.date.slice(0, 10),
    compareUrl: from?.tag ? linker.compare(from.tag, input.tag) : null,
    sections,
    breaking: uniqueBreaking(breaking),
    components: [...new Set(sections.flatMap((s) => s.components.map((c) => c.component)))],
    contributors: [...contributors.values()],
    linked: [...linked.values()],
    counts: { entries: entryCount, breaking: breaking.length, hidden },
    empty: entryCount === 0 && breaking.length === 0,
    intro: null,
  };
}

/** Labels and wording from the tracker: the PR's and every issue the change closes. */
function enrich(change: Change, issues: Map<string, IssueInfo>): Change {
  const related = [
    change.pullRequest,
    ...change.references.filter((r) => r.prefix === '#' && !r.repository && r.action).map((r) => r.id),
  ]
    .filter((id): id is string => id !== null)
    .map((id) => issues.get(id))
    .filter((info): info is IssueInfo => info !== undefined);
  if (related.length === 0) return change;
  const pr = change.pullRequest ? issues.get(change.pullRequest) : undefined;
  return {
    ...change,
    labels: [...new Set([...change.labels, ...related.flatMap((i) => i.labels)])],
    releaseNote: change.releaseNote ?? pr?.releaseNote ?? null,
    authors: change.authors.map((a, i) =>
      i === 0 && pr?.author && !change.merge ? { ...a, login: pr.author } : a,
    ),
  };
}

function isHiddenByLabel(change: Change, audience: NotesAudience): boolean {
  for (const label of change.labels) {
    if (audience.hideLabels.includes(label)) return true;
    if (label.startsWith('audience:') && label !== `audience:${audience.name}` && audience.types !== 'all')
      return true;
  }
  return false;
}

function toEntry(
  change: Change,
  type: string,
  components: Readonly<Record<string, string>>,
  linker: Linker,
  issues: Map<string, IssueInfo>,
): NoteEntry {
  const text = change.releaseNote ?? change.subject;
  const pullRequest = change.pullRequest
    ? {
        text: `#${change.pullRequest}`,
        url:
          issues.get(change.pullRequest)?.url ??
          linker.reference({ prefix: '#', id: change.pullRequest, repository: null }, 'pull'),
      }
    : null;
  return {
    hash: change.hash,
    shortHash: change.shortHash,
    commitUrl: linker.commit(change.hash),
    type,
    scope: change.scope,
    component: change.scope ? (components[change.scope] ?? null) : null,
    text: capitalise(text),
    breaking: change.breaking.length > 0,
    pullRequest,
    issues: change.references
      .filter((r) => r.prefix !== '#' || r.action !== null || !r.repository)
      .map((r) => ({
        text: r.prefix === '#' ? `${r.repository ?? ''}#${r.id}` : r.id,
        url: (r.prefix === '#' && !r.repository ? issues.get(r.id)?.url : null) ?? linker.reference(r),
      })),
    authors: change.authors,
  };
}

function groupByComponent(entries: NoteEntry[], order: string[]) {
  // Grouping only helps when something in the section belongs to a named component.
  if (order.length === 0 || entries.every((e) => e.component === null)) return [];
  const groups = new Map<string, NoteEntry[]>();
  for (const entry of entries) {
    pushTo(groups, entry.component ?? GENERAL, entry);
  }
  const rank = (name: string) => (name === GENERAL ? order.length : order.indexOf(name));
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([component, list]) => ({ component, entries: list }));
}

function uniqueBreaking(list: BreakingChange[]): BreakingChange[] {
  const seen = new Set<string>();
  return list.filter((b) => {
    const key = `${b.entry.hash}\u0000${b.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function capitalise(text: string): string {
  return text.length > 0 ? text[0]!.toUpperCase() + text.slice(1) : text;
}
