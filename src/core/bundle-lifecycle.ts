/**
 * What each release-manager command does to a stored bundle, decided from the current row and
 * the store's clock. Pure: the store runs these inside its write transaction, so a decision and
 * its write can never be split by another process.
 */
import { errors } from '../errors/index.js';
import type {
  BundleMutation,
  BundleOverlay,
  BundleRecord,
  BundleStatus,
  ReleaseBundle,
} from '../model/index.js';
import { formatInstant } from './announce-time.js';
import { allows, EMBARGOED, LIFECYCLE } from './lifecycle-table.js';

export interface Schedule {
  /** Epoch ms, or 'now': due at the store's current time. */
  at: number | 'now';
  zone: string;
}

export type PrepareOutcome = 'created' | 'unchanged' | 'revised' | 'corrected';

export interface PrepareDecisionInput {
  bundle: ReleaseBundle;
  contentHash: string;
  schedule: Schedule | null;
  force: boolean;
}

/** Prepared and not (yet) on its way out: nothing of it has been published. */
export function isEmbargoed(status: BundleStatus): boolean {
  return EMBARGOED.includes(status);
}

/** The command leaves a bundle in this status as it is (hold on a draft, cancel on a cancelled one). */
const leavesAsIs = (command: 'hold' | 'cancel', status: BundleStatus) => {
  const to: readonly BundleStatus[] | undefined = (
    LIFECYCLE[command] as Partial<Record<BundleStatus, readonly BundleStatus[]>>
  )[status];
  return to?.length === 1 && to[0] === status;
};

/** Resolves a schedule against the store's clock; the past is refused unless it is `now`. */
function resolveAt(schedule: Schedule, now: number): number {
  if (schedule.at === 'now') return now;
  if (schedule.at <= now) {
    throw errors.announceTime(
      'EPAST',
      `${formatInstant(schedule.at, schedule.zone)} is in the past (the store's clock says ${formatInstant(now, schedule.zone)})`,
      'Pick a later time, or pass --now to announce at the next announce run.',
    );
  }
  return schedule.at;
}

export function decidePrepare(
  current: BundleRecord | null,
  now: number,
  input: PrepareDecisionInput,
): BundleMutation<{ outcome: PrepareOutcome }> {
  const revision = { kind: 'prepare' as const, contentHash: input.contentHash, bundle: input.bundle };
  if (current === null) {
    const at = input.schedule ? resolveAt(input.schedule, now) : null;
    return {
      write: true,
      result: { outcome: 'created' },
      status: at === null ? 'draft' : 'scheduled',
      announceAt: at,
      timeZone: input.schedule?.zone ?? null,
      revision,
      audit: {
        action: 'prepare',
        details: { contentRevision: 1, contentHash: input.contentHash, announceAt: at },
      },
    };
  }
  const changed = current.contentHash !== input.contentHash;
  const reschedule =
    input.schedule !== null &&
    allows('schedule', current.status) &&
    (input.schedule.at === 'now' ||
      input.schedule.at !== current.announceAt ||
      input.schedule.zone !== current.timeZone ||
      current.status !== 'scheduled');
  if (!changed && !reschedule) return { write: false, result: { outcome: 'unchanged' } };
  // An announcing release takes a new revision as it is: what has not gone out is planned again
  // from it (the fence holds every delivery to the revision it was planned for), and what has
  // gone out is corrected, as after an announce.
  if (changed && !allows(input.force ? 'prepare --force' : 'prepare', current.status))
    throw errors.alreadyAnnounced(current.key.version, current.status);
  const at = reschedule ? resolveAt(input.schedule!, now) : current.announceAt;
  const correction = changed && current.status === 'announced';
  return {
    write: true,
    result: { outcome: correction ? 'corrected' : changed ? 'revised' : 'unchanged' },
    status: reschedule ? 'scheduled' : current.status,
    announceAt: at,
    timeZone: reschedule ? input.schedule!.zone : current.timeZone,
    ...(changed ? { revision: { ...revision, kind: correction ? 'correction' : 'prepare' } } : {}),
    audit: {
      action: correction ? 'correct' : changed ? 'revise' : 'schedule',
      details: {
        ...(changed ? { contentRevision: current.contentRevision + 1, contentHash: input.contentHash } : {}),
        ...(reschedule ? { from: current.announceAt, announceAt: at, timeZone: input.schedule!.zone } : {}),
      },
    },
  };
}

