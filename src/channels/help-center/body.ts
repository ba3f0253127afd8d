import { resolveDocReferences } from '../../core/docs/link-docset.js';
import { ARCHIVED, objectKeys } from '../../core/help-center-plan.js';
import { publishableAttachment } from '../../core/svg.js';
import { deliveryFailures } from '../../errors/delivery-failures.js';
import type { DocPage, ReleaseBundle, TargetObject } from '../../model/index.js';
import { attachmentKey, type HelpCenterContext } from './context.js';

/**
 * The page's body with links pointing at articles and images at uploaded attachments (uploaded
 * now when not yet; `uploads` collects what this did, and attachments the body no longer embeds).
 */
export async function bodyOf(
  ctx: HelpCenterContext,
  bundle: ReleaseBundle,
  page: DocPage,
  articleId: string | null,
  uploads: TargetObject[],
): Promise<string> {
  const assetsOf = new Map(bundle.docs.assets.map((a) => [a.path, a]));
  const objects = await ctx.objectsWith(bundle, [
    // A link goes to the target's translation in this locale when the docs have one.
    ...page.links.map((link) =>
      ctx
        .pagesOf(bundle)
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
  const assets =
    articleId === null
      ? new Map<string, string>()
      : await attachmentsOf(ctx, { bundle, page, articleId, objects, uploads });
  return resolveDocReferences(page.html, {
    page: (id, anchor) => {
      const url = urls.get(id) ?? '#';
      return anchor === null || url === '#' ? url : `${url}#${anchor}`;
    },
    asset: (assetPath) => assets.get(assetPath) ?? '#',
  });
}

/** Each image of the page as an attachment URL of this article's translation, uploaded if new. */
async function attachmentsOf(
  ctx: HelpCenterContext,
  input: {
    bundle: ReleaseBundle;
    page: DocPage;
    articleId: string;
    objects: Map<string, TargetObject>;
    uploads: TargetObject[];
  },
): Promise<Map<string, string>> {
  const { bundle, page, articleId, objects, uploads } = input;
  const assetsOf = new Map(bundle.docs.assets.map((a) => [a.path, a]));
  const assets = new Map<string, string>();
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
    const blob = await ctx.store.readBlob(asset.hash);
    if (!blob) throw deliveryFailures.imageMissing(assetPath);
    const uploaded = await ctx.port.uploadAttachment(
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
  return assets;
}
