import { createHash } from 'node:crypto';
import { resolveDocReferences } from '../core/docs/link-docset.js';
import {
  ARCHIVED,
  HELP_CENTER_TARGET,
  objectKeys,
  pagesById,
  planHelpCenter,
  RELEASE_NOTES_SECTION,
} from '../core/help-center-plan.js';
import { publishableAttachment } from '../core/svg.js';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import {
  type DeliveryRow,
  type DocPage,
  type DocSet,
  objectScope,
  type ReleaseBundle,
  type TargetObject,
  withoutRevision,
} from '../model/index.js';
import type { Channel, Delivered, HelpCenterPort, StorePort } from '../ports/index.js';

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

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const scopeOf = objectScope;
/** The deterministic label that finds an article again after an ambiguous create. */
const heraldLabel = (bundle: ReleaseBundle, slot: string) =>
  `herald-${sha(`${scopeOf(bundle)}${slot}`).slice(0, 16)}`;
/** An image uploaded for one translation of an article (inline attachments belong to one). */
const attachmentKey = (articleId: string, locale: string, hash: string) =>
  `attachment:${articleId}:${locale}:${hash}`;

/**
 * The help-centre channel: release notes as one article per bundle, and the product docs kept in
 * sync (create, update, archive; nothing for unchanged pages), on any `HelpCenterPort`.
 */
