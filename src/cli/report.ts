import path from 'node:path';
import type { HeraldConfig } from '../config/validate-config.js';
import type { BundleKey } from '../model/index.js';
import type { StorePort } from '../ports/index.js';
import { type ReleaseReportOutcome, reportReleases } from '../stages/announce/report.js';
import { versionOf } from './format.js';
import type { Output } from './output.js';

type Env = Record<string, string | undefined>;

/**
 * The release report after an announce run, when `herald.report.slack` is configured: through the
 * Slack Web API with the configured token (SLACK_API_URL as for announcements), else to the Slack
 * outbox. Never throws: the announce's outcome is decided before and stays as it was.
 */
export async function reportAfterRun(input: {
  config: HeraldConfig;
  root: string;
  store: StorePort;
  env: Env;
  announced: BundleKey[];
  output: Output;
}): Promise<ReleaseReportOutcome[]> {
  const settings = input.config.report;
  if (!settings.slack) return [];
  const token = input.env[settings.slack.tokenEnv];
  try {
    const chat = token
      ? (await import('../adapters/slack.js')).createSlackChat({
          token,
          apiUrl: input.env.SLACK_API_URL || 'https://slack.com/api/',
          timeoutMs: 30_000,
          postsPerMinute: input.config.slack.postsPerMinute,
        })
      : (await import('../adapters/slack-outbox.js')).createSlackOutbox(
          path.resolve(input.root, input.config.slack.outbox),
        );
    try {
      const outcomes = await reportReleases({
        store: input.store,
        chat,
        channel: settings.slack.channel,
        remindAfterMs: settings.remindAfterHours * 3_600_000,
        announced: input.announced,
      });
      printOutcomes(outcomes, settings.slack.channel, input.output);
      return outcomes;
    } finally {
      await chat.close?.();
    }
  } catch (error) {
    // Not Slack's answer (those are recorded per release): the store or a bug. Still not fatal.
    input.output.warn(`Release report not sent: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  }
}

function printOutcomes(outcomes: ReleaseReportOutcome[], channel: string, output: Output): void {
  for (const o of outcomes) {
    if (o.error) {
      output.warn(
        `Release report for ${versionOf(o.key)} not sent to ${channel}: ${o.error.message}${o.error.fix ? ` (fix: ${o.error.fix})` : ''}; the next run tries again.`,
      );
      continue;
    }
    if (o.parent === 'unchanged' && o.replies === 0) continue;
    const what = [
      o.parent === 'unchanged' ? null : o.parent,
      o.replies > 0 ? `${o.replies} repl${o.replies === 1 ? 'y' : 'ies'}` : null,
    ]
      .filter(Boolean)
      .join(', ');
    output.info(`Release report for ${versionOf(o.key)} → ${channel}: ${what}`);
  }
}
