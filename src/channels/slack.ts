import { createHash } from 'node:crypto';
import { type SlackOp, slackKeys } from '../core/delivery-ops/index.js';
import { renderSlackAnnouncement, type SlackAnnouncement, type SlackMessage } from '../core/slack-message.js';
import { type Corrections, DELETED, planSlack, slackParts } from '../core/slack-plan.js';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import { deliveryFailures } from '../errors/delivery-failures.js';
import {
  type DeliveryRow,
  objectScope,
  type ReleaseBundle,
  type ReleaseNotes,
  type TargetObject,
} from '../model/index.js';
import type { Channel, ChatMetadata, ChatPort, Delivered, StorePort } from '../ports/index.js';
import { releaseNotesUrls } from './release-notes-url.js';

export interface SlackDestination {
  /** Channel id (`C…`). */
  channel: string;
  /** How people know it, for output (`#releases`). */
  label: string;
  /** Which notes the channel gets (`internal`, `customer`). */
  audience: string;
  /** Markdown opening the announcement instead of the notes' own intro (from the channel's template). */
  intro: ((bundle: ReleaseBundle, notes: ReleaseNotes, url: string | null) => string) | null;
  corrections: Corrections;
}

/** The event type of the metadata stamped on every post, and how a post is found again. */
export const SLACK_EVENT_TYPE = 'herald_release_announced';
/** How far before an attempt's start a lost post is looked for (the store's and Slack's clocks differ). */
const CLOCK_SLACK_MS = 10 * 60_000;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const hashOf = (message: SlackMessage) => sha(JSON.stringify(message));

/**
 * The announcement as `destination` gets it: its audience's notes, its opening, and the link to
 * the release-notes article when there is one. `herald preview` shows exactly this.
 */
export function renderForChannel(
  bundle: ReleaseBundle,
  destination: SlackDestination,
  url: string | null,
): SlackAnnouncement {
  const notes = bundle.notes[destination.audience];
  if (!notes)
    throw deliveryFailures.noNotes(
      destination.audience,
      destination.label,
      `the audience of ${destination.label} in herald.slack.channels`,
      Object.keys(bundle.notes),
    );
  const model = destination.intro
    ? { ...notes.model, intro: destination.intro(bundle, notes.model, url) }
    : notes.model;
  return renderSlackAnnouncement({
    notes: model,
    // A package's release is headed by the package's name ("vite 8.3.0"), like its article.
    product: bundle.package || bundle.product,
    version: bundle.version,
    url,
  });
}

type SlackContext = ReturnType<typeof slackContext>;

/** What every delivery to one Slack channel shares: what was posted, the rendered announcement. */
function slackContext(
  port: ChatPort,
  store: Pick<StorePort, 'readTargetObjects'>,
  destination: SlackDestination,
  helpCenterSite: string | null,
) {
  const { channel } = destination;
  const target = `slack:${channel}`;
  const prefix = (bundle: ReleaseBundle) => `${objectScope(bundle)}${bundle.version}|${channel}|`;

  const postedIn = async (bundle: ReleaseBundle) => {
    const scope = prefix(bundle);
    const stored = await store.readTargetObjects(port.site, scope);
    return new Map([...stored].map(([key, value]) => [key.slice(scope.length), value]));
  };
  const objectsOf = (bundle: ReleaseBundle, objects: TargetObject[]) =>
    objects.map((o) => ({ ...o, key: `${prefix(bundle)}${o.key}` }));

  const notesUrl = releaseNotesUrls(store, helpCenterSite);

  // Every reply of a thread needs the whole announcement: rendered once per bundle and link.
  const rendered = new WeakMap<ReleaseBundle, { url: string | null; announcement: SlackAnnouncement }>();
  const render = async (bundle: ReleaseBundle): Promise<SlackAnnouncement> => {
    const url = await notesUrl(bundle);
    const cached = rendered.get(bundle);
    if (cached && cached.url === url) return cached.announcement;
    const announcement = renderForChannel(bundle, destination, url);
    rendered.set(bundle, { url, announcement });
    return announcement;
  };
  const messagesOf = (announcement: SlackAnnouncement) => [announcement.top, ...announcement.replies];

  const metadataOf = (bundle: ReleaseBundle, row: DeliveryRow): ChatMetadata => ({
    eventType: SLACK_EVENT_TYPE,
    payload: {
      delivery: sha(`${prefix(bundle)}${row.key}`).slice(0, 32),
      product: bundle.product,
      version: bundle.version,
    },
  });

  const opOf = (row: DeliveryRow): SlackOp => {
    const op = slackKeys.parse(row.key);
    if (!op) throw deliveryFailures.unknownDelivery('Slack', row.key);
    return op;
  };
  const messageAt = (messages: SlackMessage[], reply: number | null) => {
    const message = messages[reply ?? 0];
    if (!message) throw deliveryFailures.planMismatch(`the announcement has no part ${reply} any more`);
    return message;
  };
  /** The thread a reply goes into: the top message, which an earlier phase posted. */
  const threadOf = (posted: Map<string, TargetObject>) => {
    const top = posted.get(slackParts.message);
    if (!top)
      throw deliveryFailures.earlierPhaseMissing(
        `the announcement in ${destination.label} has not been posted, so its thread cannot be`,
      );
    return top.externalId;
  };
  const sent = (
    bundle: ReleaseBundle,
    part: string,
    found: { ts: string; permalink: string | null },
    hash: string,
  ): Delivered => ({
    externalId: found.ts,
    url: found.permalink,
    objects: objectsOf(bundle, [
      { key: part, externalId: found.ts, url: found.permalink, contentHash: hash },
    ]),
  });

  return {
    port,
    destination,
    channel,
    target,
    postedIn,
    objectsOf,
    render,
    messagesOf,
    metadataOf,
    opOf,
    messageAt,
    threadOf,
    sent,
  };
}

