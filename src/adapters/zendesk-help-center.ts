import zendesk from 'node-zendesk';
import { DeliveryFailure, parseRetryAfter } from '../errors/delivery-failure.js';
import type { HelpCenterArticle, HelpCenterPort, VerifyFinding } from '../ports/index.js';
import { createPacer } from './pacer.js';
import { type ZendeskCredentials, zendeskAuthorization } from './zendesk-auth.js';

interface ZendeskArticle {
  id: number;
  html_url: string;
  title: string;
  locale: string;
  section_id: number;
  label_names?: string[];
  draft: boolean;
}

type Call = { response?: { status: number }; result: unknown };

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The Help Center error bodies come in two shapes; both say what was wrong. */
function describeBody(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const b = body as {
    error?: unknown;
    description?: string;
    details?: Record<string, { description?: string }[]>;
  };
  if (b.error && typeof b.error === 'object') {
    const e = b.error as { title?: string; message?: string };
    return [e.title, e.message].filter(Boolean).join(': ');
  }
  const details = Object.values(b.details ?? {})
    .flat()
    .map((d) => d.description)
    .filter(Boolean);
  return [typeof b.error === 'string' ? b.error : '', b.description ?? '', ...details]
    .filter(Boolean)
    .join(': ');
}

/**
 * Zendesk Guide through node-zendesk, with its traps handled (reference/integrations.md §1):
 * the default import (named imports break under plain Node ESM); `throwOriginalException` so 422
 * bodies reach the error; a 429/503 carrying Retry-After *resolves* with an Error as the result,
 * and `getAll` puts that Error into the list, so every result is checked; no retries inside the
 * client (the engine retries, after reconciling). Requests go through our own fetch with a
 * timeout; attachments use fetch + FormData because node-zendesk's upload drops the boundary.
 */
