import { createHash } from 'node:crypto';
import { ARCHIVED, objectKeys, pagesById, RELEASE_NOTES_SECTION } from '../../core/help-center-plan.js';
import { deliveryFailures } from '../../errors/delivery-failures.js';
import {
  type DocPage,
  type DocSet,
  objectScope,
  type ReleaseBundle,
  type TargetObject,
} from '../../model/index.js';
import type { Delivered, HelpCenterPort, StorePort } from '../../ports/index.js';

export interface HelpCenterSettings {
  /** Locale articles are created in. */
  locale: string;
  /** Which notes audience the release-notes article shows. */
  audience: string;
  /** Doc section id → help-centre section id. */
  sections: Record<string, string>;
  releaseNotesSection: string | null;
  /** Create sections the mapping lacks (in `categoryId` on Zendesk); the static site always does. */
  createMissingSections: boolean;
  categoryId: number | null;
  permissionGroupId: number | null;
  userSegmentId: number | null;
  notifySubscribers: boolean;
  /** Labels every release-notes article carries, besides the version. */
  labels: string[];
  /** The release-notes article's title. */
  title: (bundle: ReleaseBundle) => string;
  concurrency: number;
}

export type HelpCenterStore = Pick<StorePort, 'readTargetObjects' | 'readBlob'>;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
export const scopeOf = objectScope;
/** The deterministic label that finds an article again after an ambiguous create. */
export const heraldLabel = (bundle: ReleaseBundle, slot: string) =>
  `herald-${sha(`${scopeOf(bundle)}${slot}`).slice(0, 16)}`;
/** An image uploaded for one translation of an article (inline attachments belong to one). */
export const attachmentKey = (articleId: string, locale: string, hash: string) =>
  `attachment:${articleId}:${locale}:${hash}`;

export type HelpCenterContext = ReturnType<typeof helpCenterContext>;

/** What every help-centre delivery shares: the port, the settings, and the objects published so far. */
export function helpCenterContext(
  port: HelpCenterPort,
  store: HelpCenterStore,
  settings: HelpCenterSettings,
) {
  // Objects per product, re-read when a delivery needs one the cache has not seen (another run,
  // or an earlier phase of this one, may have created it).
  const cache = new Map<string, Map<string, TargetObject>>();
  const objectsOf = async (bundle: ReleaseBundle, fresh = false) => {
    const scope = scopeOf(bundle);
    let objects = cache.get(scope);
    if (!objects || fresh) {
      const stored = await store.readTargetObjects(port.site, scope);
      objects = new Map([...stored].map(([key, value]) => [key.slice(scope.length), value]));
      cache.set(scope, objects);
    }
    return objects;
  };
  const require = async (bundle: ReleaseBundle, key: string): Promise<TargetObject> => {
    const live = (o: TargetObject | undefined) => (o && o.contentHash !== ARCHIVED ? o : undefined);
    const found = live((await objectsOf(bundle)).get(key)) ?? live((await objectsOf(bundle, true)).get(key));
    if (!found)
      throw deliveryFailures.earlierPhaseMissing(
        `the help centre has no ${key} yet, though an earlier phase should have created it`,
      );
    return found;
  };
  /** Objects a delivery made, as the ledger stores them (keys scoped); this run's cache sees them at once. */
  const scoped = (bundle: ReleaseBundle, objects: TargetObject[]) => {
    const cached = cache.get(scopeOf(bundle));
    for (const o of objects) cached?.set(o.key, o);
    return objects.map((o) => ({ ...o, key: `${scopeOf(bundle)}${o.key}` }));
  };
  /** The objects, re-read once from the store when one of `keys` is not cached. */
  const objectsWith = async (bundle: ReleaseBundle, keys: string[]) => {
    const cached = await objectsOf(bundle);
    return keys.every((key) => cached.has(key)) ? cached : objectsOf(bundle, true);
  };
  // Pages by id, once per DocSet (every doc delivery looks one up).
  const pageIndex = new WeakMap<DocSet, ReturnType<typeof pagesById>>();
  const pagesOf = (bundle: ReleaseBundle) => {
    let index = pageIndex.get(bundle.docs);
    if (!index) {
      index = pagesById(bundle.docs, settings.locale);
      pageIndex.set(bundle.docs, index);
    }
    return index;
  };
  const pageOf = (bundle: ReleaseBundle, id: string, locale?: string): DocPage => {
    const entry = pagesOf(bundle).get(id);
    const page = locale === undefined ? entry?.source : entry?.pages.find((p) => p.locale === locale);
    if (!page)
      throw deliveryFailures.planMismatch(
        `doc page ${id}${locale ? ` (${locale})` : ''} is not in this bundle`,
      );
    return page;
  };

  const notes = notesHelpers(settings, scoped);

  /** The help-centre section id a docs section (or the release notes) goes in, from config or created. */
  const mappedSection = (docSection: string) =>
    docSection === RELEASE_NOTES_SECTION ? settings.releaseNotesSection : settings.sections[docSection];
  const sectionFor = async (bundle: ReleaseBundle, docSection: string): Promise<string> => {
    const mapped = mappedSection(docSection);
    if (mapped !== undefined && mapped !== null) return mapped;
    return (await require(bundle, objectKeys.section(docSection))).externalId;
  };

  return {
    port,
    store,
    settings,
    objectsOf,
    require,
    scoped,
    objectsWith,
    pagesOf,
    pageOf,
    ...notes,
    mappedSection,
    sectionFor,
  };
}

/** The release-notes article: its title and body, their hash, and what publishing it recorded. */
function notesHelpers(
  settings: HelpCenterSettings,
  scoped: (bundle: ReleaseBundle, objects: TargetObject[]) => TargetObject[],
) {
  const notesOf = (bundle: ReleaseBundle) => {
    const notes = bundle.notes[settings.audience];
    if (!notes)
      throw deliveryFailures.noNotes(
        settings.audience,
        'the help centre',
        'herald.helpCenter.audience',
        Object.keys(bundle.notes),
      );
    return { title: settings.title(bundle), body: notes.html };
  };
  const notesHash = (bundle: ReleaseBundle) => {
    const notes = bundle.notes[settings.audience];
    return notes ? sha(`${settings.title(bundle)}\u0000${notes.html}`) : 'none';
  };
  const notesDelivered = (bundle: ReleaseBundle, id: string, url: string): Delivered => ({
    externalId: id,
    url,
    objects: scoped(bundle, [
      { key: objectKeys.notes(bundle.version), externalId: id, url, contentHash: notesHash(bundle) },
    ]),
  });
  return { notesOf, notesHash, notesDelivered };
}