/**
 * One Slack channel as an announce target: the announcement as a top message with the full list
 * in thread replies when it does not fit, each its own ledger row; corrections edit what was
 * posted. Every post carries metadata naming its delivery, so an ambiguous attempt is settled by
 * looking for it in the channel before anything is posted again.
 */
export function createSlackChannel(
  port: ChatPort,
  store: Pick<StorePort, 'readTargetObjects'>,
  destination: SlackDestination,
  /** The help-centre site whose release-notes article the announcement links to (null: none). */
  helpCenterSite: string | null,
): Channel {
  const ctx = slackContext(port, store, destination, helpCenterSite);
  const { channel, target, postedIn, render, messagesOf } = ctx;
  return {
    target,
    description: `${port.description} ${destination.label}`,
    site: port.site,
    // Posts to one channel go one at a time, in order (and Slack allows about one a second).
    concurrency: 1,

    async plan({ record, bundle }) {
      const posted = await postedIn(bundle);
      let hashes: string[];
      try {
        hashes = messagesOf(await render(bundle)).map(hashOf);
      } catch {
        // No notes for this audience: the post fails with its fix when it is attempted.
        hashes = [''];
      }
      return planSlack({
        target,
        where: destination.label,
        hashes,
        objects: posted,
        revision: record.revision,
        corrections: destination.corrections,
      });
    },

    deliver: (row, { bundle }) => deliverSlack(ctx, row, bundle),

    reconcile: (row, { bundle }) => reconcileSlack(ctx, row, bundle),

    verify: () => port.verify([channel]),
    close: () => port.close?.() ?? Promise.resolve(),
  };
}

async function deliverSlack(ctx: SlackContext, row: DeliveryRow, bundle: ReleaseBundle): Promise<Delivered> {
  const { port, channel, destination, opOf, render, messagesOf, postedIn, messageAt, threadOf } = ctx;
  const { metadataOf, objectsOf, sent } = ctx;
  const { verb, reply } = opOf(row);
  let messages: SlackMessage[];
  try {
    messages = messagesOf(await render(bundle));
  } catch (error) {
    // Nothing has been sent: a local error (a channel template) is not an ambiguous outcome.
    if (error instanceof DeliveryFailure) throw error;
    throw deliveryFailures.notRendered(
      `the announcement for ${destination.label} could not be rendered: ${(error as Error).message}`,
      'Fix the channel template named in herald.slack.channels.',
    );
  }
  const part = reply === null ? slackParts.message : slackParts.reply(reply);
  const posted = await postedIn(bundle);
  const existing = posted.get(part);
  switch (verb) {
    case 'post': {
      const message = messageAt(messages, reply);
      const threadTs = reply === null ? null : threadOf(posted);
      const done = await port.post({ channel, message, threadTs, metadata: metadataOf(bundle, row) });
      return sent(bundle, part, done, hashOf(message));
    }
    case 'delete':
      if (existing && existing.contentHash !== DELETED)
        await port.remove({ channel, ts: existing.externalId });
      return {
        externalId: existing?.externalId ?? null,
        url: null,
        objects: existing ? objectsOf(bundle, [{ ...existing, key: part, contentHash: DELETED }]) : [],
      };
    case 'update': {
      if (!existing || existing.contentHash === DELETED)
        throw deliveryFailures.planMismatch(`there is no posted ${part} in ${destination.label} to edit`);
      const message = messageAt(messages, reply);
      await port.update({ channel, ts: existing.externalId, message });
      return sent(bundle, part, { ts: existing.externalId, permalink: existing.url }, hashOf(message));
    }
  }
}

async function reconcileSlack(
  ctx: SlackContext,
  row: DeliveryRow,
  bundle: ReleaseBundle,
): Promise<Delivered | null> {
  const { port, channel, opOf, render, messagesOf, postedIn, messageAt, threadOf, metadataOf, sent } = ctx;
  const { verb, reply } = opOf(row);
  // Edits and deletes are safe to do again; only a post must never be repeated blindly.
  if (verb !== 'post') return null;
  const posted = await postedIn(bundle);
  const found = await port.find({
    channel,
    threadTs: reply === null ? null : threadOf(posted),
    since: (row.attemptStartedAt ?? row.updatedAt) - CLOCK_SLACK_MS,
    metadata: metadataOf(bundle, row),
  });
  if (!found) return null;
  const message = messageAt(messagesOf(await render(bundle)), reply);
  return sent(bundle, reply === null ? slackParts.message : slackParts.reply(reply), found, hashOf(message));
}
