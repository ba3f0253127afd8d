import zendesk from 'node-zendesk';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import { deliveryFailures } from '../errors/delivery-failures.js';
import type { CreatedArticle, HelpCenterArticle, HelpCenterPort, VerifyFinding } from '../ports/index.js';
import { type ZendeskCredentials, zendeskAuthorization } from './zendesk-auth.js';
import { createZendeskTransport } from './zendesk-http.js';
import { createZendeskAttachments } from './zendesk-media.js';
import { unreadableAnswer, webUrl, zendeskFailure, zendeskId } from './zendesk-status.js';

interface ZendeskArticle {
  id: number;
  html_url: string;
  title: string;
  locale: string;
  section_id: number;
  label_names?: string[];
  draft: boolean;
  created_at?: string;
}

type Call = { response?: { status: number }; result: unknown };

/**
 * Zendesk Guide through node-zendesk, with its traps handled: the default import (named imports
 * break under plain Node ESM); `throwOriginalException` so 422 bodies reach the error; a 429/503
 * carrying Retry-After *resolves* with an Error as the result, and `getAll` puts that Error into
 * the list, so every result is checked; every request goes through Herald's own transport
 * (zendesk-http.ts), which throws for any status outside 2xx, because node-zendesk lets a 502/504
 * page, 402, 410 or 413 through as `{}`; every id is checked before it is stored. No retries
 * inside the client (the engine retries, after reconciling).
 */
