import { isValidTimeZone } from '../core/announce-time.js';
import { errors, type Problem } from '../errors/index.js';
import { describeIssue } from './describe-issue.js';
import type { Locator } from './locate-json-path.js';
import { type DocsSettings, docsSettingsFrom, type HeraldSettings, releaseConfigFile } from './schema.js';
import {
  type AudienceConfig,
  type Locate,
  locatorFor,
  type NotesConfig,
  resolveNotesConfig,
} from './validate-notes-config.js';

export type { AudienceConfig, NotesConfig, TypeConfig } from './validate-notes-config.js';

/** The resolved configuration every stage reads: defaults merged, names normalised. */
export interface HeraldConfig extends NotesConfig {
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
  const locate = locatorFor(file, position);

  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue, releaseConfigFile, locate));
    throw errors.invalidConfig(file, problems);
  }
  const data = parsed.data;
  const notes = resolveNotesConfig(data, locate);
  const problems: Problem[] = [
    ...notes.problems,
    ...checkSlackChannels(data.herald.slack.channels, notes.config.notes.audiences, locate),
    ...checkTimeZone(data.herald.schedule.timeZone, locate),
  ];
  if (problems.length > 0) throw errors.invalidConfig(file, problems);

  return {
    ...notes.config,
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
