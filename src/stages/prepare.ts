import { createHash } from 'node:crypto';
import { decidePrepare, type PrepareOutcome, type Schedule } from '../core/bundle-lifecycle.js';
import { compileMarkdown } from '../core/docs/compile-page.js';
import { diffDocSets } from '../core/docs/link-docset.js';
import { applyOverlay } from '../core/notes-overlay.js';
import type { Problem } from '../errors/herald-error.js';
import { errors } from '../errors/index.js';
import {
  BUNDLE_SCHEMA_VERSION,
  type BundleKey,
  type BundleOverlay,
  type BundleRecord,
  type DocSet,
  type ReleaseBundle,
  type ReleaseNotes,
  type RenderedNotes,
} from '../model/index.js';
import type { DocsCachePort, PageCompilerPort, StorePort, TemplatePort } from '../ports/index.js';
import { type CompileDocsInput, compileDocs } from './compile-docs.js';
import { generateNotes, type NotesPorts, type NotesRequest } from './notes.js';
import { createNotesRenderer } from './render-notes.js';

export type DocsRequest = { dir: string; locale: string } & Omit<Partial<CompileDocsInput>, 'ref'>;

export interface PrepareRequest extends Omit<NotesRequest, 'audiences' | 'from'> {
  /**
   * The docs to compile, with their settings (flavor, exclude, rules…) as compileDocs takes them;
   * null publishes the notes without docs (`--no-docs`).
   */
  docs: DocsRequest | null;
  schedule: Schedule | null;
  force: boolean;
  actor: string;
}

export interface PreparePorts extends NotesPorts {
  compiler: PageCompilerPort;
  cache: DocsCachePort;
  store: StorePort;
  /** Announce-day refusals the bundle and config already tell (see stages/preflight). */
  preflight?: (bundle: ReleaseBundle) => Problem[];
}

export type PrepareResult =
  | { kind: 'nothing'; reason: string }
  | {
      kind: 'prepared';
      outcome: PrepareOutcome;
      key: BundleKey;
      record: BundleRecord;
      bundle: ReleaseBundle;
      contentHash: string;
      /** Edits whose change is no longer in the release, per audience. */
      orphans: Record<string, string[]>;
      warnings: string[];
    };

/** Renders one audience's notes with the release manager's edits applied. */
export async function renderAudience(
  generated: ReleaseNotes,
  overlay: BundleOverlay,
  template: string,
  templates: TemplatePort,
  generatedMarkdown?: string,
): Promise<{ rendered: RenderedNotes; orphans: string[] }> {
  const edit = overlay[generated.audience];
  const { notes, orphans } = applyOverlay(generated, edit);
  const markdown =
    edit === undefined && generatedMarkdown !== undefined
      ? generatedMarkdown
      : (await (await createNotesRenderer(templates))(template))(notes);
  return { rendered: { generated, model: notes, markdown, html: compileMarkdown(markdown) }, orphans };
}

/** The content hash of a bundle: equal hashes, nothing to store. */
export function hashBundle(bundle: ReleaseBundle): string {
  return createHash('sha256').update(JSON.stringify(bundle)).digest('hex');
}

/**
 * prepare: collect → notes for every audience → docs at the release commit → one immutable,
 * embargoed bundle in the store. Nothing is sent anywhere. Re-running it is safe: identical
 * content changes nothing, new content becomes a new revision that keeps the schedule.
 */
export async function prepareRelease(request: PrepareRequest, ports: PreparePorts): Promise<PrepareResult> {
  const { config } = request;
  const audiences = Object.keys(config.notes.audiences);
  const outcome = await generateNotes({ ...request, audiences }, ports);
  if (outcome.kind === 'nothing') return { kind: 'nothing', reason: outcome.reason };
  const key: BundleKey = {
    product: request.product,
    package: request.packageName ?? '',
    version: outcome.version,
  };

  // The docs as they are at the release commit: a tag that does not exist yet (the version was
  // computed) means the target commit.
  const commit = outcome.collected.range.to.hash;
  const docs = request.docs
    ? await compileReleaseDocs(commit, outcome.tag, request.docs, ports)
    : emptyDocSet(outcome.tag, commit);

  const [current, previous] = await Promise.all([
    ports.store.findBundle(key),
    ports.store.lastAnnounced(key.product, key.package, key.version),
  ]);
  const overlay = current?.overlay ?? {};
  const notes: Record<string, RenderedNotes> = {};
  const orphans: Record<string, string[]> = {};
  for (const name of audiences) {
    const result = await renderAudience(
      outcome.notes[name]!,
      overlay,
      config.notes.audiences[name]!.template,
      ports.templates,
      outcome.markdown[name],
    );
    notes[name] = result.rendered;
    if (result.orphans.length > 0) orphans[name] = result.orphans;
  }

  const bundle: ReleaseBundle = {
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    product: key.product,
    package: request.packageName,
    version: key.version,
    tag: outcome.tag,
    previousTag: outcome.collected.range.from?.tag ?? null,
    sourceCommit: commit,
    notes,
    docs,
    docsDiff:
      previous && request.docs
        ? { since: previous.record.key.version, ...diffDocSets(previous.revision.bundle.docs, docs) }
        : null,
  };
  const problems = ports.preflight?.(bundle) ?? [];
  if (problems.length > 0) throw errors.preflightFailed(key.version, problems);
  const contentHash = hashBundle(bundle);

  // Assets first: a stored revision never points at bytes the store does not have.
  const missing = await ports.store.missingBlobs(docs.assets.map((a) => a.hash));
  if (missing.length > 0) {
    const bytes = await ports.git.readBlobs(missing);
    const types = new Map(docs.assets.map((a) => [a.hash, a.contentType]));
    await ports.store.putBlobs(
      missing.map((hash) => ({
        hash,
        contentType: types.get(hash)!,
        bytes: bytes.get(hash) ?? new Uint8Array(),
      })),
    );
  }

  const overlayUsed = JSON.stringify(overlay);
  const written = await ports.store.mutateBundle(key, request.actor, (row, now) => {
    // An edit that landed while this run rendered would be lost: start again instead.
    if (row && JSON.stringify(row.overlay) !== overlayUsed) throw errors.editConflict(key.version);
    return decidePrepare(row, now, {
      bundle,
      contentHash,
      schedule: request.schedule,
      force: request.force,
    });
  });
  return {
    kind: 'prepared',
    outcome: written.result.outcome,
    key,
    record: written.record!,
    bundle,
    contentHash,
    orphans,
    warnings: outcome.collected.warnings,
  };
}

async function compileReleaseDocs(
  commit: string,
  tag: string,
  settings: DocsRequest,
  ports: PreparePorts,
): Promise<DocSet> {
  const compiled = await compileDocs(
    { ...settings, ref: commit, dir: settings.dir, defaultLocale: settings.locale },
    ports,
  );
  const docErrors = compiled.messages.filter((m) => m.severity === 'error');
  if (docErrors.length > 0)
    throw errors.docsInvalid(
      tag,
      docErrors.map((m) => ({
        message: `${m.message}  [${m.ruleId}]`,
        location: { file: m.file, line: m.line, column: m.column },
      })),
    );
  return { ...compiled.docSet, ref: tag };
}

/** No docs: the help centre publishes the notes and leaves the docs articles as they are. */
function emptyDocSet(tag: string, commit: string): DocSet {
  return { schemaVersion: 1, ref: tag, commit, dir: '', sections: [], pages: [], assets: [] };
}
