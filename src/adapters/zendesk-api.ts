import zendesk from 'node-zendesk';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import type { HelpCenterArticle } from '../ports/index.js';
import { type ZendeskCredentials, zendeskAuthorization } from './zendesk-auth.js';
import { createZendeskTransport } from './zendesk-http.js';
import { unreadableAnswer, webUrl, zendeskFailure, zendeskId } from './zendesk-status.js';

export interface ZendeskArticle {
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
type ZendeskClient = ReturnType<typeof zendesk.createClient>;

export interface ZendeskOptions {
  requestsPerMinute: number | null;
  timeoutMs?: number;
  trustedOrigins?: string[];
}

/** One connection to Zendesk Guide: its clients and how their answers are read. */
export interface ZendeskApi {
  base: string;
  authorization: string;
  timeoutMs: number;
  send: ReturnType<typeof createZendeskTransport>['send'];
  hc: ZendeskClient['helpcenter'];
  core: ZendeskClient;
  failure: (error: unknown, what: string, write: boolean) => DeliveryFailure;
  /** Runs one node-zendesk call, turning its resolved-but-failed answers into failures. */
  run: (what: string, write: boolean, call: () => Promise<unknown>) => Promise<unknown>;
  /** An article from an answer, refused unless it has what Herald stores (a real id, a URL). */
  articleOf: (a: ZendeskArticle, what: string, write: boolean) => HelpCenterArticle;
  /** Whether this Guide plan has article labels (asked once, when first needed). */
  labelsWork: () => Promise<boolean>;
}

/**
 * Zendesk Guide through node-zendesk, with its traps handled: the default import (named imports
 * break under plain Node ESM); `throwOriginalException` so 422 bodies reach the error; a 429/503
 * carrying Retry-After *resolves* with an Error as the result, and `getAll` puts that Error into
 * the list, so every result is checked; every request goes through Herald's own transport
 * (zendesk-http.ts), which throws for any status outside 2xx, because node-zendesk lets a 502/504
 * page, 402, 410 or 413 through as `{}`; every id is checked before it is stored. No retries
 * inside the client (the engine retries, after reconciling).
 */
export function connectZendesk(credentials: ZendeskCredentials, options: ZendeskOptions): ZendeskApi {
  const base = credentials.baseUrl.replace(/\/+$/, '');
  const authorization = zendeskAuthorization(credentials);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transport = createZendeskTransport({
    base,
    requestsPerMinute: options.requestsPerMinute,
    timeoutMs,
    ...(options.trustedOrigins ? { trustedOrigins: options.trustedOrigins } : {}),
  });
  const clientFor = (endpointUri: string) => createClient(credentials, transport.send, endpointUri);
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

  return {
    base,
    authorization,
    timeoutMs,
    send: transport.send,
    hc,
    core,
    failure,
    run,
    articleOf,
    labelsWork,
  };
}

/** A node-zendesk client whose every request goes through Herald's transport. */
function createClient(
  credentials: ZendeskCredentials,
  send: ZendeskApi['send'],
  endpointUri: string,
): ZendeskClient {
  const oauth = credentials.oauthToken !== null;
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
  return zendesk.createClient({
    ...(oauth
      ? { token: credentials.oauthToken!, oauth: true }
      : { username: credentials.email!, token: credentials.apiToken! }),
    endpointUri,
    throwOriginalException: true,
    transportConfig,
  } as never);
}
