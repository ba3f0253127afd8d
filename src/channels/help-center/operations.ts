import type { HelpCenterOp } from '../../core/delivery-ops/index.js';
import { ARCHIVED, objectKeys, RELEASE_NOTES_SECTION } from '../../core/help-center-plan.js';
import { deliveryFailures } from '../../errors/delivery-failures.js';
import type { DeliveryRow, DocPage, ReleaseBundle, TargetObject } from '../../model/index.js';
import type { Delivered } from '../../ports/index.js';
import { bodyOf } from './body.js';
import { type HelpCenterContext, heraldLabel } from './context.js';

type Op<K extends HelpCenterOp['kind']> = Extract<HelpCenterOp, { kind: K }>;

/** Does one help-centre operation. */
export function deliverOp(
  ctx: HelpCenterContext,
  op: HelpCenterOp,
  bundle: ReleaseBundle,
): Promise<Delivered> {
  switch (op.kind) {
    case 'section':
      return createSection(ctx, bundle, op.section);
    case 'docArticle':
      return createDocArticle(ctx, bundle, op);
    case 'docContent':
      return putDocContent(ctx, bundle, op);
    case 'archiveDoc':
      return archiveDoc(ctx, bundle, op.page);
    case 'notesArticle':
      return publishNotes(ctx, bundle);
    case 'notesContent':
      return correctNotes(ctx, bundle);
  }
}

/**
 * What an earlier attempt of `op` left on the help centre (null: nothing found, do it again).
 * Translations, archives and notes corrections are updates by id: doing them again is safe.
 */
export async function reconcileOp(
  ctx: HelpCenterContext,
  op: HelpCenterOp,
  row: DeliveryRow,
  bundle: ReleaseBundle,
): Promise<Delivered | null> {
  switch (op.kind) {
    case 'section':
      return findSection(ctx, bundle, op.section);
    case 'docArticle':
      return findDocArticle(ctx, bundle, op, row.attemptStartedAt);
    case 'notesArticle':
      return findNotes(ctx, bundle, row.attemptStartedAt);
    default:
      return null;
  }
}

const sectionTitle = (bundle: ReleaseBundle, name: string) =>
  name === RELEASE_NOTES_SECTION
    ? 'Release notes'
    : (bundle.docs.sections.find((s) => s.id === name)?.title ?? name);

const sectionDelivered = (ctx: HelpCenterContext, bundle: ReleaseBundle, name: string, id: string) => ({
  externalId: id,
  url: null,
  objects: ctx.scoped(bundle, [
    { key: objectKeys.section(name), externalId: id, url: null, contentHash: null },
  ]),
});

async function createSection(
  ctx: HelpCenterContext,
  bundle: ReleaseBundle,
  name: string,
): Promise<Delivered> {
  // Mapped in the config since this row was planned (the fix for its failure): nothing to create.
  const mapped = ctx.mappedSection(name);
  if (mapped !== undefined && mapped !== null) return { externalId: mapped, url: null, objects: [] };
  if (ctx.port.kind !== 'static' && !ctx.settings.createMissingSections)
    throw deliveryFailures.sectionUnmapped(name, name === RELEASE_NOTES_SECTION);
  const doc = bundle.docs.sections.find((s) => s.id === name);
  const created = await ctx.port.createSection({
    name: sectionTitle(bundle, name),
    locale: ctx.settings.locale,
    categoryId: ctx.settings.categoryId,
    position: doc?.position ?? null,
  });
  return sectionDelivered(ctx, bundle, name, created.id);
}

async function findSection(ctx: HelpCenterContext, bundle: ReleaseBundle, name: string) {
  const title = sectionTitle(bundle, name);
  const found = (await ctx.port.listSections()).find((s) => s.name === title);
  return found ? sectionDelivered(ctx, bundle, name, found.id) : null;
}

const docArticleDelivered = (
  ctx: HelpCenterContext,
  bundle: ReleaseBundle,
  page: DocPage,
  article: { id: string; url: string },
  draft: boolean,
): Delivered => ({
  externalId: article.id,
  url: article.url,
  objects: ctx.scoped(bundle, [
    { key: objectKeys.article(page.id), externalId: article.id, url: article.url, contentHash: null },
    ...(draft
      ? []
      : [
          {
            key: objectKeys.content(page.id, page.locale),
            externalId: article.id,
            url: article.url,
            contentHash: page.hash,
          },
        ]),
  ]),
});

