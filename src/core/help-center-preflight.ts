import type { Problem } from '../errors/herald-error.js';
import type { ReleaseBundle } from '../model/index.js';
import { pagesById } from './help-center-plan.js';

/** What the help centre will be asked to do with a bundle, as the announce run will be configured. */
export interface HelpCenterPreflight {
  kind: 'zendesk' | 'static';
  /** The config file the settings come from, for locations. */
  configFile: string;
  locale: string;
  audience: string;
  /** Doc section id → help-centre section id. */
  sections: Readonly<Record<string, string>>;
  releaseNotesSection: string | null;
  createMissingSections: boolean;
  categoryId: number | null;
  /** The release-notes article's title for this bundle (its template already applied). */
  title: string;
}

/**
 * Everything about a bundle the help centre would refuse on announce day that the bundle and the
 * config already tell: a page with no section, a section Zendesk has no place for, notes for an
 * audience the bundle lacks, an empty title. Pure; each problem names the file and the fix.
 */
export function preflightHelpCenter(bundle: ReleaseBundle, settings: HelpCenterPreflight): Problem[] {
  const problems: Problem[] = [];
  const config = { file: settings.configFile };
  if (!bundle.notes[settings.audience])
    problems.push({
      message: `the help centre shows the "${settings.audience}" notes, which this release does not have`,
      location: { ...config, path: 'herald.helpCenter.audience' },
      fix: `Set herald.helpCenter.audience to one of: ${Object.keys(bundle.notes).join(', ')}.`,
    });
  if (settings.title.trim() === '')
    problems.push({
      message: 'the release-notes article would have an empty title',
      location: { ...config, path: 'herald.helpCenter.title' },
      fix: 'Give herald.helpCenter.title some text, e.g. "{{product}} {{version}}".',
    });

  const known = new Set(bundle.docs.sections.map((s) => s.id));
  const used = new Map<string, string>();
  for (const { source } of pagesById(bundle.docs, settings.locale).values()) {
    const file = `${bundle.docs.dir}/${source.path}`;
    if (source.section === '' || !known.has(source.section)) {
      problems.push({
        message:
          source.section === ''
            ? `page "${source.id}" has no help-centre section`
            : `page "${source.id}" is in section "${source.section}", which the docs do not list`,
        location: { file, line: 1, column: 1 },
        fix: 'Set `section:` in its frontmatter to a section of the docs, or move the page into a folder.',
      });
    } else if (!used.has(source.section)) used.set(source.section, file);
  }
  if (settings.kind !== 'zendesk') return problems;

  const canCreate = settings.createMissingSections && settings.categoryId !== null;
  const creating = settings.createMissingSections
    ? 'createMissingSections is on, but herald.helpCenter.categoryId is not set: Zendesk creates sections inside a category'
    : null;
  for (const [section, file] of used) {
    if (settings.sections[section] !== undefined || canCreate) continue;
    problems.push({
      message: `docs section "${section}" (first used by ${file}) has no Zendesk section${creating ? `; ${creating}` : ''}`,
      location: { ...config, path: 'herald.helpCenter.docsSections' },
      fix: `Map it: "docsSections": { "${section}": <Zendesk section id> }, or set createMissingSections and categoryId.`,
    });
  }
  if (settings.releaseNotesSection === null && !canCreate)
    problems.push({
      message: `the release notes have no Zendesk section${creating ? `; ${creating}` : ''}`,
      location: { ...config, path: 'herald.helpCenter.releaseNotesSectionId' },
      fix: 'Set herald.helpCenter.releaseNotesSectionId to the id of the release-notes section.',
    });
  return problems;
}