export function createHelpCenterChannel(
  port: HelpCenterPort,
  store: Pick<StorePort, 'readTargetObjects' | 'readBlob'>,
  settings: HelpCenterSettings,
): Channel {
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
      throw new DeliveryFailure({
        kind: 'permanent',
        message: `the help centre has no ${key} yet, though an earlier phase should have created it`,
        fix: 'Run `herald status <version>` to see which earlier delivery failed, then `herald retry <version>`.',
      });
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

  const notesOf = (bundle: ReleaseBundle) => {
    const notes = bundle.notes[settings.audience];
    if (!notes)
      throw new DeliveryFailure({
        kind: 'permanent',
        message: `the bundle has no "${settings.audience}" notes for the help centre`,
        fix: `Set herald.helpCenter.audience to one of: ${Object.keys(bundle.notes).join(', ')}.`,
      });
    return { title: settings.title(bundle), body: notes.html };
  };
  const notesHash = (bundle: ReleaseBundle) => {
    const notes = bundle.notes[settings.audience];
    return notes ? sha(`${settings.title(bundle)}\u0000${notes.html}`) : 'none';
  };

  const sectionFor = async (bundle: ReleaseBundle, docSection: string): Promise<string> => {
    const mapped =
      docSection === RELEASE_NOTES_SECTION ? settings.releaseNotesSection : settings.sections[docSection];
    if (mapped !== undefined && mapped !== null) return mapped;
    return (await require(bundle, objectKeys.section(docSection))).externalId;
  };

  /** The page's body with links pointing at articles and images at uploaded attachments. */
  const bodyOf = async (
    bundle: ReleaseBundle,
    page: DocPage,
    articleId: string | null,
    uploads: TargetObject[],
  ) => {
    const assetsOf = new Map(bundle.docs.assets.map((a) => [a.path, a]));
    const objects = await objectsWith(bundle, [
      // A link goes to the target's translation in this locale when the docs have one.
      ...page.links.map((link) =>
        pagesOf(bundle)
          .get(link.page)
          ?.pages.some((p) => p.locale === page.locale)
          ? objectKeys.content(link.page, page.locale)
          : objectKeys.article(link.page),
      ),
      ...(articleId === null
        ? []
        : page.assets.map((p) => attachmentKey(articleId, page.locale, assetsOf.get(p)?.hash ?? ''))),
    ]);
    const urls = new Map<string, string>();
    for (const link of page.links) {
      const url =
        objects.get(objectKeys.content(link.page, page.locale))?.url ??
        objects.get(objectKeys.article(link.page))?.url;
      if (url) urls.set(link.page, url);
    }
    const assets = new Map<string, string>();
    if (articleId !== null) {
      for (const assetPath of page.assets) {
        const asset = assetsOf.get(assetPath);
        if (!asset) continue;
        const key = attachmentKey(articleId, page.locale, asset.hash);
        const cached = objects.get(key);
        const known = cached && cached.contentHash !== ARCHIVED ? cached.url : null;
        if (known) {
          assets.set(assetPath, known);
          continue;
        }
        const blob = await store.readBlob(asset.hash);
        if (!blob)
          throw new DeliveryFailure({
            kind: 'permanent',
            message: `image ${assetPath} is missing from the store`,
            fix: 'Run `herald prepare --force` for this version to store its docs again.',
          });
        const uploaded = await port.uploadAttachment(
          articleId,
          publishableAttachment({
            locale: page.locale,
            fileName: assetPath.split('/').pop() ?? assetPath,
            contentType: asset.contentType,
            bytes: blob.bytes,
          }),
        );
        uploads.push({ key, externalId: uploaded.url, url: uploaded.url, contentHash: asset.hash });
        assets.set(assetPath, uploaded.url);
      }
      // Zendesk deletes an inline attachment once its translation stops embedding it: those this
      // body drops are never reused.
      const embedded = new Set(
        page.assets.map((p) => attachmentKey(articleId, page.locale, assetsOf.get(p)?.hash ?? '')),
      );
      const prefix = attachmentKey(articleId, page.locale, '');
      // (Map keys are unscoped; a stored object's own `key` still carries the scope.)
      for (const [objectKey, o] of objects)
        if (objectKey.startsWith(prefix) && !embedded.has(objectKey) && o.contentHash !== ARCHIVED)
          uploads.push({ ...o, key: objectKey, contentHash: ARCHIVED });
    }
    return resolveDocReferences(page.html, {
      page: (id, anchor) => {
        const url = urls.get(id) ?? '#';
        return anchor === null || url === '#' ? url : `${url}#${anchor}`;
      },
      asset: (assetPath) => assets.get(assetPath) ?? '#',
    });
  };

  const pageOf = (bundle: ReleaseBundle, id: string, locale?: string): DocPage => {
    const entry = pagesOf(bundle).get(id);
    const page = locale === undefined ? entry?.source : entry?.pages.find((p) => p.locale === locale);
    if (!page)
      throw new DeliveryFailure({
        kind: 'permanent',
        message: `doc page ${id}${locale ? ` (${locale})` : ''} is not in this bundle`,
        fix: 'This is a bug in Herald: please report it with `herald status <version> --json`.',
      });
    return page;
  };

  const createDocArticle = async (bundle: ReleaseBundle, id: string, draft: boolean): Promise<Delivered> => {
    const page = pageOf(bundle, id);
    const uploads: TargetObject[] = [];
    const article = await port.createArticle({
      sectionId: await sectionFor(bundle, page.section),
      locale: page.locale,
      title: page.title,
      body: draft ? '' : await bodyOf(bundle, page, null, uploads),
      labels: [...page.labels, heraldLabel(bundle, objectKeys.article(id))],
      draft,
      notifySubscribers: false,
      permissionGroupId: settings.permissionGroupId,
      userSegmentId: settings.userSegmentId,
      position: page.position,
      publishedAt: Date.now(),
    });
    return docArticleDelivered(page, article.id, article.url, draft);
  };
  const docArticleDelivered = (page: DocPage, articleId: string, url: string, draft: boolean): Delivered => ({
    externalId: articleId,
    url,
    objects: [
      { key: objectKeys.article(page.id), externalId: articleId, url, contentHash: null },
      ...(draft
        ? []
        : [
            {
              key: objectKeys.content(page.id, page.locale),
              externalId: articleId,
              url,
              contentHash: page.hash,
            },
          ]),
    ],
  });

  const parse = (row: DeliveryRow) => {
    const [kind = '', what = '', ...rest] = withoutRevision(row.key).split(':');
    return { kind, what, rest };
  };

  return {
    target: HELP_CENTER_TARGET,
    description: port.description,
    site: port.site,
    concurrency: settings.concurrency,

    async plan({ record, bundle, syncDocs }) {
      return planHelpCenter(
        {
          docs: bundle.docs,
          notesHash: notesHash(bundle),
          objects: await objectsOf(bundle, true),
          locale: settings.locale,
          sections: settings.sections,
          releaseNotesSection: settings.releaseNotesSection,
          syncDocs,
          revision: record.revision,
        },
        bundle.version,
      );
    },

    async deliver(row, { bundle }) {
      const { kind, what, rest } = parse(row);
      if (kind === 'section') {
        const name = row.key.slice('section:'.length);
        // Mapped in the config since this row was planned (the fix for its failure): nothing to create.
        const mapped =
          name === RELEASE_NOTES_SECTION ? settings.releaseNotesSection : settings.sections[name];
        if (mapped !== undefined && mapped !== null) return { externalId: mapped, url: null, objects: [] };
        if (port.kind !== 'static' && !settings.createMissingSections)
          throw new DeliveryFailure({
            kind: 'permanent',
            message:
              name === RELEASE_NOTES_SECTION
                ? 'no help-centre section is set for release notes'
                : `docs section "${name}" has no help-centre section`,
            fix:
              name === RELEASE_NOTES_SECTION
                ? 'Set herald.helpCenter.releaseNotesSectionId to the id of the release-notes section.'
                : `Map it in herald.helpCenter.docsSections ("${name}": <section id>), or set createMissingSections and categoryId.`,
          });
        const doc = bundle.docs.sections.find((s) => s.id === name);
        const created = await port.createSection({
          name: name === RELEASE_NOTES_SECTION ? 'Release notes' : (doc?.title ?? name),
          locale: settings.locale,
          categoryId: settings.categoryId,
          position: doc?.position ?? null,
        });
        return {
          externalId: created.id,
          url: null,
          objects: scoped(bundle, [
            { key: objectKeys.section(name), externalId: created.id, url: null, contentHash: null },
          ]),
        };
      }
      if ((kind === 'article' || kind === 'draft') && what === 'doc') {
        const delivered = await createDocArticle(bundle, rest.join(':'), kind === 'draft');
        return { ...delivered, objects: scoped(bundle, delivered.objects ?? []) };
      }
      if (kind === 'content' && what === 'doc') {
        // content:doc:<page>:<locale>:<hash>: the hash only makes the key unique per content.
        const locale = rest.slice(-2)[0]!;
        const id = rest.slice(0, -2).join(':');
        const page = pageOf(bundle, id, locale);
        const article = await require(bundle, objectKeys.article(id));
        const uploads: TargetObject[] = [];
        const body = await bodyOf(bundle, page, article.externalId, uploads);
        const put = await port.putTranslation(article.externalId, locale, {
          title: page.title,
          body,
          draft: false,
        });
        return {
          externalId: article.externalId,
          url: put.url,
          objects: scoped(bundle, [
            ...uploads,
            {
              key: objectKeys.content(id, locale),
              externalId: article.externalId,
              url: put.url,
              contentHash: page.hash,
            },
          ]),
        };
      }
      if (kind === 'archive' && what === 'doc') {
        const id = rest.join(':');
        const objects = await objectsOf(bundle, true);
        const article = objects.get(objectKeys.article(id));
        if (article) await port.archiveArticle(article.externalId);
        const gone = [...objects.values()].filter(
          (o) => o.key === objectKeys.article(id) || o.key.startsWith(`${objectKeys.content(id, '')}`),
        );
        return {
          externalId: article?.externalId ?? null,
          url: null,
          objects: scoped(
            bundle,
            gone.map((o) => ({ ...o, contentHash: ARCHIVED })),
          ),
        };
      }
      if (kind === 'article' && what === 'notes') {
        const { title, body } = notesOf(bundle);
        const article = await port.createArticle({
          sectionId: await sectionFor(bundle, RELEASE_NOTES_SECTION),
          locale: settings.locale,
          title,
          body,
          labels: [...settings.labels, bundle.version, heraldLabel(bundle, objectKeys.notes(bundle.version))],
          draft: false,
          notifySubscribers: settings.notifySubscribers,
          permissionGroupId: settings.permissionGroupId,
          userSegmentId: settings.userSegmentId,
          position: null,
          publishedAt: Date.now(),
        });
        return notesDelivered(bundle, article.id, article.url);
      }
      if (kind === 'content' && what === 'notes') {
        const { title, body } = notesOf(bundle);
        const article = await require(bundle, objectKeys.notes(bundle.version));
        const put = await port.putTranslation(article.externalId, settings.locale, {
          title,
          body,
          draft: false,
        });
        return notesDelivered(bundle, article.externalId, put.url);
      }
      throw new DeliveryFailure({
        kind: 'permanent',
        message: `unknown help-centre delivery ${row.key}`,
        fix: 'A newer Herald planned it: run announce with that version.',
      });
    },

    async reconcile(row, { bundle }) {
      const { kind, what, rest } = parse(row);
      if (kind === 'section') {
        const name = row.key.slice('section:'.length);
        const title =
          name === RELEASE_NOTES_SECTION
            ? 'Release notes'
            : (bundle.docs.sections.find((s) => s.id === name)?.title ?? name);
        const found = (await port.listSections()).find((s) => s.name === title);
        return found
          ? {
              externalId: found.id,
              url: null,
              objects: scoped(bundle, [
                { key: objectKeys.section(name), externalId: found.id, url: null, contentHash: null },
              ]),
            }
          : null;
      }
      if ((kind === 'article' || kind === 'draft') && what === 'doc') {
        const id = rest.join(':');
        const page = pageOf(bundle, id);
        const [found] = await port.findArticlesByLabel(heraldLabel(bundle, objectKeys.article(id)), {
          sectionId: await sectionFor(bundle, page.section),
          title: page.title,
          since: row.attemptStartedAt,
        });
        if (!found) return null;
        const delivered = docArticleDelivered(pageOf(bundle, id), found.id, found.url, kind === 'draft');
        return { ...delivered, objects: scoped(bundle, delivered.objects ?? []) };
      }
      if (kind === 'article' && what === 'notes') {
        const [found] = await port.findArticlesByLabel(
          heraldLabel(bundle, objectKeys.notes(bundle.version)),
          {
            sectionId: await sectionFor(bundle, RELEASE_NOTES_SECTION),
            title: notesOf(bundle).title,
            since: row.attemptStartedAt,
          },
        );
        return found ? notesDelivered(bundle, found.id, found.url) : null;
      }
      // Translations, archives and notes corrections are updates by id: doing them again is safe.
      return null;
    },

    verify: () =>
      port.verify({
        locales: [settings.locale],
        sectionIds: [
          ...Object.values(settings.sections),
          ...(settings.releaseNotesSection === null ? [] : [settings.releaseNotesSection]),
        ],
        permissionGroupId: settings.permissionGroupId,
        userSegmentId: settings.userSegmentId,
        categoryId: settings.categoryId,
      }),

    close: () => port.close?.() ?? Promise.resolve(),
  };

  function notesDelivered(bundle: ReleaseBundle, id: string, url: string): Delivered {
    return {
      externalId: id,
      url,
      objects: scoped(bundle, [
        { key: objectKeys.notes(bundle.version), externalId: id, url, contentHash: notesHash(bundle) },
      ]),
    };
  }
}
