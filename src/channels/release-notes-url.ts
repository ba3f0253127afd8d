import { objectKeys } from '../core/help-center-plan.js';
import { objectScope, type ReleaseBundle } from '../model/index.js';
import type { StorePort } from '../ports/index.js';

/**
 * The URL of a release's notes article on the help centre, for channels that link to it (Slack,
 * email): read from the help centre's target objects, remembered once known (until then it is
 * read again: the help centre may publish it later in the same run).
 */
export function releaseNotesUrls(
  store: Pick<StorePort, 'readTargetObjects'>,
  helpCenterSite: string | null,
): (bundle: ReleaseBundle) => Promise<string | null> {
  const urls = new WeakMap<ReleaseBundle, string>();
  return async (bundle) => {
    if (helpCenterSite === null) return null;
    const known = urls.get(bundle);
    if (known) return known;
    const key = `${objectScope(bundle)}${objectKeys.notes(bundle.version)}`;
    const url = (await store.readTargetObjects(helpCenterSite, key)).get(key)?.url ?? null;
    if (url) urls.set(bundle, url);
    return url;
  };
}