export function decideSchedule(
  current: BundleRecord | null,
  now: number,
  schedule: Schedule,
  version: string,
): BundleMutation<{ changed: boolean; announceAt: number }> {
  if (current === null) throw errors.unknownBundle(version, []);
  if (!allows('schedule', current.status))
    throw errors.badTransition(
      version,
      current.status,
      'schedule',
      'It has gone out already; `herald show` tells where.',
    );
  const at = resolveAt(schedule, now);
  if (current.status === 'scheduled' && current.announceAt === at && current.timeZone === schedule.zone)
    return { write: false, result: { changed: false, announceAt: at } };
  return {
    write: true,
    result: { changed: true, announceAt: at },
    status: 'scheduled',
    announceAt: at,
    timeZone: schedule.zone,
    audit: {
      action: 'schedule',
      details: { from: current.announceAt, announceAt: at, timeZone: schedule.zone, was: current.status },
    },
  };
}

/**
 * Hold stops what has not gone out: a scheduled release keeps its content and loses its date, and
 * an announcing one stops at once (every delivery is fenced against the bundle's status and
 * revision right before its call) while what went out stays out and recorded.
 */
export function decideHold(
  current: BundleRecord | null,
  version: string,
): BundleMutation<{ changed: boolean; was: BundleStatus | null }> {
  if (current === null) throw errors.unknownBundle(version, []);
  if (!allows('hold', current.status))
    throw errors.badTransition(
      version,
      current.status,
      'hold',
      current.status === 'cancelled'
        ? 'It is cancelled already; `herald schedule` brings it back.'
        : 'Every delivery has gone out; `herald status` tells where. Publish a correction with `herald prepare --force`.',
    );
  if (leavesAsIs('hold', current.status))
    return { write: false, result: { changed: false, was: current.status } };
  return {
    write: true,
    result: { changed: true, was: current.status },
    status: 'held',
    announceAt: null,
    timeZone: current.timeZone,
    audit: { action: 'hold', details: { from: current.announceAt, was: current.status } },
  };
}

export function decideCancel(
  current: BundleRecord | null,
  version: string,
): BundleMutation<{ changed: boolean; was: BundleStatus | null }> {
  if (current === null) throw errors.unknownBundle(version, []);
  if (!allows('cancel', current.status))
    throw errors.badTransition(
      version,
      current.status,
      'cancel',
      'It has gone out already; publish a correction with `herald prepare --force`.',
    );
  if (leavesAsIs('cancel', current.status))
    return { write: false, result: { changed: false, was: current.status } };
  return {
    write: true,
    result: { changed: true, was: current.status },
    status: 'cancelled',
    announceAt: null,
    timeZone: current.timeZone,
    audit: { action: 'cancel', details: { from: current.announceAt, was: current.status } },
  };
}

export interface EditDecisionInput {
  /** The content revision the edit started from: a newer one means someone else changed it. */
  baseRevision: number;
  bundle: ReleaseBundle;
  contentHash: string;
  overlay: BundleOverlay;
  force: boolean;
}

export function decideEdit(
  current: BundleRecord | null,
  input: EditDecisionInput,
): BundleMutation<{ changed: boolean }> {
  if (current === null) throw errors.unknownBundle(input.bundle.version, []);
  const version = current.key.version;
  if (current.contentRevision !== input.baseRevision) throw errors.editConflict(version);
  if (!allows(input.force ? 'edit --force' : 'edit', current.status))
    throw errors.alreadyAnnounced(version, current.status);
  const sameOverlay = JSON.stringify(current.overlay) === JSON.stringify(input.overlay);
  if (sameOverlay && current.contentHash === input.contentHash)
    return { write: false, result: { changed: false } };
  const correction = current.status === 'announced';
  return {
    write: true,
    result: { changed: true },
    status: current.status,
    announceAt: current.announceAt,
    timeZone: current.timeZone,
    overlay: input.overlay,
    ...(current.contentHash !== input.contentHash
      ? {
          revision: {
            kind: correction ? ('correction' as const) : ('edit' as const),
            contentHash: input.contentHash,
            bundle: input.bundle,
          },
        }
      : {}),
    audit: {
      action: 'edit',
      details:
        current.contentHash !== input.contentHash ? { contentRevision: current.contentRevision + 1 } : {},
    },
  };
}