export function createZendeskHelpCenter(
  credentials: ZendeskCredentials,
  options: { requestsPerMinute: number | null; timeoutMs?: number; trustedOrigins?: string[] },
): HelpCenterPort {
  const base = credentials.baseUrl.replace(/\/+$/, '');
  const oauth = credentials.oauthToken !== null;
  const authorization = zendeskAuthorization(credentials);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transport = createZendeskTransport({
    base,
    requestsPerMinute: options.requestsPerMinute,
    timeoutMs,
    ...(options.trustedOrigins ? { trustedOrigins: options.trustedOrigins } : {}),
  });
  const transportConfig = {
    transportFn: (uri: string, init: { method: string; headers: Record<string, string>; body?: string }) =>
      transport.send(uri, { method: init.method, headers: init.headers, body: init.body }),
    responseAdapter: (response: Response) => ({
      json: () => response.json(),
      status: response.status,
      headers: { get: (name: string) => response.headers.get(name) },
      statusText: response.statusText,
    }),
  };
  const clientFor = (endpointUri: string) =>
    zendesk.createClient({
      ...(oauth
        ? { token: credentials.oauthToken!, oauth: true }
        : { username: credentials.email!, token: credentials.apiToken! }),
      endpointUri,
      throwOriginalException: true,
      transportConfig,
    } as never);
  const hc = clientFor(`${base}/api/v2/help_center`).helpcenter;
  const core = clientFor(`${base}/api/v2`);

  const failure = (error: unknown, what: string, write: boolean): DeliveryFailure =>
    zendeskFailure(error, what, write, transport.pausedFor());

  /** Runs one node-zendesk call, turning its resolved-but-failed answers into failures. */
  // node-zendesk's generated typings are not usable (many methods claim to return NodeModule).
  const run = async (what: string, write: boolean, call: () => Promise<unknown>): Promise<unknown> => {
    let answer: Call | unknown[];
    try {
      answer = (await call()) as Call | unknown[];
    } catch (error) {
      throw failure(error, what, write);
    }
    const results = Array.isArray(answer) ? answer : [answer.result];
    for (const result of results) {
      if (result instanceof Error) {
        const status = (result as { statusCode?: number }).statusCode;
        // A DELETE answered 204 resolves as Error('No Content'): that is success.
        if (status === 204) continue;
        throw failure(result, what, write);
      }
    }
    return Array.isArray(answer) ? answer : answer.result;
  };

  /** An article from an answer, refused unless it has what Herald stores (a real id, a URL). */
  const articleOf = (a: ZendeskArticle, what: string, write: boolean): HelpCenterArticle => {
    const id = zendeskId(a?.id);
    const url = webUrl(a?.html_url);
    if (id === null || url === null) throw unreadableAnswer(what, write, 'article id and html_url');
    return {
      id,
      url,
      title: a.title,
      locale: String(a.locale ?? '')
        .replace('_', '-')
        .toLowerCase(),
      sectionId: zendeskId(a.section_id) ?? '',
      labels: a.label_names ?? [],
      draft: a.draft,
    };
  };

  // Article labels exist only on some Guide plans; elsewhere the labels endpoint is refused and
  // `label_names` silently ignored. Asked once per run, when first needed.
  let labels: Promise<boolean> | null = null;
  const labelsWork = () => {
    labels ??= run('GET article labels', false, () => hc.articlelabels.list()).then(
      () => true,
      (error: unknown) => {
        if (error instanceof DeliveryFailure && [402, 403, 404].includes(error.status ?? 0)) return false;
        labels = null;
        throw error;
      },
    );
    return labels;
  };

  const check = async (name: string, probe: () => Promise<string>, fix: string): Promise<VerifyFinding> => {
    try {
      return { ok: true, check: name, detail: await probe() };
    } catch (error) {
      const f = error instanceof DeliveryFailure ? error : failure(error, name, false);
      return { ok: false, check: name, detail: f.message, fix: f.fix ?? fix };
    }
  };

  /**
   * Without labels, a lost create is found by what it asked for: in its section, with exactly its
   * title, created since the attempt. The attempt time is the store's clock and created_at is
   * Zendesk's (whole seconds): a minute's allowance covers both.
   */
  const findCreated = async (created: CreatedArticle): Promise<HelpCenterArticle[]> => {
    const what = `GET articles in section ${created.sectionId}`;
    const list = (await run(what, false, () =>
      hc.articles.listBySection(Number(created.sectionId)),
    )) as ZendeskArticle[];
    const since = created.since === null ? Number.NEGATIVE_INFINITY : created.since - 60_000;
    return list
      .filter((a) => a?.title === created.title && Date.parse(a.created_at ?? '') >= since)
      .sort((a, b) => Date.parse(a.created_at ?? '') - Date.parse(b.created_at ?? '') || a.id - b.id)
      .map((a) => articleOf(a, what, false));
  };

  return {
    kind: 'zendesk',
    site: `zendesk:${base}`,
    description: `Zendesk Guide at ${base}`,

    async verify(settings) {
      const findings: VerifyFinding[] = [];
      const me = await check(
        'credentials',
        async () => {
          const user = (await run('GET users/me', false, () => core.users.me())) as {
            email?: string;
            role?: string;
          };
          return `signed in as ${user.email ?? 'unknown'} (${user.role ?? 'unknown role'})`;
        },
        'Check ZENDESK_EMAIL / ZENDESK_API_TOKEN or ZENDESK_OAUTH_TOKEN.',
      );
      findings.push(me);
      if (!me.ok) return findings;
      for (const id of settings.sectionIds)
        findings.push(
          await check(
            `section ${id}`,
            async () => {
              const section = (await run(`GET section ${id}`, false, () => hc.sections.show(Number(id)))) as {
                name?: string;
              };
              return `"${section.name ?? id}"`;
            },
            'Use an existing section id (Guide admin › Arrange content).',
          ),
        );
      if (settings.categoryId !== null) {
        const categoryId = settings.categoryId;
        findings.push(
          await check(
            `category ${categoryId}`,
            async () => {
              const category = (await run(`GET category ${categoryId}`, false, () =>
                hc.categories.show(categoryId),
              )) as { name?: string };
              return `"${category.name ?? categoryId}"`;
            },
            'Use an existing category id for herald.helpCenter.categoryId.',
          ),
        );
      }
      findings.push(
        settings.permissionGroupId === null
          ? {
              ok: false,
              check: 'permission group',
              detail: 'not set: Zendesk requires one to create articles',
              fix: 'Set herald.helpCenter.permissionGroupId (Guide admin › Settings › Permissions).',
            }
          : await check(
              `permission group ${settings.permissionGroupId}`,
              async () => {
                const groups = (await run('GET permission groups', false, () =>
                  core.permissiongroups.list(),
                )) as {
                  id: number;
                  name: string;
                }[];
                const group = groups.find((g) => g.id === settings.permissionGroupId);
                if (!group)
                  throw deliveryFailures.settingMissing(
                    'no such permission group',
                    `Known: ${groups.map((g) => `${g.id} (${g.name})`).join(', ')}.`,
                  );
                return `"${group.name}"`;
              },
              'Set herald.helpCenter.permissionGroupId to an existing permission group.',
            ),
      );
      if (settings.userSegmentId !== null) {
        const segment = settings.userSegmentId;
        findings.push(
          await check(
            `user segment ${segment}`,
            async () => {
              const body = (await run(`GET user segment ${segment}`, false, () =>
                hc.usersegments.show(segment),
              )) as {
                user_segment?: { name?: string };
              };
              return `"${body.user_segment?.name ?? segment}"`;
            },
            'Set herald.helpCenter.userSegmentId to an existing user segment, or null for everyone.',
          ),
        );
      }
      findings.push(
        await check(
          `locales ${settings.locales.join(', ')}`,
          async () => {
            const body = (await run('GET locales', false, () => hc.articles.get(['locales']))) as {
              locales?: string[];
            };
            const enabled = (body.locales ?? []).map((l) => l.toLowerCase());
            const missing = settings.locales.filter((l) => !enabled.includes(l.toLowerCase()));
            if (missing.length > 0)
              throw deliveryFailures.settingMissing(
                `not enabled in Guide: ${missing.join(', ')}`,
                `Enabled: ${enabled.join(', ')}. Set herald.helpCenter.locale or enable the locale in Guide.`,
              );
            return 'enabled';
          },
          'Enable the locale in Guide settings.',
        ),
      );
      findings.push(
        await check(
          'article labels',
          async () =>
            (await labelsWork())
              ? 'available: an article whose create was lost is found again by its label'
              : 'not on this Guide plan: an article whose create was lost is found again by section, exact title and creation time (keep titles unique within a section)',
          'Run `herald doctor` again; labels are only a convenience for finding lost creates.',
        ),
      );
      return findings;
    },

    async findArticlesByLabel(label, created) {
      if (created && !(await labelsWork())) return findCreated(created);
      const what = `GET articles labelled ${label}`;
      const list = (await run(what, false, () => hc.articles.listByLabelNames([label]))) as ZendeskArticle[];
      return list.map((a) => articleOf(a, what, false));
    },

    async createArticle(input) {
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
      const article = (await run(what, true, () =>
        hc.articles.createWithLocale(input.locale, Number(input.sectionId), body),
      )) as ZendeskArticle;
      return articleOf(article, what, true);
    },

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

    uploadAttachment: createZendeskAttachments({
      base,
      authorization,
      timeoutMs,
      send: transport.send,
      failure,
    }),

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

    async createSection(input) {
      if (input.categoryId === null)
        throw deliveryFailures.settingMissing(
          `cannot create section "${input.name}" without a category`,
          'Set herald.helpCenter.categoryId, or map the section in herald.helpCenter.docsSections.',
        );
      const categoryId = input.categoryId;
      const what = `create section "${input.name}"`;
      const section = (await run(what, true, () =>
        hc.sections.create(categoryId, {
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
    },
  };
}
