import { parseTagFormat } from '../core/tag-format.js';
import { errors, type Problem } from '../errors/index.js';
import { describeIssue } from './describe-issue.js';
import type { ConfigPath, Locator } from './locate-json-path.js';
import {
  type AudienceSetting,
  defaultAudiences,
  defaultTypes,
  type LinkSettings,
  type NotesSections,
  notesConfigFile,
  type TypeSetting,
} from './schema-notes.js';

export interface TypeConfig {
  type: string;
  title: string;
  hidden: boolean;
}

export interface AudienceConfig {
  name: string;
  types: 'all' | string[];
  hideLabels: string[];
  template: string;
}

/** What notes are made from: the part of the resolved configuration `herald notes` reads. */
export interface NotesConfig {
  tagFormat: string;
  product: string | null;
  packages: NotesSections['packages'];
  notes: {
    types: TypeConfig[];
    components: Record<string, string>;
    nonConventional: 'other' | 'drop';
    skipMarkers: string[];
    previousRelease: 'stable' | 'any';
    links: LinkSettings;
    changelog: NotesSections['notes']['changelog'];
    audiences: Record<string, AudienceConfig>;
    templates: string;
  };
  issues: NotesSections['issues'];
}

export type Locate = (path: ConfigPath) => NonNullable<Problem['location']>;

/** Places a problem at its setting: the file, the dotted path and, with a locator, line and column. */
export function locatorFor(file: string, position?: Locator): Locate {
  return (path) => ({ file, path: path.join('.') || '(root)', ...position?.(path) });
}

/**
 * Pure: validates the sections notes are made from and resolves their defaults; the other
 * sections only have to be named right (the commands that read them validate them). The same
 * problems, worded and located the same, as `validateConfig` finds in these sections.
 */
export function validateNotesConfig(value: unknown, file: string, position?: Locator): NotesConfig {
  const locate = locatorFor(file, position);
  const parsed = notesConfigFile.safeParse(value ?? {}, { reportInput: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue, notesConfigFile, locate));
    throw errors.invalidConfig(file, problems);
  }
  const { config, problems } = resolveNotesConfig(parsed.data, locate);
  if (problems.length > 0) throw errors.invalidConfig(file, problems);
  return config;
}

/** Defaults merged and cross-checks made over the parsed notes sections (full or notes-only parse). */
export function resolveNotesConfig(
  data: { tagFormat: string; herald: Pick<NotesSections, 'product' | 'packages' | 'notes' | 'issues'> },
  locate: Locate,
): { config: NotesConfig; problems: Problem[] } {
  const notes = data.herald.notes;
  const types = mergeTypes(notes.types);
  const audiences = mergeAudiences(notes.audiences, notes.hideLabels);
  const problems: Problem[] = [
    ...checkTagFormat(data.tagFormat, locate),
    ...checkLinkPatterns(notes.links, locate),
    ...checkPackageTags(data.tagFormat, data.herald.packages, locate),
    ...checkAudienceTypes(audiences, types, locate),
  ];
  const config: NotesConfig = {
    tagFormat: data.tagFormat,
    product: data.herald.product ?? null,
    packages: data.herald.packages,
    notes: {
      types,
      components: notes.components,
      nonConventional: notes.nonConventional,
      skipMarkers: notes.skipMarkers,
      previousRelease: notes.previousRelease,
      links: notes.links,
      changelog: notes.changelog,
      audiences,
      templates: notes.templates,
    },
    issues: data.herald.issues,
  };
  return { config, problems };
}

function checkTagFormat(tagFormat: string, locate: Locate): Problem[] {
  try {
    parseTagFormat(tagFormat);
    return [];
  } catch (error) {
    return [
      {
        message: (error as Error).message,
        location: locate(['tagFormat']),
        fix: 'Use a format such as "v${version}".',
      },
    ];
  }
}

/** Issue-key patterns (`links.jira`, then `links.keys`) must be JavaScript regular expressions. */
function checkLinkPatterns(links: LinkSettings, locate: Locate): Problem[] {
  const problems: Problem[] = [];
  for (const [i, key] of [links.jira, ...links.keys].entries()) {
    if (!key) continue;
    try {
      new RegExp(key.pattern);
    } catch (error) {
      const path =
        i === 0 && links.jira
          ? ['herald', 'notes', 'links', 'jira', 'pattern']
          : ['herald', 'notes', 'links', 'keys', i - (links.jira ? 1 : 0), 'pattern'];
      problems.push({
        message: `invalid regular expression: ${(error as Error).message}`,
        location: locate(path),
        fix: 'Write a JavaScript regular expression, e.g. "PROJ-\\\\d+".',
      });
    }
  }
  return problems;
}

/** Several packages need tag formats that tell their tags apart. */
function checkPackageTags(tagFormat: string, packages: NotesSections['packages'], locate: Locate): Problem[] {
  if (packages.length <= 1 || tagFormat.includes('${name}')) return [];
  return packages.flatMap((pkg, i) =>
    pkg.tagFormat !== undefined
      ? []
      : [
          {
            message: `package "${pkg.name}" shares tagFormat "${tagFormat}" with the other packages, so their tags would collide`,
            location: locate(['herald', 'packages', i]),
            fix: 'Give each package a tagFormat with ${name}, e.g. "${name}@${version}".',
          },
        ],
  );
}

function checkAudienceTypes(
  audiences: Record<string, AudienceConfig>,
  types: TypeConfig[],
  locate: Locate,
): Problem[] {
  return Object.values(audiences).flatMap((audience) =>
    audience.types === 'all'
      ? []
      : audience.types
          .filter((type) => !types.some((t) => t.type === type))
          .map((type) => ({
            message: `audience "${audience.name}" lists unknown type "${type}"`,
            location: locate(['herald', 'notes', 'audiences', audience.name, 'types']),
            fix: `Define it under herald.notes.types, or use one of: ${types.map((t) => t.type).join(', ')}.`,
          })),
  );
}

/**
 * Built-in types, then the file's. An override may change only `hidden` (or only `title`): the
 * rest comes from the built-in type, and a new type without a title gets its name title-cased.
 */
function mergeTypes(custom: Record<string, TypeSetting>): TypeConfig[] {
  const merged = new Map<string, TypeConfig>();
  for (const [type, setting] of Object.entries(defaultTypes)) merged.set(type, { type, ...setting });
  for (const [type, setting] of Object.entries(custom)) {
    const base = merged.get(type);
    merged.set(type, {
      type,
      title: setting.title ?? base?.title ?? titleCase(type),
      hidden: setting.hidden ?? base?.hidden ?? false,
    });
  }
  // "other" (non-conventional commits) always comes last.
  const other = merged.get('other')!;
  merged.delete('other');
  return [...merged.values(), other];
}

/** `security` → "Security", `breaking-change` → "Breaking Change". */
function titleCase(type: string): string {
  return type
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
}

function mergeAudiences(
  custom: Record<string, AudienceSetting>,
  hideLabels: string[],
): Record<string, AudienceConfig> {
  const result: Record<string, AudienceConfig> = {};
  const all: Record<string, AudienceSetting> = { ...defaultAudiences, ...custom };
  for (const [name, setting] of Object.entries(all)) {
    result[name] = {
      name,
      types: setting.types,
      hideLabels: setting.hideLabels ?? (setting.types === 'all' ? [] : hideLabels),
      template: setting.template ?? `${name}.hbs`,
    };
  }
  return result;
}
