import { renderForChannel, type SlackDestination } from '../channels/slack.js';
import { type HelpCenterPreflight, preflightHelpCenter } from '../core/help-center-preflight.js';
import { isDeliveryFailure } from '../errors/delivery-failure.js';
import { HeraldError, type Problem } from '../errors/herald-error.js';
import type { ReleaseBundle } from '../model/index.js';

/** How announce would publish a bundle, as far as the bundle and the config tell. */
export interface PreflightSettings {
  configFile: string;
  /** The help centre, with its title template (applied per bundle); null when none is used. */
  helpCenter:
    | (Omit<HelpCenterPreflight, 'title' | 'configFile'> & { title: (bundle: ReleaseBundle) => string })
    | null;
  slack: SlackDestination[];
  email: { audience: string };
}

/** A sample link: the real one exists only once the help centre has published the notes. */
const SAMPLE_NOTES_URL = 'https://help.example/articles/release-notes';

/**
 * Preflight: every refusal on announce day that depends only on the bundle and the config, found
 * at prepare instead (the outside world's refusals, such as a revoked token or a section deleted
 * on the help centre, can only be found when announce calls it). Every problem, not the first.
 */
export function preflightBundle(bundle: ReleaseBundle, settings: PreflightSettings): Problem[] {
  const config = { file: settings.configFile };
  const problems: Problem[] = [];
  if (settings.helpCenter) {
    const { title, ...rest } = settings.helpCenter;
    let rendered: string | null = null;
    try {
      rendered = title(bundle);
    } catch (error) {
      problems.push(problemOf(error, { ...config, path: 'herald.helpCenter.title' }));
    }
    // A title that failed to render is reported once, above, not again as empty.
    problems.push(
      ...preflightHelpCenter(bundle, { ...rest, configFile: settings.configFile, title: rendered ?? '?' }),
    );
  }
  settings.slack.forEach((destination, i) => {
    try {
      renderForChannel(bundle, destination, SAMPLE_NOTES_URL);
    } catch (error) {
      problems.push(problemOf(error, { ...config, path: `herald.slack.channels.${i}` }));
    }
  });
  if (!bundle.notes[settings.email.audience])
    problems.push({
      message: `release emails show the "${settings.email.audience}" notes, which this release does not have`,
      location: { ...config, path: 'herald.email.audience' },
      fix: `Set herald.email.audience to one of: ${Object.keys(bundle.notes).join(', ')}.`,
    });
  return problems;
}

function problemOf(error: unknown, location: Problem['location']): Problem {
  if (isDeliveryFailure(error))
    return { message: error.message, location, ...(error.fix ? { fix: error.fix } : {}) };
  if (error instanceof HeraldError)
    return {
      message: error.message,
      location: error.problems[0]?.location ?? location,
      ...(error.fix ? { fix: error.fix } : {}),
    };
  throw error;
}
