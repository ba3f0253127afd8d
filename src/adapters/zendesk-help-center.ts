import { DeliveryFailure } from '../errors/delivery-failure.js';
import { deliveryFailures } from '../errors/delivery-failures.js';
import type { CreatedArticle, HelpCenterArticle, HelpCenterPort } from '../ports/index.js';
import { connectZendesk, type ZendeskApi, type ZendeskArticle, type ZendeskOptions } from './zendesk-api.js';
import type { ZendeskCredentials } from './zendesk-auth.js';
import { createZendeskAttachments } from './zendesk-media.js';
import { unreadableAnswer, webUrl, zendeskId } from './zendesk-status.js';
import { verifyZendesk } from './zendesk-verify.js';

/** Zendesk Guide as a help centre (see connectZendesk for how its client is tamed). */
export function createZendeskHelpCenter(
  credentials: ZendeskCredentials,
  options: ZendeskOptions,
): HelpCenterPort {
  const zendeskApi = connectZendesk(credentials, options);
  const { base, hc, run, articleOf, labelsWork } = zendeskApi;

  return {
    kind: 'zendesk',
    site: `zendesk:${base}`,
    description: `Zendesk Guide at ${base}`,

    verify: (settings) => verifyZendesk(zendeskApi, settings),

    async findArticlesByLabel(label, created) {
      if (created && !(await labelsWork())) return findCreated(zendeskApi, created);
      const what = `GET articles labelled ${label}`;
      const list = (await run(what, false, () => hc.articles.listByLabelNames([label]))) as ZendeskArticle[];
      return list.map((a) => articleOf(a, what, false));
    },

    createArticle: (input) => createArticle(zendeskApi, input),

    async putTranslation(articleId, locale, input) {
      const what = `update article ${articleId} (${locale})`;
      let translation: unknown;
      try {
        translation = await run(what, true, () =>
          hc.translations.updateForArticle(Number(articleId), locale, { translation: input }),
        );
      } catch (error) {
        if (!(error instanceof DeliveryFailure) || error.status !== 404) throw error;
        translation = await run(`add the ${locale} translation of article ${articleId}`, true, () =>
          hc.translations.createForArticle(Number(articleId), { translation: { locale, ...input } }),
        );
      }
      // The answer must be the translation: a CDN page that slipped through as 2xx is not.
      const t = translation as { id?: unknown; html_url?: unknown } | null;
      if (zendeskId(t?.id) === null) throw unreadableAnswer(what, true, 'translation id');
      return { url: webUrl(t?.html_url) ?? `${base}/hc/${locale}/articles/${articleId}` };
    },

    async archiveArticle(articleId) {
      try {
        await run(`archive article ${articleId}`, true, () => hc.articles.delete(Number(articleId)));
      } catch (error) {
        if (!(error instanceof DeliveryFailure) || error.status !== 404) throw error;
      }
    },

    uploadAttachment: createZendeskAttachments(zendeskApi),

    async listSections() {
      const sections = (await run('GET sections', false, () => hc.sections.list())) as {
        id?: unknown;
        name?: string;
      }[];
      return sections.flatMap((s) => {
        const id = zendeskId(s?.id);
        return id === null ? [] : [{ id, name: s.name ?? '' }];
      });
    },

    createSection: (input) => createSection(zendeskApi, input),
  };
}

/**
 * Without labels, a lost create is found by what it asked for: in its section, with exactly its
 * title, created since the attempt. The attempt time is the store's clock and created_at is
 * Zendesk's (whole seconds): a minute's allowance covers both.
 */
async function findCreated(api: ZendeskApi, created: CreatedArticle): Promise<HelpCenterArticle[]> {
  const what = `GET articles in section ${created.sectionId}`;
  const list = (await api.run(what, false, () =>
    api.hc.articles.listBySection(Number(created.sectionId)),
  )) as ZendeskArticle[];
  const since = created.since === null ? Number.NEGATIVE_INFINITY : created.since - 60_000;
  return list
    .filter((a) => a?.title === created.title && Date.parse(a.created_at ?? '') >= since)
    .sort((a, b) => Date.parse(a.created_at ?? '') - Date.parse(b.created_at ?? '') || a.id - b.id)
    .map((a) => api.articleOf(a, what, false));
}

/** A new article in its section, with the permission group and segment Zendesk requires. */
async function createArticle(
  api: ZendeskApi,
  input: Parameters<HelpCenterPort['createArticle']>[0],
): Promise<HelpCenterArticle> {
  if (input.permissionGroupId === null)
    throw deliveryFailures.settingMissing(
      'Zendesk needs a permission group to create an article',
      'Set herald.helpCenter.permissionGroupId (`herald doctor` lists the problem too).',
    );
  const body = {
    article: {
      title: input.title,
      body: input.body,
      locale: input.locale,
      label_names: input.labels,
      draft: input.draft,
      permission_group_id: input.permissionGroupId,
      // Must be present: null means everyone can see the article.
      user_segment_id: input.userSegmentId,
      ...(input.position === null ? {} : { position: input.position }),
    },
    // At the root, not inside `article`: only then does Zendesk read it.
    notify_subscribers: input.notifySubscribers,
  };
  const what = `create article "${input.title}"`;
  const article = (await api.run(what, true, () =>
    api.hc.articles.createWithLocale(input.locale, Number(input.sectionId), body),
  )) as ZendeskArticle;
  return api.articleOf(article, what, true);
}

async function createSection(
  api: ZendeskApi,
  input: Parameters<HelpCenterPort['createSection']>[0],
): Promise<{ id: string; name: string }> {
  if (input.categoryId === null)
    throw deliveryFailures.settingMissing(
      `cannot create section "${input.name}" without a category`,
      'Set herald.helpCenter.categoryId, or map the section in herald.helpCenter.docsSections.',
    );
  const categoryId = input.categoryId;
  const what = `create section "${input.name}"`;
  const section = (await api.run(what, true, () =>
    api.hc.sections.create(categoryId, {
      section: {
        name: input.name,
        locale: input.locale,
        ...(input.position === null ? {} : { position: input.position }),
      },
    }),
  )) as { id?: unknown; name?: string } | null;
  const id = zendeskId(section?.id);
  if (id === null) throw unreadableAnswer(what, true, 'section id');
  return { id, name: section?.name ?? input.name };
}
