/** A Slack message as Herald builds it: Block Kit blocks and the plain-text fallback. */
export interface SlackMessage {
  /** Plain-text notification fallback, at most `SLACK_LIMITS.fallbackText`. */
  text: string;
  blocks: SlackBlock[];
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'divider' }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

export interface SlackAnnouncement {
  top: SlackMessage;
  /** Thread replies carrying the full list when it does not fit in `top`. */
  replies: SlackMessage[];
}
