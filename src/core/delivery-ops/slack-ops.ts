import { type KeyCodec, parseCount, type Revision, splitRevision, withRevision } from './key-codec.js';

/**
 * What a Slack channel does, one ledger row each (target `slack:<channel id>`): post, edit or
 * delete the announcement (`reply` null) or one of its thread replies (`reply` n ≥ 1):
 * `post:message`, `post:reply:<n>`, `update:message@r<n>`, `update:reply:<n>@r<n>`,
 * `delete:reply:<n>@r<n>`, and `post:reply:<n>@r<n>` (a reply posted again after a delete).
 */
export interface SlackOp {
  verb: 'post' | 'update' | 'delete';
  /** null: the announcement (top message); n: the n-th thread reply. */
  reply: number | null;
  revision: Revision;
}

export const ANNOUNCEMENT_POST_KEY = 'post:message';

const VERBS = new Set<string>(['post', 'update', 'delete']);

export const slackKeys: KeyCodec<SlackOp> = {
  format(op) {
    return withRevision(`${op.verb}:${op.reply === null ? 'message' : `reply:${op.reply}`}`, op.revision);
  },

  parse(key) {
    const { base, revision } = splitRevision(key);
    const [verb = '', part, n, ...rest] = base.split(':');
    if (!VERBS.has(verb) || rest.length > 0) return null;
    const op = (reply: number | null): SlackOp => ({ verb: verb as SlackOp['verb'], reply, revision });
    if (part === 'message' && n === undefined) return op(null);
    const reply = part === 'reply' && n !== undefined ? parseCount(n) : null;
    return reply === null ? null : op(reply);
  },
};

/** A channel's first post of the announcement (its permalink is the announcement's address). */
export function isAnnouncementPost(row: { key: string }): boolean {
  const op = slackKeys.parse(row.key);
  return op !== null && op.verb === 'post' && op.reply === null;
}
