import type { BundleStatus } from '../model/index.js';

/**
 * The bundle lifecycle, declared once: for each command, the statuses it accepts and the statuses
 * it may leave the bundle in. A status missing from a command's row is refused (the command says
 * why and what to do). The release-manager decisions (bundle-lifecycle.ts), the store's SQL gates
 * and ARCHITECTURE.md ("Lifecycle") all read this table.
 *
 *   draft ──schedule──► scheduled ──(announce time)──► announcing ──(all out)──► announced
 *     held ◄──hold── scheduled, announcing        cancelled ◄──cancel── anything not announced
 *
 * - `prepare` is a prepare with new content (a new revision); one with the same content and no
 *   schedule changes nothing. With a schedule it reschedules where `schedule` may. An announcing
 *   release takes the new revision as it is: what has not gone out is planned again from it.
 * - `prepare --force` / `edit --force` also correct an announced release (it is announced again).
 * - `announce` plans a due bundle whose newest revision is not planned yet: it becomes announcing,
 *   or announced at once when nothing is left to do; `complete` ends an announcing one.
 */
const PREPARE = {
  new: ['draft', 'scheduled'],
  draft: ['draft', 'scheduled'],
  scheduled: ['scheduled'],
  held: ['held', 'scheduled'],
  cancelled: ['cancelled', 'scheduled'],
  announcing: ['announcing'],
} as const;

export const LIFECYCLE = {
  prepare: PREPARE,
  'prepare --force': { ...PREPARE, announced: ['announced'] },
  schedule: {
    draft: ['scheduled'],
    scheduled: ['scheduled'],
    held: ['scheduled'],
    cancelled: ['scheduled'],
  },
  hold: {
    draft: ['draft'],
    scheduled: ['held'],
    held: ['held'],
    announcing: ['held'],
  },
  cancel: {
    draft: ['cancelled'],
    scheduled: ['cancelled'],
    held: ['cancelled'],
    cancelled: ['cancelled'],
    announcing: ['cancelled'],
  },
  edit: {
    draft: ['draft'],
    scheduled: ['scheduled'],
    held: ['held'],
    cancelled: ['cancelled'],
  },
  'edit --force': {
    draft: ['draft'],
    scheduled: ['scheduled'],
    held: ['held'],
    cancelled: ['cancelled'],
    announced: ['announced'],
  },
  announce: {
    scheduled: ['announcing', 'announced'],
    announcing: ['announcing', 'announced'],
    announced: ['announcing', 'announced'],
  },
  complete: {
    announcing: ['announced'],
  },
} as const satisfies Record<string, Partial<Record<BundleStatus | 'new', readonly BundleStatus[]>>>;

export type LifecycleCommand = keyof typeof LIFECYCLE;

/** Whether `command` accepts a bundle in `status` (null: no bundle yet). */
export function allows(command: LifecycleCommand, status: BundleStatus | null): boolean {
  return Object.hasOwn(LIFECYCLE[command], status ?? 'new');
}

/** The statuses `command` accepts (for SQL gates: `status IN (…)`). */
export function statusesFor(command: LifecycleCommand): BundleStatus[] {
  return Object.keys(LIFECYCLE[command]).filter((s): s is BundleStatus => s !== 'new');
}

/** Statuses an announce run plans: due, with a revision not yet planned. */
export const ANNOUNCEABLE: readonly BundleStatus[] = statusesFor('announce');
/** The one status whose deliveries run: claims, fences and completion gate on it. */
export const DELIVERING = 'announcing' satisfies BundleStatus;
/** Prepared and not (yet) on its way out: nothing of it has been published. */
export const EMBARGOED: readonly BundleStatus[] = ['draft', 'scheduled', 'held'];
