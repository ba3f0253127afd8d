import semver from 'semver';
import type { NotesConfig } from '../config/validate-notes-config.js';
import { buildNotes, type NotesAudience, type NotesInput } from '../core/build-notes.js';
import type { Linker } from '../core/links.js';
import { bumpFor, nextVersion } from '../core/next-version.js';
import type { ParseOptions } from '../core/parse-commit.js';
import type { TagFormat } from '../core/tag-format.js';
import { errors } from '../errors/index.js';
import type { Collected, ReleaseNotes } from '../model/index.js';
import type { GitPort, IssueTrackerPort, Logger, TemplatePort } from '../ports/index.js';
import { collect } from './collect.js';
import { createNotesRenderer } from './render-notes.js';

export interface NotesRequest {
  /** Only the sections notes are made from: `herald notes` validates no others. */
  config: NotesConfig;
  tagFormat: TagFormat;
  product: string;
  packageName: string | null;
  path: string | null;
  from?: string | undefined;
  to?: string | undefined;
  releaseVersion?: string | undefined;
  audiences: string[];
  linker: Linker;
}

export interface NotesPorts {
  git: GitPort;
  issues: IssueTrackerPort;
  templates: TemplatePort;
  logger: Logger;
}

export type NotesOutcome =
  | { kind: 'nothing'; reason: string; collected: Collected }
  | {
      kind: 'notes';
      version: string;
      tag: string;
      collected: Collected;
      notes: Record<string, ReleaseNotes>;
      markdown: Record<string, string>;
    };

/** collect → version → notes model per audience → Markdown per audience. */
export async function generateNotes(request: NotesRequest, ports: NotesPorts): Promise<NotesOutcome> {
  const { config } = request;
  for (const audience of request.audiences) {
    if (!config.notes.audiences[audience])
      throw errors.unknownAudience(audience, Object.keys(config.notes.audiences));
  }
  if (
    request.releaseVersion !== undefined &&
    semver.valid(request.releaseVersion) !== request.releaseVersion
  ) {
    throw errors.invalidVersion(request.releaseVersion);
  }

  const collected = await collect(
    {
      to: request.to,
      from: request.from,
      path: request.path,
      tagFormat: request.tagFormat,
      previousRelease: config.notes.previousRelease,
      releaseVersion: request.releaseVersion,
      parse: parseOptionsFor(config),
    },
    ports,
  );
  const { range } = collected;
  const since = range.from ? `since ${range.from.tag ?? range.from.ref}` : 'in the history';
  if (collected.changes.length === 0 && request.releaseVersion === undefined && range.to.version === null) {
    return { kind: 'nothing', reason: `no commits to release ${since}`, collected };
  }
  const version = range.to.version ?? nextVersion(range.from?.version ?? null, bumpFor(collected.changes));
  if (version === null) {
    return {
      kind: 'nothing',
      reason: `no release-worthy changes ${since} (only ${describeTypes(collected)}); pass --release-version to render notes anyway`,
      collected,
    };
  }
  const tag = range.to.tag ?? request.tagFormat.tagOf(version);
  const render = await createNotesRenderer(ports.templates);
  const notes: Record<string, ReleaseNotes> = {};
  const markdown: Record<string, string> = {};
  for (const name of request.audiences) {
    const audience = config.notes.audiences[name]!;
    notes[name] = buildNotes(notesInputFor(request, collected, audience, version, tag));
    markdown[name] = (await render(audience.template))(notes[name]);
  }
  return { kind: 'notes', version, tag, collected, notes, markdown };
}

/** What commit parsing needs from the config. */
export function parseOptionsFor(config: NotesConfig): ParseOptions {
  const keys = [config.notes.links.jira, ...config.notes.links.keys].filter((k) => k !== undefined);
  return { skipMarkers: config.notes.skipMarkers, keyPatterns: keys.map((k) => k.pattern) };
}

/** The notes-model input for one audience of one release. */
export function notesInputFor(
  request: Pick<NotesRequest, 'config' | 'product' | 'packageName' | 'linker'>,
  collected: Collected,
  audience: NotesAudience,
  version: string,
  tag: string,
): NotesInput {
  const { notes } = request.config;
  return {
    collected,
    audience,
    types: notes.types,
    components: notes.components,
    nonConventional: notes.nonConventional,
    product: request.product,
    packageName: request.packageName,
    version,
    tag,
    linker: request.linker,
  };
}

function describeTypes(collected: Collected): string {
  const types = [...new Set(collected.changes.map((c) => c.type ?? 'non-conventional'))];
  return types.length > 0 ? types.join(', ') : 'no changes';
}
