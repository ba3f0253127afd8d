import * as z from 'zod/mini';
import { docs, email, helpCenter, schedule, server, slack } from './schema-delivery.js';
import { about, notesSections, type otherSectionNames, tagFormat } from './schema-notes.js';
import { report } from './schema-report.js';
import { trackers } from './schema-trackers.js';

/**
 * The one schema for `.releaserc.json`. Herald shares the file with semantic-release: it reads the
 * top-level `tagFormat` and keeps its own settings under `herald`; other top-level keys belong to
 * semantic-release and are left alone. `herald schema` publishes this as JSON Schema.
 *
 * zod/mini rather than classic zod: the same validation in 18 KB instead of 580 KB, which is
 * most of the CLI's start-up time. The sections live in schema-notes.ts (what notes are made
 * from), schema-delivery.ts and schema-trackers.ts.
 */

const otherSections = {
  docs: about(
    z.prefault(z.union([z.literal(false), docs]), {}),
    'The product docs compiled and published with each release; false publishes the notes only.',
  ),
  schedule: z.prefault(schedule, {}),
  helpCenter: z.prefault(helpCenter, {}),
  slack: z.prefault(slack, {}),
  email: z.prefault(email, {}),
  trackers: about(
    z.prefault(trackers, {}),
    'Closing the loop: at announce time, after the help centre, comment on the issues and pull/merge requests the notes reference, and make the release page.',
  ),
  report: about(
    z.prefault(report, {}),
    'A report for release managers after each announce run: what went out and what failed, per release.',
  ),
  server: z.prefault(server, {}),
} satisfies Record<(typeof otherSectionNames)[number], z.ZodMiniType>;

export const heraldSettings = z.strictObject({ ...notesSections, ...otherSections });

// semantic-release owns the other top-level keys (branches, plugins, …): a loose object.
export const releaseConfigFile = z.looseObject({
  $schema: z.optional(z.string()),
  tagFormat,
  herald: z.prefault(heraldSettings, {}),
});

export type ReleaseConfigInput = z.input<typeof releaseConfigFile>;
export type HeraldSettings = z.output<typeof heraldSettings>;
/** The docs settings, with `docs: false` read as the defaults and `publish: false`. */
export type DocsSettings = z.output<typeof docs> & { publish: boolean };
export const docsSettingsFrom = (value: HeraldSettings['docs']): DocsSettings =>
  value === false ? { ...docs.parse({}), publish: false } : { ...value, publish: true };
export type NotesSettings = HeraldSettings['notes'];
export type {
  AudienceSetting,
  LinkSettings,
  TypeSetting,
} from './schema-notes.js';
export { defaultAudiences, defaultTypes } from './schema-notes.js';
