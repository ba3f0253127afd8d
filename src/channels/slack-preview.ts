import { renderSlackHtml } from '../core/slack-html.js';
import type { SlackMessage } from '../core/slack-message.js';
import type { BundleRecord, ReleaseBundle } from '../model/index.js';
import { renderForChannel, type SlackDestination } from './slack.js';

/** One Slack channel's announcement: the messages announce posts, and a page showing them as Slack does. */
export type SlackPreview =
  | { ok: true; messages: SlackMessage[]; html: string }
  | { ok: false; error: string };

/**
 * What `destination` will get for `bundle`: the top message and its thread replies, and the page
 * that shows them as Slack shows them. `url`: the published release-notes article, once it exists.
 */
export function previewSlack(
  bundle: ReleaseBundle,
  record: BundleRecord,
  url: string | null,
  destination: SlackDestination,
): SlackPreview {
  let messages: SlackMessage[];
  try {
    const announcement = renderForChannel(bundle, destination, url);
    messages = [announcement.top, ...announcement.replies];
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const html = renderSlackHtml({
    title: `${destination.label}: ${bundle.package || bundle.product} ${bundle.version}`,
    channels: [
      {
        name: `${destination.label} (${destination.audience} notes)`,
        threads: [{ message: messages[0]!, postedAt: record.announceAt, replies: messages.slice(1) }],
      },
    ],
  });
  return { ok: true, messages, html };
}
