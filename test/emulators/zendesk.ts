import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prng } from './prng.js';

/**
 * A local stand-in for the Zendesk Help Center (Guide) API as its reference documents it, and
 * as node-zendesk 6.0.1 drives it: articles (create, show, list with offset and cursor
 * pagination, label filter, metadata update, archive), translations, article attachments
 * (multipart `file` or `guide_media_id`, per-translation inline attachments deleted once their
 * translation stops embedding them, public download), Guide media (upload URL, storage PUT,
 * media object), article labels (per plan), sections, categories, user segments, permission
 * groups, locales and `users/me`. It checks API-token and OAuth credentials, applies an
 * account-wide sliding-window rate limit, injects faults (scheduled or seeded-random, including
 * the CDN's 502/504 pages and the 402/410/413 node-zendesk does not list) and logs every request.
 * In brand mode it redirects account-level calls to the primary subdomain (another instance).
 *
 * Order of checks for an API request: brand redirect (301), auth (401), rate limit (429
 * text/plain), fault, route. Attachment downloads under `/hc/article_attachments/` and storage
 * PUTs under `/guide-media-uploads/` need no Zendesk auth and are never limited or faulted.
 */

export interface ZendeskEmulatorOptions {
  /** Accepted credentials: API token (Basic base64("email/token:TOKEN")) and/or OAuth Bearer. Default { email: 'bot@acme.example', token: 'zd-token' }. */
  auth?: { email?: string; token?: string; oauthToken?: string };
  /** Enabled locales, default ['en-us', 'de']; the default locale is the first. */
  locales?: string[];
  /** Seed sections, default [{ id: 100, name: 'Release notes' }, { id: 101, name: 'Guide' }]; categoryId defaults to the first category. */
  sections?: { id: number; name: string; categoryId?: number }[];
  /** Default [{ id: 10, name: 'Docs' }]. */
  categories?: { id: number; name: string }[];
  /** Default [{ id: 1, name: 'Editors' }]. */
  permissionGroups?: { id: number; name: string }[];
  /** Default [{ id: 7, name: 'Signed-in users' }]. */
  userSegments?: { id: number; name: string }[];
  /** Requests allowed per sliding 60 s window (all endpoints, account-wide); over it: 429 with Retry-After (seconds, integer >=1, time until a slot frees) and X-Rate-Limit / X-Rate-Limit-Remaining headers on every response. Default: no limit. */
  ratePerMinute?: number;
  /** Random faults: fraction of requests (0..1) answered with a fault chosen from kinds; seeded PRNG (seed option) so runs repeat. Fault kinds: 429 (Retry-After: 1, text/plain body), 500, 503 (Retry-After: 1), 'reset' (destroy socket BEFORE doing the effect), 'reset-after' (do the effect then destroy the socket without answering — a lost acknowledgement), 'slow' (answer normally after delayMs 1500). */
  faults?: RandomFaults;
  /** Delay before every answer. */
  delayMs?: number;
  /** Users (end users, agents) the Support API knows, for users/show_many; email may be null. */
  users?: { id: number; name: string; email: string | null; locale?: string }[];
  /** Section followers: subscriptions of users (ids above) to sections, in the given locale. */
  followers?: { sectionId: number; userId: number; locale?: string }[];
  /**
   * Article labels are on this plan (Professional/Enterprise), default true. false: the labels
   * endpoint answers 403 and `label_names` is ignored on create and update, as on lower plans.
   */
  labels?: boolean;
  /** Guide media endpoints exist, default true; false: they answer 404 InvalidEndpoint. */
  media?: boolean;
  /** Direct `file` uploads to article attachments are accepted, default true; false: 400 (use guide_media_id). */
  fileUploads?: boolean;
  /** Brand mode: account-level calls (permission groups) answer 301 to this origin (the primary subdomain). */
  redirectAccountCallsTo?: string;
}

export type RandomFaultKind = 429 | 500 | 502 | 503 | 504 | 'reset' | 'reset-after' | 'slow';

export interface RandomFaults {
  rate: number;
  /** Default all kinds. */
  kinds?: RandomFaultKind[];
  /** PRNG seed, default 1. */
  seed?: number;
  /** Only POST/PUT/PATCH/DELETE requests draw faults. */
  onlyWrites?: boolean;
}

/**
 * 502: the CDN's HTML "Bad Gateway" page, nothing done. 504: the CDN gave up waiting but Zendesk
 * finished the request (the effect happens), empty body. 413: the CDN's HTML page, nothing done.
 * 402 and 410: Zendesk's JSON refusals, nothing done.
 */
export type ScheduledFault = 429 | 500 | 502 | 503 | 504 | 402 | 410 | 413 | 422 | 'reset' | 'reset-after';

/** Which requests a scheduled fault waits for (default: the next authenticated API request). */
export interface FaultMatch {
  method?: string;
  path?: RegExp;
}

export interface EmulatedAttachment {
  id: number;
  file_name: string;
  content_type: string;
  size: number;
  content_url: string;
  inline: boolean;
  /** The translation an inline attachment belongs to. */
  locale: string;
  sha256: string;
}

export interface EmulatedArticle {
  id: number;
  section_id: number;
  /** title, body, draft: those of the source-locale translation. */
  title: string;
  body: string;
  locale: string;
  source_locale: string;
  label_names: string[];
  draft: boolean;
  html_url: string;
  url: string;
  permission_group_id: number;
  user_segment_id: number | null;
  position: number;
  created_at: string;
  updated_at: string;
  archived: boolean;
  translations: Record<string, { title: string; body: string; draft: boolean; updated_at: string }>;
  /** The root-level `notify_subscribers` of the create request; true (Zendesk's default) when absent. */
  notify_subscribers: boolean;
  attachments: EmulatedAttachment[];
}

export interface LoggedRequest {
  method: string;
  /** Path and query as sent. */
  path: string;
  /** The status answered, `reset` for a destroyed connection, 0 while unanswered. */
  status: number | 'reset';
  /** Arrival time, epoch ms. */
  at: number;
  /** POST, PUT, PATCH or DELETE. */
  write: boolean;
}

