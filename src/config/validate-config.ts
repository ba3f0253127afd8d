import { isValidTimeZone } from '../core/announce-time.js';
import { parseTagFormat } from '../core/tag-format.js';
import { errors, type Problem } from '../errors/index.js';
import { describeIssue } from './describe-issue.js';
import type { ConfigPath, Locator } from './locate-json-path.js';
import {
  type AudienceSetting,
  type DocsSettings,
  defaultAudiences,
  defaultTypes,
  docsSettingsFrom,
  type HeraldSettings,
  type LinkSettings,
  releaseConfigFile,
  type TypeSetting,
} from './schema.js';

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

/** The resolved configuration every stage reads: defaults merged, names normalised. */
export interface HeraldConfig {
  tagFormat: string;
  product: string | null;
  packages: HeraldSettings['packages'];
  notes: {
    types: TypeConfig[];
    components: Record<string, string>;
    nonConventional: 'other' | 'drop';
    skipMarkers: string[];
    previousRelease: 'stable' | 'any';
    links: LinkSettings;
    changelog: HeraldSettings['notes']['changelog'];
    audiences: Record<string, AudienceConfig>;
    templates: string;
  };
  issues: HeraldSettings['issues'];
  docs: DocsSettings;
  schedule: HeraldSettings['schedule'];
  helpCenter: HeraldSettings['helpCenter'];
  slack: HeraldSettings['slack'];
  email: HeraldSettings['email'];
  trackers: HeraldSettings['trackers'];
  report: HeraldSettings['report'];
  server: HeraldSettings['server'];
}

/**
 * Pure: validates a parsed config value and resolves defaults. Every problem is collected with its
 * path and, when a locator for the file's text is given, its line and column.
 */
export function validateConfig(value: unknown, file: string, position?: Locator): HeraldConfig {
  const parsed = releaseConfigFile.safeParse(value ?? {}, { reportInput: true });
  const locate: Locate = (path) => ({
    file,
    path: path.join('.') || '(root)',
    ...position?.(path),
  });

  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue, releaseConfigFile, locate));
    throw errors.invalidConfig(file, problems);
  }
  const data = parsed.data;
  const notes = data.herald.notes;
  const types = mergeTypes(notes.types);
  const audiences = mergeAudiences(notes.audiences, notes.hideLabels);
  const problems: Problem[] = [
    ...checkTagFormat(data.tagFormat, locate),
    ...checkLinkPatterns(notes.links, locate),
    ...checkPackageTags(data.tagFormat, data.herald.packages, locate),
    ...checkAudienceTypes(audiences, types, locate),
    ...checkSlackChannels(data.herald.slack.channels, audiences, locate),
    ...checkTimeZone(data.herald.schedule.timeZone, locate),
  ];
  if (problems.length > 0) throw errors.invalidConfig(file, problems);

  return {
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
    docs: docsSettingsFrom(data.herald.docs),
    schedule: data.herald.schedule,
    helpCenter: data.herald.helpCenter,
    slack: data.herald.slack,
    email: data.herald.email,
    trackers: data.herald.trackers,
    report: data.herald.report,
    server: data.herald.server,
  };
}

type Locate = (path: ConfigPath) => NonNullable<Problem['location']>;

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
function checkPackageTags(
  tagFormat: string,
  packages: HeraldSettings['packages'],
  locate: Locate,
): Problem[] {
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

/** Each Slack channel once, with an audience the notes have. */
function checkSlackChannels(
  channels: HeraldSettings['slack']['channels'],
  audiences: Record<string, AudienceConfig>,
  locate: Locate,
): Problem[] {
  const problems: Problem[] = [];
  const seenChannels = new Set<string>();
  channels.forEach((channel, i) => {
    if (seenChannels.has(channel.id))
      problems.push({
        message: `Slack channel ${channel.id} is listed twice`,
        location: locate(['herald', 'slack', 'channels', i, 'id']),
        fix: 'List each channel once: one channel gets one announcement, with one audience.',
      });
    seenChannels.add(channel.id);
    if (!audiences[channel.audience])
      problems.push({
        message: `Slack channel ${channel.id} asks for audience "${channel.audience}", which the notes do not have`,
        location: locate(['herald', 'slack', 'channels', i, 'audience']),
        fix: `Use one of: ${Object.keys(audiences).join(', ')}.`,
      });
  });
  return problems;
}

function checkTimeZone(zone: string | undefined, locate: Locate): Problem[] {
  if (zone === undefined || isValidTimeZone(zone)) return [];
  return [
    {
      message: `"${zone}" is not a known IANA time zone`,
      location: locate(['herald', 'schedule', 'timeZone']),
      fix: 'Use a zone name such as "Europe/Berlin", "America/New_York" or "UTC".',
    },
  ];
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
