import { CHANNEL_PHASE, type PlannedDelivery, type TargetObject } from '../model/index.js';
import { type SlackOp, slackKeys } from './delivery-ops/index.js';

/**
 * What one Slack channel needs for one release, from what Herald already posted there (the target
 * objects `message` and `reply:<n>`). Pure: the same input always gives the same plan.
 *
 * Deliveries (target `slack:<channel id>`, keys in delivery-ops/slack-ops.ts), phases in brackets:
 * - `post:message` [40], `post:reply:<n>` [40+n]: the announcement, then its thread replies in order;
 * - `update:message@r<rev>` [40], `update:reply:<n>@r<rev>` [40+n]: edit what was posted, after a
 *   correction (`prepare --force`) changed it;
 * - `delete:reply:<n>@r<rev>` [40+n]: a correction made the thread shorter;
 * - `post:reply:<n>@r<rev>` [40+n]: a correction made it longer again, after such a delete.
 */
export const slackParts = { message: 'message', reply: (n: number) => `reply:${n}` } as const;

/** Marks a thread reply Herald deleted. */
export const DELETED = 'deleted';

export type Corrections = 'update' | 'ignore';

export interface SlackPlanInput {
  target: string;
  /** The channel as people know it, for summaries (`#releases`). */
  where: string;
  /** Content hash of each message as it would be posted now: the top message, then each reply. */
  hashes: string[];
  /** What Herald posted in this channel for this release, by part. */
  objects: ReadonlyMap<string, TargetObject>;
  revision: number;
  /** `update`: edit posted messages when a correction changes them; `ignore`: leave the posted announcement and its thread as they are. */
  corrections: Corrections;
}

export function planSlack(input: SlackPlanInput): PlannedDelivery[] {
  const { where, revision } = input;
  const edit = input.corrections === 'update';
  const plan: PlannedDelivery[] = [];
  const add = (op: SlackOp, phase: number, summary: string) =>
    plan.push({ target: input.target, key: slackKeys.format(op), phase, summary });
  const post = (reply: number | null, revised = false): SlackOp => ({
    verb: 'post',
    reply,
    revision: revised ? revision : null,
  });
  const revised = (verb: SlackOp['verb'], reply: number | null): SlackOp => ({ verb, reply, revision });

  const top = input.objects.get(slackParts.message);
  if (!top) add(post(null), CHANNEL_PHASE, `post the announcement in ${where}`);
  else if (edit && top.contentHash !== input.hashes[0])
    add(revised('update', null), CHANNEL_PHASE, `edit the announcement in ${where}`);

  // Left as posted: the thread is only finished (after a crash) when it is the same announcement.
  if (top && !edit && top.contentHash !== input.hashes[0]) return [];
  const replies = input.hashes.length - 1;
  for (let n = 1; n <= replies; n++) {
    const posted = input.objects.get(slackParts.reply(n));
    const part = `part ${n} of ${replies} in the thread in ${where}`;
    if (!posted) add(post(n), CHANNEL_PHASE + n, `post ${part}`);
    else if (posted.contentHash === DELETED) add(post(n, true), CHANNEL_PHASE + n, `post ${part}`);
    else if (edit && posted.contentHash !== input.hashes[n])
      add(revised('update', n), CHANNEL_PHASE + n, `edit ${part}`);
  }
  if (edit)
    for (const [part, object] of input.objects) {
      const n = /^reply:(\d+)$/.exec(part)?.[1];
      if (n === undefined || Number(n) <= replies || object.contentHash === DELETED) continue;
      add(
        revised('delete', Number(n)),
        CHANNEL_PHASE + Number(n),
        `delete part ${n} of the thread in ${where} (the corrected list is shorter)`,
      );
    }
  return plan.sort((a, b) => a.phase - b.phase || a.key.localeCompare(b.key));
}

/** A Slack ledger key read back: what to do, and to which message. */
export function parseSlackKey(key: string): Pick<SlackOp, 'verb' | 'reply'> | null {
  const op = slackKeys.parse(key);
  return op && { verb: op.verb, reply: op.reply };
}