export interface ZendeskEmulator {
  /** The site root, e.g. http://127.0.0.1:PORT (ZENDESK_URL). */
  url: string;
  /** `${url}/api/v2/help_center`: node-zendesk `endpointUri` for `client.helpcenter`. */
  helpCenterUri: string;
  /** `${url}/api/v2`: node-zendesk `endpointUri` for the core client (permissiongroups, users). */
  apiUri: string;
  requests: LoggedRequest[];
  /** Snapshots of every article, archived ones included. */
  articles(): EmulatedArticle[];
  sections(): { id: number; name: string; category_id: number; locale: string }[];
  /** Fails the next `count` authenticated API requests (matching `match`) with this fault (before random faults). */
  failNext(count: number, fault: ScheduledFault, match?: FaultMatch): void;
  /** Guide media objects created (POST /api/v2/guide/medias). */
  medias(): { id: string; name: string; content_type: string; size: number }[];
  /** The bytes stored for a media object. */
  mediaData(id: string): Buffer | null;
  setFaults(faults: ZendeskEmulatorOptions['faults'] | null): void;
  /** Changes the rate limit and starts a fresh window. */
  setRatePerMinute(n: number | null): void;
  /**
   * Count of successful (2xx) write requests (POST/PUT/DELETE), including writes whose answer was
   * lost to a 'reset-after' fault: it counts effects, not acknowledgements.
   */
  writeCount(): number;
  close(): Promise<void>;
}

interface StoredTranslation {
  id: number;
  title: string;
  body: string;
  draft: boolean;
  created_at: string;
  updated_at: string;
}

interface StoredArticle {
  id: number;
  section_id: number;
  source_locale: string;
  label_names: string[];
  permission_group_id: number;
  user_segment_id: number | null;
  position: number;
  promoted: boolean;
  comments_disabled: boolean;
  created_at: string;
  updated_at: string;
  archived: boolean;
  notify_subscribers: boolean;
  translations: Map<string, StoredTranslation>;
  attachments: EmulatedAttachment[];
}

