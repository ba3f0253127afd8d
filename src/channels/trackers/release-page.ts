import { deliveryFailures } from '../../errors/delivery-failures.js';
import type { ReleaseBundle } from '../../model/index.js';
import type { ReleaseDraft } from '../../ports/index.js';

export interface ReleasePageSettings {
  /** Whose notes the page shows (the customer's by default). */
  audience: string;
  /** A page that exists already (semantic-release, by hand) gets Herald's body only when true. */
  updateExisting: boolean;
  /** GitHub: mark it the repository's latest release. */
  latest: boolean;
}

/** The release page as it will be made: the audience's notes, then the link to the article. */
export function releaseDraftOf(
  bundle: ReleaseBundle,
  settings: ReleasePageSettings,
  url: string | null,
): ReleaseDraft {
  const notes = bundle.notes[settings.audience];
  if (!notes)
    throw deliveryFailures.noNotes(
      settings.audience,
      'the release page',
      'herald.trackers.release.audience',
      Object.keys(bundle.notes),
    );
  const product = bundle.package ? `${bundle.product} ${bundle.package}` : bundle.product;
  const link = url ? `\n\nRead the release notes: ${url}\n` : '';
  return {
    tag: bundle.tag,
    name: `${product} ${bundle.version}`,
    body: `${notes.markdown.trimEnd()}${link}`,
    latest: settings.latest,
  };
}