export function createZendeskHelpCenter(
  credentials: ZendeskCredentials,
  options: { requestsPerMinute: number | null; timeoutMs?: number },
): HelpCenterPort {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pacer = createPacer(options.requestsPerMinute);
  const base = credentials.baseUrl.replace(/\/+$/, '');
  const oauth = credentials.oauthToken !== null;
  const authorization = zendeskAuthorization(credentials);
  // Account-wide: a Retry-After seen on any response holds every request back.
  const send = async (uri: string, init: RequestInit) => {
    await pacer.wait();
    const response = await fetch(uri, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    if (retryAfter !== null) {
      pacer.pause(retryAfter);
    }
    return response;
  };
  const transportConfig = {
    transportFn: (uri: string, init: { method: string; headers: Record<string, string>; body?: string }) =>
      send(uri, { method: init.method, headers: init.headers, body: init.body }),
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

  /** Every failure as the engine needs it. `write`: the request may have changed something. */
  const failure = (error: unknown, what: string, write: boolean): DeliveryFailure => {
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number') {
      const detail = describeBody((error as { result?: unknown }).result);
      const message = `Zendesk answered ${status} to ${what}${detail ? `: ${detail}` : ''}`;
      // A 5xx other than a throttling 503 may come after the write took effect: reconcile first.
      if (RETRYABLE_STATUS.has(status))
        return new DeliveryFailure({
          kind: write && status !== 429 && status !== 503 ? 'ambiguous' : 'retryable',
          message,
          status,
          retryAfterMs: pacer.pausedFor(),
        });
      if (status === 401 || status === 403)
        return new DeliveryFailure({
          kind: 'permanent',
          message,
          status,
          fix: 'Check ZENDESK_EMAIL and ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN): the user must be a Guide manager or an agent with publishing rights; `herald doctor` checks them.',
        });
      return new DeliveryFailure({
        kind: 'permanent',
        message,
        status,
        fix:
          status === 404
            ? 'Check the section, category and article ids in herald.helpCenter (`herald doctor` checks them).'
            : 'Correct the setting or content Zendesk names above, then run `herald retry <version>`.',
      });
    }
    const cause = (error as { cause?: { code?: string } }).cause;
    const code = cause?.code ?? (error as { code?: string }).code ?? (error as Error).name;
    const message = `${what} failed: ${(error as Error).message}${code ? ` (${code})` : ''}`;
    // Refused before sending: nothing happened. Anything later may have reached Zendesk.
    if (CONNECT_ERRORS.has(code ?? '') || !write)
      return new DeliveryFailure({ kind: 'retryable', message, cause: error });
    return new DeliveryFailure({ kind: 'ambiguous', message, cause: error });
  };

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

  const articleOf = (a: ZendeskArticle): HelpCenterArticle => ({
    id: String(a.id),
    url: a.html_url,
    title: a.title,
    locale: a.locale.replace('_', '-').toLowerCase(),
    sectionId: String(a.section_id),
    labels: a.label_names ?? [],
    draft: a.draft,
  });

  const check = async (name: string, probe: () => Promise<string>, fix: string): Promise<VerifyFinding> => {
    try {
      return { ok: true, check: name, detail: await probe() };
    } catch (error) {
      const f = error instanceof DeliveryFailure ? error : failure(error, name, false);
      return { ok: false, check: name, detail: f.message, fix: f.fix ?? fix };
    }
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
                  throw new DeliveryFailure({
                    kind: 'permanent',
                    message: 'no such permission group',
                    fix: `Known: ${groups.map((g) => `${g.id} (${g.name})`).join(', ')}.`,
                  });
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
              throw new DeliveryFailure({
                kind: 'permanent',
                message: `not enabled in Guide: ${missing.join(', ')}`,
                fix: `Enabled: ${enabled.join(', ')}. Set herald.helpCenter.locale or enable the locale in Guide.`,
              });
            return 'enabled';
          },
          'Enable the locale in Guide settings.',
        ),
      );
      return findings;
    },

    async findArticlesByLabel(label) {
      const list = (await run(`GET articles labelled ${label}`, false, () =>
        hc.articles.listByLabelNames([label]),
      )) as ZendeskArticle[];
      return list.map(articleOf);
    },

    async createArticle(input) {
      if (input.permissionGroupId === null)
        throw new DeliveryFailure({
          kind: 'permanent',
          message: 'Zendesk needs a permission group to create an article',
          fix: 'Set herald.helpCenter.permissionGroupId (`herald doctor` lists the problem too).',
        });
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
      const article = (await run(`create article "${input.title}"`, true, () =>
        hc.articles.createWithLocale(input.locale, Number(input.sectionId), body),
      )) as ZendeskArticle;
      return articleOf(article);
    },

    async putTranslation(articleId, locale, input) {
      const what = `update article ${articleId} (${locale})`;
      try {
        const translation = (await run(what, true, () =>
          hc.translations.updateForArticle(Number(articleId), locale, { translation: input }),
        )) as { html_url?: string };
        return { url: translation.html_url ?? `${base}/hc/${locale}/articles/${articleId}` };
      } catch (error) {
        if (!(error instanceof DeliveryFailure) || error.status !== 404) throw error;
      }
      const created = (await run(`add the ${locale} translation of article ${articleId}`, true, () =>
        hc.translations.createForArticle(Number(articleId), { translation: { locale, ...input } }),
      )) as { html_url?: string };
      return { url: created.html_url ?? `${base}/hc/${locale}/articles/${articleId}` };
    },

    async archiveArticle(articleId) {
      try {
        await run(`archive article ${articleId}`, true, () => hc.articles.delete(Number(articleId)));
      } catch (error) {
        if (!(error instanceof DeliveryFailure) || error.status !== 404) throw error;
      }
    },

    async uploadAttachment(articleId, input) {
      const what = `upload ${input.fileName} to article ${articleId}`;
      const form = new FormData();
      form.append('inline', 'true');
      form.append('file', new Blob([input.bytes], { type: input.contentType }), input.fileName);
      let response: Response;
      try {
        response = await send(`${base}/api/v2/help_center/articles/${articleId}/attachments.json`, {
          method: 'POST',
          headers: { Authorization: authorization, Accept: 'application/json' },
          body: form,
        });
      } catch (error) {
        throw failure(error, what, true);
      }
      const text = await response.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {}
      if (!response.ok)
        throw failure(
          Object.assign(new Error(text), { statusCode: response.status, result: body }),
          what,
          true,
        );
      const attachment = (body as { article_attachment?: { content_url?: string } } | null)
        ?.article_attachment;
      if (!attachment?.content_url)
        throw new DeliveryFailure({
          kind: 'ambiguous',
          message: `${what}: the answer has no article_attachment.content_url`,
        });
      return { url: attachment.content_url };
    },

    async listSections() {
      const sections = (await run('GET sections', false, () => hc.sections.list())) as {
        id: number;
        name: string;
      }[];
      return sections.map((s) => ({ id: String(s.id), name: s.name }));
    },

    async createSection(input) {
      if (input.categoryId === null)
        throw new DeliveryFailure({
          kind: 'permanent',
          message: `cannot create section "${input.name}" without a category`,
          fix: 'Set herald.helpCenter.categoryId, or map the section in herald.helpCenter.docsSections.',
        });
      const categoryId = input.categoryId;
      const section = (await run(`create section "${input.name}"`, true, () =>
        hc.sections.create(categoryId, {
          section: {
            name: input.name,
            locale: input.locale,
            ...(input.position === null ? {} : { position: input.position }),
          },
        }),
      )) as { id: number; name: string };
      return { id: String(section.id), name: section.name };
    },
  };
}
