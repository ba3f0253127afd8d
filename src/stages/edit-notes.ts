import { decideEdit } from '../core/bundle-lifecycle.js';
import type {
  BundleRecord,
  BundleRevision,
  NotesOverlay,
  ReleaseBundle,
  RenderedNotes,
} from '../model/index.js';
import type { StorePort, TemplatePort } from '../ports/index.js';

/** What `herald edit` and the dashboard's edit form store: one audience's overlay, re-rendered. */
export interface NotesEdit {
  record: BundleRecord;
  revision: BundleRevision;
  audience: string;
  /** The overlay read from the edit document (`parseEditDocument`). */
  parsed: NotesOverlay;
  /** The audience's template (config `notes.audiences.<name>.template`, else `<audience>.hbs`). */
  template: string;
  templates: TemplatePort;
  actor: string;
  force: boolean;
  /** The content revision the edit started from: a newer one stored meanwhile is a conflict. */
  baseRevision: number;
}

/**
 * Stores an edit of one audience's notes as a new content revision, against the revision the
 * edit started from (a newer one is a conflict). Edits of changes that left the release stay,
 * in case the change comes back.
 */
export async function storeNotesEdit(store: StorePort, edit: NotesEdit) {
  const { record, revision, audience } = edit;
  const current = revision.bundle.notes[audience]!;
  const previous = record.overlay[audience];
  const kept = Object.fromEntries(
    Object.entries(previous?.entries ?? {}).filter(
      ([hash]) => !current.generated.sections.some((s) => s.entries.some((e) => e.hash === hash)),
    ),
  );
  const overlay = {
    ...record.overlay,
    [audience]: { ...edit.parsed, entries: { ...kept, ...edit.parsed.entries } },
  };
  // The Markdown pipeline and the renderer load only for an edit that is stored.
  const { hashBundle, renderAudience } = await import('./prepare.js');
  const rendered = await renderAudience(current.generated, overlay, edit.template, edit.templates);
  const bundle: ReleaseBundle = {
    ...revision.bundle,
    notes: { ...revision.bundle.notes, [audience]: rendered.rendered as RenderedNotes },
  };
  const contentHash = hashBundle(bundle);
  return store.mutateBundle(record.key, edit.actor, (row) =>
    decideEdit(row, {
      baseRevision: edit.baseRevision,
      bundle,
      contentHash,
      overlay,
      force: edit.force,
    }),
  );
}