async function createDocArticle(ctx: HelpCenterContext, bundle: ReleaseBundle, op: Op<'docArticle'>) {
  const page = ctx.pageOf(bundle, op.page);
  const uploads: TargetObject[] = [];
  const article = await ctx.port.createArticle({
    sectionId: await ctx.sectionFor(bundle, page.section),
    locale: page.locale,
    title: page.title,
    body: op.draft ? '' : await bodyOf(ctx, bundle, page, null, uploads),
    labels: [...page.labels, heraldLabel(bundle, objectKeys.article(op.page))],
    draft: op.draft,
    notifySubscribers: false,
    permissionGroupId: ctx.settings.permissionGroupId,
    userSegmentId: ctx.settings.userSegmentId,
    position: page.position,
    publishedAt: Date.now(),
  });
  return docArticleDelivered(ctx, bundle, page, article, op.draft);
}

async function findDocArticle(
  ctx: HelpCenterContext,
  bundle: ReleaseBundle,
  op: Op<'docArticle'>,
  since: number | null,
) {
  const page = ctx.pageOf(bundle, op.page);
  const [found] = await ctx.port.findArticlesByLabel(heraldLabel(bundle, objectKeys.article(op.page)), {
    sectionId: await ctx.sectionFor(bundle, page.section),
    title: page.title,
    since,
  });
  return found ? docArticleDelivered(ctx, bundle, page, found, op.draft) : null;
}

async function putDocContent(ctx: HelpCenterContext, bundle: ReleaseBundle, op: Op<'docContent'>) {
  // The key's hash only makes it unique per content: the page in the bundle is what is put.
  const { page: id, locale } = op;
  const page = ctx.pageOf(bundle, id, locale);
  const article = await ctx.require(bundle, objectKeys.article(id));
  const uploads: TargetObject[] = [];
  const body = await bodyOf(ctx, bundle, page, article.externalId, uploads);
  const put = await ctx.port.putTranslation(article.externalId, locale, {
    title: page.title,
    body,
    draft: false,
  });
  return {
    externalId: article.externalId,
    url: put.url,
    objects: ctx.scoped(bundle, [
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

async function archiveDoc(ctx: HelpCenterContext, bundle: ReleaseBundle, id: string): Promise<Delivered> {
  const objects = await ctx.objectsOf(bundle, true);
  const article = objects.get(objectKeys.article(id));
  if (article) await ctx.port.archiveArticle(article.externalId);
  const gone = [...objects.values()].filter(
    (o) => o.key === objectKeys.article(id) || o.key.startsWith(`${objectKeys.content(id, '')}`),
  );
  return {
    externalId: article?.externalId ?? null,
    url: null,
    objects: ctx.scoped(
      bundle,
      gone.map((o) => ({ ...o, contentHash: ARCHIVED })),
    ),
  };
}

async function publishNotes(ctx: HelpCenterContext, bundle: ReleaseBundle): Promise<Delivered> {
  const { title, body } = ctx.notesOf(bundle);
  const { settings } = ctx;
  const article = await ctx.port.createArticle({
    sectionId: await ctx.sectionFor(bundle, RELEASE_NOTES_SECTION),
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
  return ctx.notesDelivered(bundle, article.id, article.url);
}

async function findNotes(ctx: HelpCenterContext, bundle: ReleaseBundle, since: number | null) {
  const [found] = await ctx.port.findArticlesByLabel(heraldLabel(bundle, objectKeys.notes(bundle.version)), {
    sectionId: await ctx.sectionFor(bundle, RELEASE_NOTES_SECTION),
    title: ctx.notesOf(bundle).title,
    since,
  });
  return found ? ctx.notesDelivered(bundle, found.id, found.url) : null;
}

async function correctNotes(ctx: HelpCenterContext, bundle: ReleaseBundle): Promise<Delivered> {
  const { title, body } = ctx.notesOf(bundle);
  const article = await ctx.require(bundle, objectKeys.notes(bundle.version));
  const put = await ctx.port.putTranslation(article.externalId, ctx.settings.locale, {
    title,
    body,
    draft: false,
  });
  return ctx.notesDelivered(bundle, article.externalId, put.url);
}
