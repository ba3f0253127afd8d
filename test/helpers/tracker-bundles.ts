import { decidePrepare, type Schedule } from '../../src/core/bundle-lifecycle.js';
import type { NoteEntry, ReleaseBundle } from '../../src/model/index.js';
import type { StorePort } from '../../src/ports/index.js';
import { hashBundle } from '../../src/stages/prepare.js';
import { keyOf, makeBundle } from './bundles.js';

/** A notes entry that arrived in pull request `pull` and closes or mentions `issues` (`#3`, `PROJ-7`). */
export function entryReferencing(text: string, pull: string | null, issues: string[]): NoteEntry {
  return {
    hash: `${text.length}`.padEnd(40, 'b'),
    shortHash: 'bbbbbbb',
    commitUrl: null,
    type: 'fix',
    scope: null,
    component: null,
    text,
    breaking: false,
    pullRequest: pull ? { text: pull, url: null } : null,
    issues: issues.map((i) => ({ text: i, url: null })),
    authors: [],
  };
}

/** A bundle whose notes (per audience) hold these entries, stored and scheduled as `herald prepare` does. */
export async function prepareReferencing(
  store: StorePort,
  version: string,
  entries: Record<string, NoteEntry[]>,
  schedule: Schedule | null = { at: 'now', zone: 'UTC' },
): Promise<ReleaseBundle> {
  const base = makeBundle(version);
  const customer = base.notes.customer!;
  const notes: ReleaseBundle['notes'] = {};
  for (const [audience, list] of Object.entries(entries)) {
    const model = {
      ...customer.model,
      audience,
      sections: [{ type: 'fix', title: 'Bug fixes', entries: list, components: [] }],
    };
    notes[audience] = {
      generated: model,
      model,
      markdown: list.map((e) => `- ${e.text}`).join('\n'),
      html: '',
    };
  }
  const bundle: ReleaseBundle = { ...base, notes };
  await store.mutateBundle(keyOf(version), 'tester', (current, now) =>
    decidePrepare(current, now, { bundle, contentHash: hashBundle(bundle), schedule, force: false }),
  );
  return bundle;
}
