import { createHash } from 'node:crypto';
import { type TrackerItem, type TrackerOp, trackerKeys } from '../../core/delivery-ops/index.js';
import { selectTrackerItems, type TrackerSelection } from '../../core/tracker-items.js';
import { DeliveryFailure } from '../../errors/delivery-failure.js';
import { deliveryFailures } from '../../errors/delivery-failures.js';
import {
  CHANNEL_PHASE,
  type DeliveryRow,
  objectScope,
  type PlannedDelivery,
  type ReleaseBundle,
} from '../../model/index.js';
import type { Channel, Delivered, StorePort, TrackerPort } from '../../ports/index.js';
import { releaseNotesUrls } from '../release-notes-url.js';
import { type ReleasePageSettings, releaseDraftOf } from './release-page.js';

export interface TrackerSettings {
  selection: TrackerSelection;
  /** The comment's text (from the configured Handlebars template); `url` is the notes article's, or ''. */
  comment: (bundle: ReleaseBundle, url: string) => string;
  /** Labels to add to each item (`released`, `released:2.4.0`); none: no label rows. */
  labels: (bundle: ReleaseBundle) => string[];
  /** Items carrying any of these labels get no comment, label or transition. */
  skipLabels: readonly string[];
  /** Jira: the workflow transition (by name) each issue goes through; null: none. */
  transition: string | null;
  /** Code hosts: the tag's release page; null: none. */
  release: ReleasePageSettings | null;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * One tracker (GitHub, GitLab, Jira) as an announce target: a comment on every item the notes
 * reference, its labels and transition, and the code host's release page, each its own ledger row.
 * Rows run from `CHANNEL_PHASE`, after the release-notes article, so comments link to it. Every
 * comment carries a marker naming its delivery: an attempt whose answer was lost (or a retry after
 * any failed attempt) looks for it before anything is posted again.
 */
export function createTrackerChannel(
  port: TrackerPort,
  store: Pick<StorePort, 'readTargetObjects'>,
  settings: TrackerSettings,
  /** The help-centre site whose release-notes article the comments link to (null: none). */
  helpCenterSite: string | null,
): Channel {
  const target = `tracker:${port.tracker}`;
  const notesUrl = releaseNotesUrls(store, helpCenterSite);
  const markerOf = (bundle: ReleaseBundle, row: DeliveryRow) =>
    `herald:${sha(`${objectScope(bundle)}${bundle.version}|${port.site}|${row.key}`).slice(0, 32)}`;
  const opOf = (row: DeliveryRow): TrackerOp => {
    const op = trackerKeys.parse(row.key);
    if (!op) throw deliveryFailures.unknownDelivery(port.description, row.key);
    return op;
  };
  const itemName = (item: TrackerItem) => itemNameOf(port, item);
  const commentText = async (bundle: ReleaseBundle) => {
    const url = (await notesUrl(bundle)) ?? '';
    try {
      return settings.comment(bundle, url);
    } catch (error) {
      if (error instanceof DeliveryFailure) throw error;
      throw deliveryFailures.notRendered(
        `the ${port.tracker} comment could not be rendered: ${(error as Error).message}`,
        `Fix herald.trackers.${port.tracker}.comment.`,
      );
    }
  };
  /** Null when the item may be written to; else why it is skipped. Throws when it cannot be. */
  const skipReason = async (item: TrackerItem): Promise<string | null> => {
    const state = await port.readItem(item);
    const label = state.labels.find((l) => settings.skipLabels.includes(l));
    if (label !== undefined) return `${itemName(item)} has the label "${label}", which herald.trackers skips`;
    if (state.locked !== null)
      throw deliveryFailures.trackerRefused(`${port.description} ${itemName(item)}: ${state.locked}`);
    return null;
  };

  return {
    target,
    description: port.description,
    site: port.site,
    // Content creation is limited per account (GitHub: about 80 a minute): one at a time.
    concurrency: 1,

    plan: async ({ bundle }) => planTrackerRows(target, port, settings, bundle),

    async deliver(row, { bundle }) {
      const op = opOf(row);
      if (op.kind === 'release')
        return deliverRelease(port, settings.release, bundle, await notesUrl(bundle));
      const skipped = await skipReason(op.item);
      if (skipped) return { externalId: null, url: null, skipped };
      switch (op.kind) {
        case 'comment': {
          const marker = markerOf(bundle, row);
          // Any earlier attempt may have posted (a 5xx after the write, a lost answer): look first.
          const found = row.attempts > 0 ? await port.findComment(op.item, marker) : null;
          const posted =
            found ?? (await port.postComment(op.item, { text: await commentText(bundle), marker }));
          return { externalId: posted.id, url: posted.url };
        }
        case 'label':
          await port.addLabels(op.item, settings.labels(bundle));
          return { externalId: null, url: null };
        case 'transition':
          return deliverTransition(port, settings.transition, op.item);
      }
    },

    async reconcile(row, { bundle }): Promise<Delivered | null> {
      const op = opOf(row);
      if (op.kind === 'release') {
        const found = (await port.findRelease?.(bundle.tag)) ?? null;
        // Found: it may be ours or made by hand; an update (when configured) is harmless to repeat.
        return found && !settings.release?.updateExisting ? { externalId: found.id, url: found.url } : null;
      }
      // Labels and transitions are safe to attempt again; only a comment must never be repeated blindly.
      if (op.kind !== 'comment') return null;
      const found = await port.findComment(op.item, markerOf(bundle, row));
      return found ? { externalId: found.id, url: found.url } : null;
    },

    verify: () => port.verify(),
  };
}

/** `#12` / `!12` on code hosts, the issue key on Jira. */
const itemNameOf = (port: TrackerPort, item: TrackerItem) =>
  port.tracker === 'jira'
    ? item.id
    : `${port.tracker === 'gitlab' && item.kind === 'pull' ? '!' : '#'}${item.id}`;

/** The ledger rows of one release: its release page, then per item a comment, labels, a transition. */
function planTrackerRows(
  target: string,
  port: TrackerPort,
  settings: TrackerSettings,
  bundle: ReleaseBundle,
): PlannedDelivery[] {
  const rows: PlannedDelivery[] = [];
  const row = (op: TrackerOp, summary: string) =>
    rows.push({ target, key: trackerKeys.format(op), phase: CHANNEL_PHASE, summary });
  if (settings.release)
    row({ kind: 'release', tag: bundle.tag }, `${port.description}: release page for ${bundle.tag}`);
  const labels = settings.labels(bundle);
  for (const item of selectTrackerItems(bundle, settings.selection)) {
    const name = `${port.description} ${itemNameOf(port, item)}`;
    row({ kind: 'comment', item }, `comment on ${name}`);
    if (labels.length > 0) row({ kind: 'label', item }, `label ${name}: ${labels.join(', ')}`);
    if (settings.transition)
      row({ kind: 'transition', item }, `move ${name} through "${settings.transition}"`);
  }
  return rows;
}

async function deliverTransition(
  port: TrackerPort,
  transition: string | null,
  item: TrackerItem,
): Promise<Delivered> {
  if (!port.transition || !transition)
    throw deliveryFailures.planMismatch(`${port.description} has no transitions`);
  // Not offered now: the issue is already past it (moved by hand, or by an attempt whose answer was lost).
  if (!(await port.transition(item, transition)))
    return {
      externalId: null,
      url: null,
      skipped: `${itemNameOf(port, item)} offers no "${transition}" transition in its current status`,
    };
  return { externalId: null, url: null };
}

async function deliverRelease(
  port: TrackerPort,
  settings: ReleasePageSettings | null,
  bundle: ReleaseBundle,
  url: string | null,
): Promise<Delivered> {
  if (!settings || !port.findRelease || !port.createRelease || !port.updateRelease)
    throw deliveryFailures.planMismatch(`${port.description} has no release pages`);
  const draft = releaseDraftOf(bundle, settings, url);
  const existing = await port.findRelease(bundle.tag);
  // Exactly Herald's body: made by an earlier attempt whose answer was an error (a 5xx after the write).
  if (existing && existing.body.trim() === draft.body.trim())
    return { externalId: existing.id, url: existing.url };
  if (existing && !settings.updateExisting)
    return {
      externalId: existing.id,
      url: existing.url,
      skipped: `${bundle.tag} already has a release page (updateExisting is off)`,
    };
  const release = existing ? await port.updateRelease(existing, draft) : await port.createRelease(draft);
  return { externalId: release.id, url: release.url };
}