interface StoredSection {
  id: number;
  name: string;
  category_id: number;
  locale: string;
  position: number;
  description: string;
  created_at: string;
  updated_at: string;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A non-JSON body. */
  raw?: { data: Buffer | string; type: string };
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  entry: LoggedRequest;
  url: URL;
  method: string;
  body: Buffer;
  /** 'reset-after': do the work, then destroy the socket instead of answering. */
  lose: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const WINDOW_MS = 60_000;
const SLOW_MS = 1500;
const MAX_LABELS = 10;
const MAX_OFFSET_PAGES = 100;
const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
const ALL_KINDS: RandomFaultKind[] = [429, 500, 502, 503, 504, 'reset', 'reset-after', 'slow'];
/** The HTML error page a CDN in front of Zendesk answers with. */
const CDN_PAGE = (status: number, text: string) =>
  `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`;
const RATE_LIMIT_TEXT = 'You have exceeded the rate limit for this account. Please wait before retrying.\n';
/** First path segments under /help_center that are resources, so never a locale prefix. */
const RESOURCES = new Set([
  'articles',
  'sections',
  'categories',
  'user_segments',
  'locales',
  'translations',
  'incremental',
  'users',
]);

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Zendesk-like URL slug: case kept, accents dropped, other runs of non-alphanumerics become `-`. */
export function slug(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const notFound = (): Reply => ({ status: 404, body: { error: 'RecordNotFound', description: 'Not found' } });
const invalidEndpoint = (): Reply => ({
  status: 404,
  body: { error: 'InvalidEndpoint', description: 'Not found' },
});
/** The general Zendesk 422 envelope. */
const recordInvalid = (field: string, description: string, error = 'BlankValue'): Reply => ({
  status: 422,
  body: {
    error: 'RecordInvalid',
    description: 'Record validation errors',
    details: { [field]: [{ description, error }] },
  },
});
/** The Help Center 422 envelope (the one node-zendesk's error formatter reads). */
const invalidAttribute = (message: string): Reply => ({
  status: 422,
  body: { error: { title: 'Invalid attribute', message } },
});
const badRequest = (error: string, description: string): Reply => ({
  status: 400,
  body: { error, description },
});
const invalidLocale = (locale: string): Reply =>
  badRequest('InvalidLocale', `The locale '${locale}' is not enabled for this Help Center`);

export async function startZendeskEmulator(options: ZendeskEmulatorOptions = {}): Promise<ZendeskEmulator> {
  const auth = options.auth ?? { email: 'bot@acme.example', token: 'zd-token' };
  const labelsOnPlan = options.labels !== false;
  const email = auth.email ?? 'bot@acme.example';
  const normalizeLocale = (locale: string) => locale.toLowerCase().replace(/_/g, '-');
  const locales = (options.locales ?? ['en-us', 'de']).map(normalizeLocale);
  const defaultLocale = locales[0] ?? 'en-us';
  const categories = options.categories ?? [{ id: 10, name: 'Docs' }];
  const permissionGroups = options.permissionGroups ?? [{ id: 1, name: 'Editors' }];
  const userSegments = options.userSegments ?? [{ id: 7, name: 'Signed-in users' }];
  const started = now();
  const sections = new Map<number, StoredSection>(
    (
      options.sections ?? [
        { id: 100, name: 'Release notes' },
        { id: 101, name: 'Guide' },
      ]
    ).map((seed, i) => [
      seed.id,
      {
        id: seed.id,
        name: seed.name,
        category_id: seed.categoryId ?? categories[0]?.id ?? 0,
        locale: defaultLocale,
        position: i,
        description: '',
        created_at: started,
        updated_at: started,
      },
    ]),
  );
  const subscriptions = (options.followers ?? []).map((f, i) => ({
    id: 5000 + i,
    content_id: f.sectionId,
    content_type: 'Section',
    user_id: f.userId,
    locale: normalizeLocale(f.locale ?? defaultLocale),
    include_comments: false,
    created_at: started,
    updated_at: started,
  }));
  const articles = new Map<number, StoredArticle>();
  const files = new Map<number, { data: Buffer; type: string; name: string }>();
  const ids = {
    article: 360000000000,
    section: 360000100000,
    translation: 360000200000,
    attachment: 360000300000,
  };
  const requests: LoggedRequest[] = [];
  const scheduled: { fault: ScheduledFault; match: FaultMatch }[] = [];
  /** Guide media: upload slots waiting for their storage PUT, and media objects. */
  const uploadSlots = new Map<string, { contentType: string; size: number; data: Buffer | null }>();
  const medias = new Map<
    string,
    { id: string; name: string; content_type: string; size: number; data: Buffer }
  >();
  let mediaSeq = 0;
  let random: { faults: RandomFaults; next: () => number } | null = null;
  let ratePerMinute: number | null = options.ratePerMinute ?? null;
  let hits: number[] = [];
  let writes = 0;
  let origin = '';

  const setFaults = (faults: RandomFaults | null | undefined) => {
    random = faults ? { faults, next: prng(faults.seed ?? 1) } : null;
  };
  setFaults(options.faults);

  const findLocale = (locale: string): string | null => {
    const wanted = normalizeLocale(locale);
    return locales.includes(wanted) ? wanted : null;
  };

  // ---------- HTTP plumbing ----------

  const finish = (ctx: Ctx, reply: Reply, count = true) => {
    if (count && ctx.entry.write && reply.status >= 200 && reply.status < 300) writes++;
    if (ctx.lose) {
      ctx.entry.status = 'reset';
      ctx.req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { ...rateHeaders(), ...reply.headers };
    let data: Buffer | string = '';
    if (reply.raw) {
      headers['content-type'] = reply.raw.type;
      data = reply.raw.data;
    } else if (reply.status !== 204) {
      headers['content-type'] = JSON_TYPE;
      data = JSON.stringify(reply.body ?? {});
    }
    ctx.entry.status = reply.status;
    ctx.res.writeHead(reply.status, headers);
    ctx.res.end(data);
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const entry: LoggedRequest = {
      method,
      path: req.url ?? '/',
      status: 0,
      at: Date.now(),
      write: !['GET', 'HEAD', 'OPTIONS'].includes(method),
    };
    requests.push(entry);
    const body = await readBody(req);
    const ctx: Ctx = { req, res, entry, url: new URL(req.url ?? '/', origin), method, body, lose: false };
    if (options.delayMs) await sleep(options.delayMs);

    const download = /^\/hc\/article_attachments\/(\d+)\/([^/]+)$/.exec(ctx.url.pathname);
    if (download) return finish(ctx, serveAttachment(method, Number(download[1]), download[2]!));
    const storage = /^\/guide-media-uploads\/([A-Z0-9]+)$/.exec(ctx.url.pathname);
    if (storage) return finish(ctx, storeUpload(ctx, storage[1]!));
    // Brand mode: the brand's subdomain sends account-level calls to the primary one.
    if (options.redirectAccountCallsTo && /^\/api\/v2\/guide\/permission_groups/.test(ctx.url.pathname))
      return finish(ctx, {
        status: 301,
        headers: { location: `${options.redirectAccountCallsTo}${ctx.url.pathname}${ctx.url.search}` },
        raw: { data: '<html><body>Moved Permanently</body></html>', type: 'text/html' },
      });

    if (!authenticated(req.headers.authorization)) {
      return finish(ctx, { status: 401, body: { error: "Couldn't authenticate you" } });
    }
    const retryAfter = takeRateSlot();
    if (retryAfter !== null) {
      return finish(ctx, {
        status: 429,
        raw: { data: RATE_LIMIT_TEXT, type: 'text/plain; charset=utf-8' },
        headers: { 'retry-after': String(retryAfter) },
      });
    }

    const fault = takeScheduled(ctx) ?? drawFault(entry.write);
    if (fault === 'slow') await sleep(SLOW_MS);
    else if (fault === 'reset') {
      entry.status = 'reset';
      req.socket.destroy();
      return;
    } else if (fault === 'reset-after') ctx.lose = true;
    else if (fault === 504) {
      // The CDN gave up, Zendesk did not: the effect happens, the answer is an empty 504.
      const done = await route(ctx);
      if (ctx.entry.write && done.status >= 200 && done.status < 300) writes++;
      return finish(ctx, { status: 504, raw: { data: '', type: 'text/html' } }, false);
    } else if (fault !== undefined) return finish(ctx, faultReply(fault));

    finish(ctx, await route(ctx));
  };

  function authenticated(header: string | undefined): boolean {
    if (!header) return false;
    const [scheme, value = ''] = header.split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer') return !!auth.oauthToken && value === auth.oauthToken;
    if (scheme?.toLowerCase() === 'basic' && auth.token) {
      return Buffer.from(value, 'base64').toString('utf8') === `${email}/token:${auth.token}`;
    }
    return false;
  }

  /** Counts the request in the sliding window; the Retry-After seconds when the window is full. */
  function takeRateSlot(): number | null {
    if (ratePerMinute === null) return null;
    const at = Date.now();
    hits = hits.filter((hit) => hit > at - WINDOW_MS);
    if (hits.length < ratePerMinute) {
      hits.push(at);
      return null;
    }
    const oldest = hits[0] ?? at;
    return Math.max(1, Math.ceil((oldest + WINDOW_MS - at) / 1000));
  }

  function rateHeaders(): Record<string, string> {
    if (ratePerMinute === null) return {};
    const at = Date.now();
    const used = hits.filter((hit) => hit > at - WINDOW_MS).length;
    return {
      'x-rate-limit': String(ratePerMinute),
      'x-rate-limit-remaining': String(Math.max(0, ratePerMinute - used)),
    };
  }

  function drawFault(write: boolean): RandomFaultKind | undefined {
    if (!random || (random.faults.onlyWrites && !write)) return undefined;
    if (random.next() >= random.faults.rate) return undefined;
    const kinds = random.faults.kinds?.length ? random.faults.kinds : ALL_KINDS;
    return kinds[Math.floor(random.next() * kinds.length)];
  }

  function takeScheduled(ctx: Ctx): ScheduledFault | undefined {
    const at = scheduled.findIndex(
      ({ match }) =>
        (match.method === undefined || match.method.toUpperCase() === ctx.method) &&
        (match.path === undefined || match.path.test(ctx.url.pathname)),
    );
    return at < 0 ? undefined : scheduled.splice(at, 1)[0]!.fault;
  }

  function faultReply(fault: 429 | 500 | 502 | 503 | 402 | 410 | 413 | 422): Reply {
    switch (fault) {
      case 502:
        return { status: 502, raw: { data: CDN_PAGE(502, 'Bad Gateway'), type: 'text/html' } };
      case 413:
        return { status: 413, raw: { data: CDN_PAGE(413, 'Request Entity Too Large'), type: 'text/html' } };
      case 402:
        return { status: 402, body: { error: 'PaymentRequired', description: 'Payment Required' } };
      case 410:
        return { status: 410, body: { error: 'Gone', description: 'This endpoint has been removed' } };
      case 429:
        return {
          status: 429,
          raw: { data: RATE_LIMIT_TEXT, type: 'text/plain; charset=utf-8' },
          headers: { 'retry-after': '1' },
        };
      case 503:
        return {
          status: 503,
          body: { error: 'ServiceUnavailable', description: 'Service temporarily unavailable' },
          headers: { 'retry-after': '1' },
        };
      case 422:
        return recordInvalid('base', 'Injected validation failure', 'Invalid');
      default:
        return { status: 500, body: { error: 'InternalError', description: 'Internal server error' } };
    }
  }

  /** GET /api/v2/users/show_many?ids=1,2 (at most 100 ids): the users that exist, in no promised order. */
  function showManyUsers(ctx: Ctx): Reply {
    const list = (ctx.url.searchParams.get('ids') ?? '').split(',').filter(Boolean).map(Number);
    if (list.length === 0 || list.some((id) => !Number.isInteger(id)))
      return badRequest('InvalidValue', 'ids must be a comma-separated list of user ids');
    if (list.length > 100) return badRequest('TooManyValues', 'at most 100 ids');
    return ok({
      users: (options.users ?? [])
        .filter((u) => list.includes(u.id))
        .map((u) => ({
          id: u.id,
          name: u.name,
          email: u.email,
          locale: u.locale ?? defaultLocale,
          role: 'end-user',
        })),
    });
  }

  function serveAttachment(method: string, id: number, name: string): Reply {
    const file = files.get(id);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {}
    if (method !== 'GET' || !file || file.name !== decoded) return notFound();
    return { status: 200, raw: { data: file.data, type: file.type } };
  }

  // ---------- routing ----------

  async function route(ctx: Ctx): Promise<Reply> {
    const segs = ctx.url.pathname
      .replace(/\.json$/, '')
      .split('/')
      .filter(Boolean)
      .map((seg) => decodeURIComponent(seg));
    const { method } = ctx;
    if (segs[0] !== 'api' || segs[1] !== 'v2') return invalidEndpoint();
    const rest = segs.slice(2);
    if (rest.join('/') === 'users/me' && method === 'GET') {
      return { status: 200, body: { user: { id: 1001, name: 'Herald Bot', email, role: 'admin' } } };
    }
    if (rest.join('/') === 'guide/permission_groups' && method === 'GET') {
      return paginate(ctx, 'permission_groups', permissionGroups, (group) => ({
        ...group,
        built_in: false,
        created_at: started,
        updated_at: started,
        edit: [],
        publish: [],
      }));
    }
    if (rest.join('/') === 'users/show_many' && method === 'GET') return showManyUsers(ctx);
    if (rest[0] === 'guide' && rest[1] === 'medias' && options.media !== false) {
      if (rest.length === 3 && rest[2] === 'upload_url' && method === 'POST')
        return withJson(parseJson(ctx), (body) => createUploadSlot(body));
      if (rest.length === 2 && method === 'POST')
        return withJson(parseJson(ctx), (body) => createMedia(body));
    }
    if (rest[0] !== 'help_center') return invalidEndpoint();
    let hc = rest.slice(1);
    let locale: string | null = null;
    const first = hc[0];
    if (first && !RESOURCES.has(first) && /^[a-z]{2,3}([-_][a-z0-9]{2,8})*$/i.test(first) && hc.length > 1) {
      locale = findLocale(first);
      if (!locale) return invalidLocale(first);
      hc = hc.slice(1);
    }
    const [a, b, c, d] = hc;
    const n = hc.length;
    const json = () => parseJson(ctx);

    if (a === 'articles') {
      if (n === 1 && method === 'GET') return listArticles(ctx, locale, () => true);
      if (n === 2 && b === 'labels' && method === 'GET' && !locale) return listLabels();
      const id = Number(b);
      if (n === 2 && Number.isInteger(id)) {
        if (method === 'GET') return showArticle(id, locale);
        if (method === 'PUT') return withJson(json(), (body) => updateArticle(id, body));
        if (method === 'DELETE') return archiveArticle(id);
      }
      if (!locale && c === 'translations' && Number.isInteger(id)) {
        if (n === 3 && method === 'GET') return listTranslations(ctx, id);
        if (n === 3 && method === 'POST') return withJson(json(), (body) => createTranslation(id, body));
        if (n === 4 && d !== undefined && method === 'GET') return showTranslation(id, d);
        if (n === 4 && d !== undefined && method === 'PUT') {
          return withJson(json(), (body) => updateTranslation(id, d, body));
        }
      }
      if (!locale && n === 3 && c === 'attachments' && Number.isInteger(id)) {
        if (method === 'POST') return uploadAttachment(ctx, id);
        if (method === 'GET') return listAttachments(id);
      }
      return invalidEndpoint();
    }
    if (a === 'sections') {
      if (n === 1 && method === 'GET') {
        return paginate(ctx, 'sections', [...sections.values()], (s) => sectionJson(s, locale));
      }
      const section = sections.get(Number(b));
      if (n === 2 && method === 'GET')
        return section ? ok({ section: sectionJson(section, locale) }) : notFound();
      if (n === 3 && c === 'subscriptions' && method === 'GET') {
        if (!section) return notFound();
        const list = subscriptions.filter((sub) => sub.content_id === section.id);
        return paginate(ctx, 'subscriptions', list, (sub) => sub);
      }
      if (n === 3 && c === 'articles') {
        if (!section) return notFound();
        if (method === 'GET') return listArticles(ctx, locale, (art) => art.section_id === section.id);
        if (method === 'POST') return withJson(json(), (body) => createArticle(section, locale, body));
      }
      return invalidEndpoint();
    }
    if (a === 'categories') {
      if (n === 1 && method === 'GET') {
        return paginate(ctx, 'categories', categories, (cat) => categoryJson(cat, locale));
      }
      const category = categories.find((cat) => cat.id === Number(b));
      if (n === 2 && method === 'GET') {
        return category ? ok({ category: categoryJson(category, locale) }) : notFound();
      }
      if (n === 3 && c === 'sections') {
        if (!category) return notFound();
        if (method === 'GET') {
          const list = [...sections.values()].filter((s) => s.category_id === category.id);
          return paginate(ctx, 'sections', list, (s) => sectionJson(s, locale));
        }
        if (method === 'POST') return withJson(json(), (body) => createSection(category.id, locale, body));
      }
      if (n === 3 && c === 'articles' && method === 'GET') {
        if (!category) return notFound();
        return listArticles(ctx, locale, (art) => sections.get(art.section_id)?.category_id === category.id);
      }
      return invalidEndpoint();
    }
    if (a === 'user_segments' && method === 'GET' && !locale) {
      if (n === 1 || (n === 2 && b === 'applicable')) {
        return paginate(ctx, 'user_segments', userSegments, userSegmentJson);
      }
      const segment = userSegments.find((s) => s.id === Number(b));
      if (n === 2) return segment ? ok({ user_segment: userSegmentJson(segment) }) : notFound();
    }
    if (a === 'locales' && n === 1 && method === 'GET' && !locale) {
      return ok({ locales, default_locale: defaultLocale });
    }
    return invalidEndpoint();
  }

  function ok(body: unknown, status = 200): Reply {
    return { status, body };
  }

  function parseJson(ctx: Ctx): unknown {
    if (ctx.body.length === 0) return {};
    try {
      return JSON.parse(ctx.body.toString('utf8'));
    } catch {
      return undefined;
    }
  }

  function withJson(body: unknown, next: (body: Record<string, unknown>) => Reply): Reply {
    if (!isRecord(body)) return badRequest('InvalidJSON', 'The request body is not a JSON object');
    return next(body);
  }

  // ---------- pagination ----------

  /** Offset pagination by default; cursor pagination when `page[size]` is given. Items sorted by id. */
  function paginate<T extends { id: number }>(
    ctx: Ctx,
    key: string,
    items: T[],
    render: (item: T) => unknown,
  ): Reply {
    const sorted = [...items].sort((x, y) => x.id - y.id);
    const params = ctx.url.searchParams;
    // Links reuse the Host header exactly as the client sent it: node-zendesk follows a next URL
    // only if it contains its endpointUri string verbatim.
    const self = new URL(ctx.req.url ?? '/', `http://${ctx.req.headers.host ?? new URL(origin).host}`);
    const sizeParam = params.get('page[size]');
    if (sizeParam !== null) {
      const size = Number(sizeParam);
      if (!Number.isInteger(size) || size < 1 || size > 100) {
        return badRequest('InvalidPaginationParameter', 'page[size] must be an integer from 1 to 100');
      }
      const after = params.get('page[after]');
      const before = params.get('page[before]');
      const afterId = after === null ? null : decodeCursor(after);
      const beforeId = before === null ? null : decodeCursor(before);
      if (Number.isNaN(afterId) || Number.isNaN(beforeId)) {
        return badRequest('InvalidPaginationParameter', 'Invalid cursor');
      }
      let page: T[];
      if (beforeId !== null) page = sorted.filter((item) => item.id < beforeId).slice(-size);
      else page = sorted.filter((item) => afterId === null || item.id > afterId).slice(0, size);
      const firstId = page[0]?.id;
      const lastId = page.at(-1)?.id;
      const hasMore = lastId !== undefined && sorted.some((item) => item.id > lastId);
      const hasPrev = firstId !== undefined && sorted.some((item) => item.id < firstId);
      const afterCursor = lastId === undefined ? null : encodeCursor(lastId);
      const beforeCursor = firstId === undefined ? null : encodeCursor(firstId);
      const link = (name: 'page[after]' | 'page[before]', cursor: string) => {
        const target = new URL(self);
        target.searchParams.delete('page[after]');
        target.searchParams.delete('page[before]');
        target.searchParams.set(name, cursor);
        return target.href;
      };
      return ok({
        [key]: page.map(render),
        meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
        // links.next must be null on the last page: node-zendesk follows links.next blindly.
        links: {
          first: (() => {
            const target = new URL(self);
            target.searchParams.delete('page[after]');
            target.searchParams.delete('page[before]');
            return target.href;
          })(),
          next: hasMore && afterCursor ? link('page[after]', afterCursor) : null,
          prev: hasPrev && beforeCursor ? link('page[before]', beforeCursor) : null,
        },
      });
    }
    const perPageParam = Number(params.get('per_page') ?? 30);
    const perPage = Math.min(100, Number.isInteger(perPageParam) && perPageParam > 0 ? perPageParam : 30);
    const pageParam = Number(params.get('page') ?? 1);
    const page = Number.isInteger(pageParam) && pageParam > 0 ? pageParam : 1;
    if (page > MAX_OFFSET_PAGES) {
      return badRequest(
        'InvalidPaginationParameter',
        'Offset pagination is limited to the first 100 pages. Use cursor pagination (page[size]) instead.',
      );
    }
    const pageCount = Math.ceil(sorted.length / perPage);
    const at = (n: number) => {
      const target = new URL(self);
      target.searchParams.set('page', String(n));
      target.searchParams.set('per_page', String(perPage));
      return target.href;
    };
    return ok({
      [key]: sorted.slice((page - 1) * perPage, page * perPage).map(render),
      page,
      per_page: perPage,
      page_count: pageCount,
      count: sorted.length,
      next_page: page < pageCount ? at(page + 1) : null,
      previous_page: page > 1 ? at(Math.min(page - 1, Math.max(1, pageCount))) : null,
    });
  }

  function encodeCursor(id: number): string {
    return Buffer.from(`id:${id}`).toString('base64url');
  }

  function decodeCursor(cursor: string): number {
    const match = /^id:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    return match ? Number(match[1]) : Number.NaN;
  }

  // ---------- articles ----------

  function articleUrls(id: number, locale: string, title: string) {
    return {
      html_url: `${origin}/hc/${locale}/articles/${id}-${slug(title)}`,
      url: `${origin}/api/v2/help_center/${locale}/articles/${id}.json`,
    };
  }

  function articleJson(article: StoredArticle, locale: string) {
    const translation = article.translations.get(locale)!;
    return {
      id: article.id,
      ...articleUrls(article.id, locale, translation.title),
      author_id: 1001,
      comments_disabled: article.comments_disabled,
      draft: translation.draft,
      promoted: article.promoted,
      position: article.position,
      vote_sum: 0,
      vote_count: 0,
      section_id: article.section_id,
      created_at: article.created_at,
      updated_at: article.updated_at > translation.updated_at ? article.updated_at : translation.updated_at,
      name: translation.title,
      title: translation.title,
      source_locale: article.source_locale,
      locale,
      outdated: false,
      outdated_locales: [],
      edited_at: translation.updated_at,
      user_segment_id: article.user_segment_id,
      user_segment_ids: article.user_segment_id === null ? [] : [article.user_segment_id],
      permission_group_id: article.permission_group_id,
      content_tag_ids: [],
      label_names: [...article.label_names],
      body: translation.body,
    };
  }

  function liveArticle(id: number): StoredArticle | undefined {
    const article = articles.get(id);
    return article && !article.archived ? article : undefined;
  }

  function listArticles(ctx: Ctx, locale: string | null, where: (article: StoredArticle) => boolean): Reply {
    const raw = ctx.url.searchParams.get('label_names');
    const labels = raw === null ? [] : raw.split(',').filter((label) => label.length > 0);
    if (labels.length > MAX_LABELS) {
      return badRequest('InvalidParameter', `label_names accepts at most ${MAX_LABELS} labels`);
    }
    const list = [...articles.values()].filter(
      (article) =>
        !article.archived &&
        where(article) &&
        (locale === null || article.translations.has(locale)) &&
        labels.every((label) => article.label_names.includes(label)),
    );
    return paginate(ctx, 'articles', list, (article) =>
      articleJson(article, locale ?? article.source_locale),
    );
  }

  function showArticle(id: number, locale: string | null): Reply {
    const article = liveArticle(id);
    if (!article || (locale !== null && !article.translations.has(locale))) return notFound();
    return ok({ article: articleJson(article, locale ?? article.source_locale) });
  }

  /** Validates permission_group_id / user_segment_id(s) in the Help Center error shape. */
  function checkAccess(
    input: Record<string, unknown>,
    required: boolean,
  ): Reply | { permission_group_id?: number; user_segment_id?: number | null } {
    const out: { permission_group_id?: number; user_segment_id?: number | null } = {};
    if ('permission_group_id' in input || required) {
      const group = input.permission_group_id;
      if (group === undefined || group === null)
        return invalidAttribute('permission_group_id must be specified');
      if (!permissionGroups.some((g) => g.id === Number(group))) {
        return invalidAttribute(`Permission group ${String(group)} not found`);
      }
      out.permission_group_id = Number(group);
    }
    if ('user_segment_ids' in input) {
      const list = input.user_segment_ids;
      if (!Array.isArray(list)) return invalidAttribute('user_segment_ids must be an array');
      for (const segment of list) {
        if (!userSegments.some((s) => s.id === Number(segment))) {
          return invalidAttribute(`User segment ${String(segment)} not found`);
        }
      }
      out.user_segment_id = list.length ? Number(list[0]) : null;
    } else if ('user_segment_id' in input) {
      const segment = input.user_segment_id;
      if (segment !== null && !userSegments.some((s) => s.id === Number(segment))) {
        return invalidAttribute(`User segment ${String(segment)} not found`);
      }
      out.user_segment_id = segment === null ? null : Number(segment);
    } else if (required) {
      return invalidAttribute(
        'Either user_segment_id or user_segment_ids must be specified (use null for everyone)',
      );
    }
    return out;
  }

  function checkLabels(value: unknown): Reply | string[] {
    if (!Array.isArray(value) || value.some((label) => typeof label !== 'string')) {
      return recordInvalid('label_names', 'Label names: must be an array of strings', 'InvalidValue');
    }
    return [...value] as string[];
  }

  function isReply(value: unknown): value is Reply {
    return isRecord(value) && typeof value.status === 'number';
  }

  function createArticle(
    section: StoredSection,
    urlLocale: string | null,
    body: Record<string, unknown>,
  ): Reply {
    const input = body.article;
    if (!isRecord(input))
      return badRequest('ParameterMissing', 'param is missing or the value is empty: article');
    const requested = urlLocale ?? (typeof input.locale === 'string' ? input.locale : null);
    if (requested === null) return badRequest('InvalidLocale', 'A locale must be specified');
    const locale = findLocale(requested);
    if (!locale) return invalidLocale(requested);
    const title = typeof input.title === 'string' ? input.title.trim() : '';
    if (!title) return recordInvalid('title', 'Title: cannot be blank');
    const access = checkAccess(input, true);
    if (isReply(access)) return access;
    let labels: string[] = [];
    if (input.label_names !== undefined && labelsOnPlan) {
      const checked = checkLabels(input.label_names);
      if (isReply(checked)) return checked;
      labels = checked;
    }
    const at = now();
    const id = ++ids.article;
    const article: StoredArticle = {
      id,
      section_id: section.id,
      source_locale: locale,
      label_names: labels,
      permission_group_id: access.permission_group_id!,
      user_segment_id: access.user_segment_id ?? null,
      position: typeof input.position === 'number' ? input.position : 0,
      promoted: input.promoted === true,
      comments_disabled: input.comments_disabled === true,
      created_at: at,
      updated_at: at,
      archived: false,
      notify_subscribers: body.notify_subscribers !== false,
      translations: new Map([
        [
          locale,
          {
            id: ++ids.translation,
            title,
            body: typeof input.body === 'string' ? input.body : '',
            draft: input.draft === true,
            created_at: at,
            updated_at: at,
          },
        ],
      ]),
      attachments: [],
    };
    articles.set(id, article);
    return ok({ article: articleJson(article, locale) }, 201);
  }

  function updateArticle(id: number, body: Record<string, unknown>): Reply {
    const article = liveArticle(id);
    if (!article) return notFound();
    const input = body.article;
    if (!isRecord(input))
      return badRequest('ParameterMissing', 'param is missing or the value is empty: article');
    // Metadata only: title, body, locale and draft belong to translations and are ignored here.
    const access = checkAccess(input, false);
    if (isReply(access)) return access;
    let labels = article.label_names;
    if (input.label_names !== undefined && labelsOnPlan) {
      const checked = checkLabels(input.label_names);
      if (isReply(checked)) return checked;
      labels = checked;
    }
    let sectionId = article.section_id;
    if (input.section_id !== undefined) {
      if (!sections.has(Number(input.section_id))) {
        return invalidAttribute(`Section ${String(input.section_id)} not found`);
      }
      sectionId = Number(input.section_id);
    }
    if (input.position !== undefined && typeof input.position !== 'number') {
      return recordInvalid('position', 'Position: must be a number', 'InvalidValue');
    }
    Object.assign(article, {
      label_names: labels,
      section_id: sectionId,
      ...access,
      ...(typeof input.position === 'number' ? { position: input.position } : {}),
      ...(typeof input.promoted === 'boolean' ? { promoted: input.promoted } : {}),
      ...(typeof input.comments_disabled === 'boolean' ? { comments_disabled: input.comments_disabled } : {}),
      updated_at: now(),
    });
    return ok({ article: articleJson(article, article.source_locale) });
  }

  function archiveArticle(id: number): Reply {
    const article = liveArticle(id);
    if (!article) return notFound();
    article.archived = true;
    article.updated_at = now();
    return { status: 204 };
  }

  // ---------- translations ----------

  function translationJson(article: StoredArticle, locale: string) {
    const t = article.translations.get(locale)!;
    return {
      id: t.id,
      url: `${origin}/api/v2/help_center/articles/${article.id}/translations/${locale}.json`,
      html_url: articleUrls(article.id, locale, t.title).html_url,
      source_id: article.id,
      source_type: 'Article',
      locale,
      title: t.title,
      body: t.body,
      outdated: false,
      draft: t.draft,
      hidden: false,
      created_at: t.created_at,
      updated_at: t.updated_at,
      updated_by_id: 1001,
      created_by_id: 1001,
    };
  }

  function listTranslations(ctx: Ctx, id: number): Reply {
    const article = liveArticle(id);
    if (!article) return notFound();
    const list = [...article.translations.values()].map((t) => ({ id: t.id }));
    const byId = new Map([...article.translations].map(([locale, t]) => [t.id, locale]));
    return paginate(ctx, 'translations', list, (t) => translationJson(article, byId.get(t.id)!));
  }

  function showTranslation(id: number, rawLocale: string): Reply {
    const article = liveArticle(id);
    const locale = findLocale(rawLocale);
    if (!article || !locale || !article.translations.has(locale)) return notFound();
    return ok({ translation: translationJson(article, locale) });
  }

  function createTranslation(id: number, body: Record<string, unknown>): Reply {
    const article = liveArticle(id);
    if (!article) return notFound();
    const input = body.translation;
    if (!isRecord(input)) {
      return badRequest('ParameterMissing', 'param is missing or the value is empty: translation');
    }
    if (typeof input.locale !== 'string') return badRequest('InvalidLocale', 'A locale must be specified');
    const locale = findLocale(input.locale);
    if (!locale) return invalidLocale(input.locale);
    if (article.translations.has(locale)) {
      return badRequest('TranslationAlreadyExists', `Translation for locale ${locale} already exists`);
    }
    const title = typeof input.title === 'string' ? input.title.trim() : '';
    if (!title) return recordInvalid('title', 'Title: cannot be blank');
    const at = now();
    article.translations.set(locale, {
      id: ++ids.translation,
      title,
      body: typeof input.body === 'string' ? input.body : '',
      draft: input.draft === true,
      created_at: at,
      updated_at: at,
    });
    dropUnembedded(article, locale);
    return ok({ translation: translationJson(article, locale) }, 201);
  }

  function updateTranslation(id: number, rawLocale: string, body: Record<string, unknown>): Reply {
    const article = liveArticle(id);
    const locale = findLocale(rawLocale);
    const current = locale ? article?.translations.get(locale) : undefined;
    if (!article || !locale || !current) return notFound();
    const input = body.translation;
    if (!isRecord(input)) {
      return badRequest('ParameterMissing', 'param is missing or the value is empty: translation');
    }
    if (input.title !== undefined && (typeof input.title !== 'string' || !input.title.trim())) {
      return recordInvalid('title', 'Title: cannot be blank');
    }
    if (typeof input.title === 'string') current.title = input.title.trim();
    if (typeof input.body === 'string') current.body = input.body;
    dropUnembedded(article, locale);
    if (typeof input.draft === 'boolean') current.draft = input.draft;
    current.updated_at = now();
    article.updated_at = current.updated_at;
    return ok({ translation: translationJson(article, locale) });
  }

  // ---------- attachments ----------

  async function parseForm(ctx: Ctx): Promise<FormData | null> {
    try {
      const request = new Request('http://emulator.invalid/', {
        method: 'POST',
        headers: { 'content-type': ctx.req.headers['content-type'] ?? '' },
        body: new Uint8Array(ctx.body),
      });
      return await request.formData();
    } catch {
      return null;
    }
  }

  async function uploadAttachment(ctx: Ctx, id: number): Promise<Reply> {
    const article = liveArticle(id);
    if (!article) return notFound();
    const type = ctx.req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(type) || !/boundary=/i.test(type)) {
      return badRequest('BadRequest', 'Expected multipart/form-data with a boundary');
    }
    if (ctx.body.length > MAX_ATTACHMENT_BYTES) {
      return {
        status: 413,
        body: { error: 'FileTooLarge', description: 'Attachments are limited to 20 MB' },
      };
    }
    const form = await parseForm(ctx);
    if (!form) return badRequest('BadRequest', 'The multipart body could not be read');
    const file = form.get('file');
    const mediaId = form.get('guide_media_id');
    let data: Buffer;
    let fileName: string;
    let contentType: string;
    if (typeof mediaId === 'string' && options.media !== false) {
      const media = medias.get(mediaId);
      if (!media) return invalidAttribute(`Guide media ${mediaId} not found`);
      ({ data, name: fileName, content_type: contentType } = media);
    } else if (file && typeof file !== 'string' && options.fileUploads !== false) {
      data = Buffer.from(await file.arrayBuffer());
      fileName = file.name || 'file';
      contentType = file.type || 'application/octet-stream';
    } else if (file && typeof file !== 'string') {
      return badRequest(
        'InvalidAttachment',
        'Upload the file as a Guide media object and pass guide_media_id',
      );
    } else {
      return badRequest('BadRequest', 'The multipart field "file" or "guide_media_id" is required');
    }
    const attachmentId = ++ids.attachment;
    const inline = String(form.get('inline') ?? 'false') === 'true';
    const rawLocale = form.get('locale');
    const locale = typeof rawLocale === 'string' ? (findLocale(rawLocale) ?? article.source_locale) : null;
    const contentUrl = `${origin}/hc/article_attachments/${attachmentId}/${encodeURIComponent(fileName)}`;
    files.set(attachmentId, { data, type: contentType, name: fileName });
    article.attachments.push({
      id: attachmentId,
      file_name: fileName,
      content_type: contentType,
      size: data.length,
      content_url: contentUrl,
      inline,
      locale: locale ?? article.source_locale,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    const at = now();
    return ok(
      {
        article_attachment: {
          id: attachmentId,
          url: `${origin}/api/v2/help_center/articles/attachments/${attachmentId}.json`,
          article_id: article.id,
          display_file_name: fileName,
          file_name: fileName,
          locale: locale ?? article.source_locale,
          content_url: contentUrl,
          relative_path: `/hc/article_attachments/${attachmentId}/${encodeURIComponent(fileName)}`,
          content_type: contentType,
          size: data.length,
          inline,
          created_at: at,
          updated_at: at,
        },
      },
      201,
    );
  }

  function listAttachments(id: number): Reply {
    const article = liveArticle(id);
    if (!article) return notFound();
    return ok({
      article_attachments: article.attachments.map((att) => ({
        id: att.id,
        article_id: article.id,
        file_name: att.file_name,
        content_url: att.content_url,
        content_type: att.content_type,
        size: att.size,
        inline: att.inline,
        locale: att.locale,
      })),
    });
  }

  /** "Inline article attachments that are no longer embedded in the translation get deleted." */
  function dropUnembedded(article: StoredArticle, locale: string) {
    const body = article.translations.get(locale)?.body ?? '';
    article.attachments = article.attachments.filter((att) => {
      const kept = !att.inline || att.locale !== locale || body.includes(att.content_url);
      if (!kept) files.delete(att.id);
      return kept;
    });
  }

  function listLabels(): Reply {
    if (!labelsOnPlan)
      return {
        status: 403,
        body: {
          error: 'Forbidden',
          description:
            'You do not have access to this page. Please contact the account owner of this help desk for further help.',
        },
      };
    const names = [...new Set([...articles.values()].flatMap((a) => a.label_names))].sort();
    return ok({
      labels: names.map((name, i) => ({ id: 7000 + i, name, created_at: started, updated_at: started })),
    });
  }

  // ---------- Guide media ----------

  /** POST /api/v2/guide/medias/upload_url {content_type, file_size}: a storage slot, valid for one PUT. */
  function createUploadSlot(body: Record<string, unknown>): Reply {
    const contentType = body.content_type;
    const size = body.file_size;
    if (typeof contentType !== 'string' || !contentType)
      return recordInvalid('content_type', 'Content type: cannot be blank');
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
      return recordInvalid('file_size', 'File size: must be a positive integer', 'InvalidValue');
    if (size > MAX_ATTACHMENT_BYTES)
      return recordInvalid('file_size', 'File size: must be at most 20 MB', 'InvalidValue');
    const id = ulid();
    uploadSlots.set(id, { contentType, size, data: null });
    return ok({
      upload_url: {
        url: `${origin}/guide-media-uploads/${id}`,
        asset_upload_id: id,
        headers: { 'Content-Type': contentType, 'X-Amz-Server-Side-Encryption': 'AES256' },
      },
    });
  }

  /** The storage bucket's PUT: exact headers, the announced size, and no Zendesk credentials. */
  function storeUpload(ctx: Ctx, id: string): Reply {
    const slot = uploadSlots.get(id);
    if (ctx.method !== 'PUT' || !slot || slot.data)
      return { status: 403, raw: { data: 'AccessDenied', type: 'application/xml' } };
    if (ctx.req.headers.authorization)
      return {
        status: 400,
        raw: { data: 'InvalidArgument: Only one auth mechanism allowed', type: 'application/xml' },
      };
    if (
      ctx.req.headers['content-type'] !== slot.contentType ||
      ctx.req.headers['x-amz-server-side-encryption'] !== 'AES256'
    )
      return { status: 403, raw: { data: 'SignatureDoesNotMatch', type: 'application/xml' } };
    if (ctx.body.length !== slot.size)
      return { status: 400, raw: { data: 'IncompleteBody', type: 'application/xml' } };
    slot.data = ctx.body;
    return { status: 200, raw: { data: '', type: 'application/xml' } };
  }

  /** POST /api/v2/guide/medias {asset_upload_id, filename} → 201 {media}. */
  function createMedia(body: Record<string, unknown>): Reply {
    const slot = typeof body.asset_upload_id === 'string' ? uploadSlots.get(body.asset_upload_id) : undefined;
    if (!slot?.data) return invalidAttribute('asset_upload_id: no uploaded asset with this id');
    if (typeof body.filename !== 'string' || !body.filename.trim())
      return recordInvalid('filename', 'Filename: cannot be blank');
    uploadSlots.delete(body.asset_upload_id as string);
    const id = ulid();
    const accessKey = ulid();
    const at = new Date().toISOString();
    medias.set(id, {
      id,
      name: body.filename,
      content_type: slot.contentType,
      size: slot.size,
      data: slot.data,
    });
    return ok(
      {
        media: {
          id,
          access_key: accessKey,
          name: body.filename,
          content_type: slot.contentType,
          size: slot.size,
          url: `/guide-media/${accessKey}`,
          version: 1,
          created_at: at,
          updated_at: at,
        },
      },
      201,
    );
  }

  /** A ULID-shaped id (26 Crockford base-32 characters), increasing. */
  function ulid(): string {
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    let n = BigInt(Date.now()) * 2n ** 80n + BigInt(++mediaSeq);
    let out = '';
    for (let i = 0; i < 26; i++) {
      out = alphabet[Number(n % 32n)] + out;
      n /= 32n;
    }
    return out;
  }

  // ---------- sections, categories, segments ----------

  function sectionJson(section: StoredSection, locale: string | null) {
    const loc = locale ?? section.locale;
    return {
      id: section.id,
      url: `${origin}/api/v2/help_center/${loc}/sections/${section.id}.json`,
      html_url: `${origin}/hc/${loc}/sections/${section.id}-${slug(section.name)}`,
      category_id: section.category_id,
      position: section.position,
      sorting: 'manual',
      created_at: section.created_at,
      updated_at: section.updated_at,
      name: section.name,
      description: section.description,
      locale: loc,
      source_locale: section.locale,
      outdated: false,
      parent_section_id: null,
      theme_template: 'section_page',
    };
  }

  function categoryJson(category: { id: number; name: string }, locale: string | null) {
    const loc = locale ?? defaultLocale;
    return {
      id: category.id,
      url: `${origin}/api/v2/help_center/${loc}/categories/${category.id}.json`,
      html_url: `${origin}/hc/${loc}/categories/${category.id}-${slug(category.name)}`,
      position: 0,
      created_at: started,
      updated_at: started,
      name: category.name,
      description: '',
      locale: loc,
      source_locale: defaultLocale,
      outdated: false,
    };
  }

  function userSegmentJson(segment: { id: number; name: string }) {
    return {
      id: segment.id,
      name: segment.name,
      user_type: 'signed_in_users',
      group_ids: [],
      organization_ids: [],
      tags: [],
      or_tags: [],
      added_user_ids: [],
      built_in: false,
      created_at: started,
      updated_at: started,
    };
  }

  function createSection(categoryId: number, urlLocale: string | null, body: Record<string, unknown>): Reply {
    const input = body.section;
    if (!isRecord(input))
      return badRequest('ParameterMissing', 'param is missing or the value is empty: section');
    const requested = urlLocale ?? (typeof input.locale === 'string' ? input.locale : defaultLocale);
    const locale = findLocale(requested);
    if (!locale) return invalidLocale(requested);
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name) return recordInvalid('name', 'Name: cannot be blank');
    const at = now();
    const section: StoredSection = {
      id: ++ids.section,
      name,
      category_id: categoryId,
      locale,
      position: typeof input.position === 'number' ? input.position : 0,
      description: typeof input.description === 'string' ? input.description : '',
      created_at: at,
      updated_at: at,
    };
    sections.set(section.id, section);
    return ok({ section: sectionJson(section, locale) }, 201);
  }

  // ---------- server ----------

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    helpCenterUri: `${origin}/api/v2/help_center`,
    apiUri: `${origin}/api/v2`,
    requests,
    articles: () => [...articles.values()].map(snapshot),
    sections: () =>
      [...sections.values()].map((s) => ({
        id: s.id,
        name: s.name,
        category_id: s.category_id,
        locale: s.locale,
      })),
    failNext(count, fault, match = {}) {
      for (let i = 0; i < count; i++) scheduled.push({ fault, match });
    },
    medias: () => [...medias.values()].map(({ data: _data, ...media }) => media),
    mediaData: (id) => medias.get(id)?.data ?? null,
    setFaults: (faults) => setFaults(faults),
    setRatePerMinute(n) {
      ratePerMinute = n;
      hits = [];
    },
    writeCount: () => writes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function snapshot(article: StoredArticle): EmulatedArticle {
    const source = article.translations.get(article.source_locale)!;
    return {
      id: article.id,
      section_id: article.section_id,
      title: source.title,
      body: source.body,
      locale: article.source_locale,
      source_locale: article.source_locale,
      label_names: [...article.label_names],
      draft: source.draft,
      ...articleUrls(article.id, article.source_locale, source.title),
      permission_group_id: article.permission_group_id,
      user_segment_id: article.user_segment_id,
      position: article.position,
      created_at: article.created_at,
      updated_at: article.updated_at,
      archived: article.archived,
      translations: Object.fromEntries(
        [...article.translations].map(([locale, t]) => [
          locale,
          { title: t.title, body: t.body, draft: t.draft, updated_at: t.updated_at },
        ]),
      ),
      notify_subscribers: article.notify_subscribers,
      attachments: article.attachments.map((att) => ({ ...att })),
    };
  }
}
