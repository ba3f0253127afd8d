import { DeliveryFailure } from './delivery-failure.js';

/**
 * The catalogue of delivery failures whose words are Herald's own (beside `errors`, the catalogue
 * of HeraldErrors). Channels and adapters throw these by name; an adapter still builds a
 * DeliveryFailure itself from what a target answered (status, body, Retry-After).
 */
const BUG = 'This is a bug in Herald: please report it with `herald status <version> --json`.';
const retry = (flags: string) => `Then run \`herald retry <version>${flags ? ` ${flags}` : ''}\`.`;

const permanent = (message: string, fix: string, cause?: unknown) =>
  new DeliveryFailure({ kind: 'permanent', message, fix, ...(cause === undefined ? {} : { cause }) });

export const deliveryFailures = {
  /** A ledger key no channel of this Herald knows: planned by a newer version, or a bug. */
  unknownDelivery: (channel: string, key: string) =>
    permanent(
      `unknown ${channel} delivery ${key}`,
      `A newer Herald planned it: run announce with that version. Otherwise: ${BUG.replace('This is', 'this is')}`,
    ),
  /** The bundle lacks the notes audience a channel is set to show. */
  noNotes: (audience: string, forWhat: string, setting: string, available: string[]) =>
    permanent(
      `the bundle has no "${audience}" notes for ${forWhat}`,
      `Set ${setting} to one of: ${available.join(', ')}.`,
    ),
  /** A delivery needs an object an earlier phase should have made (that phase failed). */
  earlierPhaseMissing: (what: string) =>
    permanent(
      what,
      'Run `herald status <version>` to see which earlier delivery failed, then `herald retry <version>`.',
    ),
  /** The plan and the bundle (or the posted messages) disagree. */
  planMismatch: (message: string) => permanent(message, BUG),
  imageMissing: (assetPath: string) =>
    permanent(
      `image ${assetPath} is missing from the store`,
      'Run `herald prepare --force` for this version to store its docs again.',
    ),
  sectionUnmapped: (name: string, releaseNotes: boolean) =>
    releaseNotes
      ? permanent(
          'no help-centre section is set for release notes',
          'Set herald.helpCenter.releaseNotesSectionId to the id of the release-notes section.',
        )
      : permanent(
          `docs section "${name}" has no help-centre section`,
          `Map it in herald.helpCenter.docsSections ("${name}": <section id>), or set createMissingSections and categoryId.`,
        ),
  /** A template that does not render: nothing was sent. */
  notRendered: (message: string, fix: string | undefined, cause?: unknown, retryFlags = '') =>
    permanent(message, `${fix ? `${fix} ` : ''}${retry(retryFlags)}`, cause),
  /** A setting the target needs for this delivery is not set (Zendesk: permission group, category). */
  settingMissing: (message: string, fix: string) => permanent(message, fix),
  /** An image Herald will not publish as it is (its own checks, not the target's). */
  imageRefused: (message: string, fix: string) => permanent(message, fix),
  /** What an outbox (the embedded default target) no longer holds. */
  outboxMissing: (message: string, fix: string) => permanent(message, fix),
  /** A tracker item that takes no comment (GitHub "locked"): the tracker's own reason. */
  trackerRefused: (message: string) =>
    permanent(
      message,
      'Unlock the item (or comment by hand and add a skip label), then run `herald retry <version>`.',
    ),
};
