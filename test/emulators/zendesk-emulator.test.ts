import zendesk from 'node-zendesk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startZendeskEmulator, type ZendeskEmulator } from './zendesk.js';

/**
 * Drives the Zendesk emulator through the real node-zendesk 6.0.1 client (and raw fetch where
 * node-zendesk cannot go), proving the Help Center contracts it stands in for, including
 * node-zendesk's traps: answers carrying Retry-After, 204s, and every status node-zendesk does not
 * list (a CDN's 502/504, 402, 410, 413) resolve instead of throwing.
 */

type Answer = {
  response: { status: number; headers: { get(name: string): string | null } };
  result: unknown;
};
type ZendeskError = Error & { statusCode?: number; result?: unknown; code?: string };

/** The subset of node-zendesk used here; its generated typings are not usable. */
interface HelpCenter {
  articlelabels: { list(): Promise<Answer> };
  articles: {
    create(sectionId: number, body: unknown): Promise<Answer>;
    createWithLocale(locale: string, sectionId: number, body: unknown): Promise<Answer>;
    show(id: number): Promise<Answer>;
    list(): Promise<unknown[]>;
    listByLabelNames(labels: string[]): Promise<unknown[]>;
    update(id: number, body: unknown): Promise<Answer>;
    delete(id: number): Promise<Answer>;
  };
  translations: {
    show(articleId: number, locale: string): Promise<Answer>;
    createForArticle(articleId: number, body: unknown): Promise<Answer>;
    updateForArticle(articleId: number, locale: string, body: unknown): Promise<Answer>;
  };
  sections: { list(): Promise<unknown[]>; create(categoryId: number, body: unknown): Promise<Answer> };
  usersegments: { list(): Promise<unknown[]> };
}
interface Core {
  users: { me(): Promise<Answer> };
  permissiongroups: { list(): Promise<unknown[]> };
}

interface Article {
  id: number;
  title: string;
  body: string;
  locale: string;
  html_url: string;
  label_names: string[];
  section_id: number;
}

const EMAIL = 'bot@acme.example';
const TOKEN = 'zd-token';

function helpCenter(emu: ZendeskEmulator, token = TOKEN): HelpCenter {
  const client = zendesk.createClient({
    username: EMAIL,
    token,
    endpointUri: emu.helpCenterUri,
    throwOriginalException: true,
  } as Parameters<typeof zendesk.createClient>[0]);
  return client.helpcenter as unknown as HelpCenter;
}

function core(emu: ZendeskEmulator): Core {
  return zendesk.createClient({
    username: EMAIL,
    token: TOKEN,
    endpointUri: emu.apiUri,
    throwOriginalException: true,
  } as Parameters<typeof zendesk.createClient>[0]) as unknown as Core;
}

const basicAuth = `Basic ${Buffer.from(`${EMAIL}/token:${TOKEN}`).toString('base64')}`;

const newArticle = (title: string, extra: Record<string, unknown> = {}) => ({
  article: {
    title,
    body: `<p>${title}</p>`,
    locale: 'en-us',
    permission_group_id: 1,
    user_segment_id: null,
    label_names: ['release-notes', 'v1.2.0'],
    draft: false,
    ...extra,
  },
  notify_subscribers: false,
});

async function rejection(promise: Promise<unknown>): Promise<ZendeskError> {
  try {
    await promise;
  } catch (error) {
    return error as ZendeskError;
  }
  throw new Error('expected the call to reject');
}

describe('Zendesk Help Center emulator via node-zendesk', () => {
  let emu: ZendeskEmulator;
  let hc: HelpCenter;
  let created: Article;

  beforeAll(async () => {
    emu = await startZendeskEmulator();
    hc = helpCenter(emu);
  });
  afterAll(() => emu.close());

  it('answers the credential check and lists permission groups through the core client', async () => {
    const me = await core(emu).users.me();
    expect(me.result).toMatchObject({ email: EMAIL, role: 'admin' });
    expect(await core(emu).permissiongroups.list()).toEqual([
      expect.objectContaining({ id: 1, name: 'Editors' }),
    ]);
    // usersegments does not unwrap (jsonAPINames mismatch): getAll yields whole pages.
    const pages = (await hc.usersegments.list()) as { user_segments: { id: number }[] }[];
    expect(pages[0]?.user_segments.map((s) => s.id)).toEqual([7]);
  });

  it('creates an article: 201, body unwrapped as result, notify_subscribers read from the root', async () => {
    const writesBefore = emu.writeCount();
    const { response, result } = await hc.articles.create(100, newArticle('Release 1.2.0: Faster sync'));
    created = result as Article;
    expect(response.status).toBe(201);
    expect(created.id).toBe(360000000001);
    expect(created).toMatchObject({ locale: 'en-us', section_id: 100, title: 'Release 1.2.0: Faster sync' });
    expect(created.html_url).toBe(`${emu.url}/hc/en-us/articles/360000000001-Release-1-2-0-Faster-sync`);
    const stored = emu.articles().find((a) => a.id === created.id)!;
    expect(stored).toMatchObject({
      notify_subscribers: false,
      permission_group_id: 1,
      user_segment_id: null,
    });
    expect(stored.translations['en-us']?.title).toBe('Release 1.2.0: Faster sync');
    expect(emu.writeCount()).toBe(writesBefore + 1);

    // notify_subscribers inside `article` is not the documented place: Zendesk's default (true) stands.
    const misplaced = await hc.articles.createWithLocale('de', 101, {
      article: { ...newArticle('Hallo').article, locale: undefined, notify_subscribers: false },
    });
    expect((misplaced.result as Article).locale).toBe('de');
    expect(emu.articles().find((a) => a.id === (misplaced.result as Article).id)?.notify_subscribers).toBe(
      true,
    );
  });

  it('filters by label names with AND, case-sensitive semantics', async () => {
    const found = (await hc.articles.listByLabelNames(['release-notes', 'v1.2.0'])) as Article[];
    expect(found.map((a) => a.id)).toContain(created.id);
    expect(await hc.articles.listByLabelNames(['release-notes', 'v9'])).toEqual([]);
    expect(await hc.articles.listByLabelNames(['Release-Notes'])).toEqual([]);
    const tooMany = await fetch(`${emu.helpCenterUri}/articles.json?label_names=${'x,'.repeat(11)}`, {
      headers: { authorization: basicAuth },
    });
    expect(tooMany.status).toBe(400);
  });

  it('surfaces both 422 shapes as err.statusCode / err.result with throwOriginalException', async () => {
    const blank = await rejection(hc.articles.create(100, newArticle('')));
    expect(blank.statusCode).toBe(422);
    expect(blank.result).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { title: [{ description: 'Title: cannot be blank', error: 'BlankValue' }] },
    });

    const { user_segment_id: _dropped, ...withoutSegment } = newArticle('No segment').article;
    const noSegment = await rejection(hc.articles.create(100, { article: withoutSegment }));
    expect(noSegment.statusCode).toBe(422);
    expect(noSegment.result).toMatchObject({ error: { title: 'Invalid attribute' } });

    const badGroup = await rejection(
      hc.articles.create(100, newArticle('Bad group', { permission_group_id: 99 })),
    );
    expect(badGroup.result).toMatchObject({ error: { title: 'Invalid attribute' } });

    const badLocale = await rejection(hc.articles.create(100, newArticle('Fr', { locale: 'fr' })));
    expect(badLocale.statusCode).toBe(400);
    expect(badLocale.result).toMatchObject({ error: 'InvalidLocale' });

    const noSection = await rejection(hc.articles.create(999, newArticle('Nowhere')));
    expect(noSection.statusCode).toBe(404);
  });

  it('429 with Retry-After RESOLVES in node-zendesk: result is an Error, not a thrown one', async () => {
    // The trap: checkRequestResponse *returns* Error('Zendesk rate limits 200 requests per minute')
    // for any answer carrying Retry-After, and request() resolves { response, result: thatError }.
    // The text/plain body is lost (result.result is {}). Callers must check `result instanceof Error`.
    emu.failNext(1, 429);
    const { response, result } = await hc.articles.show(created.id);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(result).toBeInstanceOf(Error);
    expect(result).toMatchObject({ statusCode: 429, result: {} });

    // A 503 with Retry-After resolves the same way, and is *labelled 429*: only response.status
    // tells the truth. Inside getAll the Error is just another element of the flat array.
    emu.failNext(1, 503);
    const listed = await hc.articles.list();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toBeInstanceOf(Error);
    expect(listed[0]).toMatchObject({ statusCode: 429, result: { error: 'ServiceUnavailable' } });

    // Without Retry-After a 500 throws.
    emu.failNext(1, 500);
    expect((await rejection(hc.articles.show(created.id))).statusCode).toBe(500);
  });

  it('updates metadata only on PUT articles/{id}; title and body go through translations', async () => {
    const { result } = await hc.articles.update(created.id, {
      article: { label_names: ['release-notes', 'v1.2.0', 'sync'], position: 3, title: 'Ignored' },
    });
    expect(result).toMatchObject({ title: 'Release 1.2.0: Faster sync', position: 3 });
    expect((result as Article).label_names).toContain('sync');
  });

  it('translation PUT 404s until the translation is POSTed; a second POST is 400', async () => {
    const missing = await rejection(
      hc.translations.updateForArticle(created.id, 'de', {
        translation: { title: 'Version 1.2.0', body: 'x' },
      }),
    );
    expect(missing.statusCode).toBe(404);

    const made = await hc.translations.createForArticle(created.id, {
      translation: { locale: 'de', title: 'Version 1.2.0', body: '<p>Schneller</p>', draft: true },
    });
    expect(made.response.status).toBe(201);
    expect(made.result).toMatchObject({ locale: 'de', title: 'Version 1.2.0', draft: true });

    const updated = await hc.translations.updateForArticle(created.id, 'de', {
      translation: { draft: false },
    });
    expect(updated.result).toMatchObject({ locale: 'de', draft: false, body: '<p>Schneller</p>' });

    const again = await rejection(
      hc.translations.createForArticle(created.id, { translation: { locale: 'de', title: 'Dup' } }),
    );
    expect(again.statusCode).toBe(400);
    expect(again.result).toMatchObject({ error: 'TranslationAlreadyExists' });

    // The source-locale translation carries the article's title and body.
    await hc.translations.updateForArticle(created.id, 'en-us', { translation: { title: 'Release 1.2.0' } });
    expect((await hc.articles.show(created.id)).result).toMatchObject({ title: 'Release 1.2.0' });
    expect(emu.articles().find((a) => a.id === created.id)?.translations.de?.draft).toBe(false);
  });

  it('uploads an attachment as multipart via fetch + FormData; content_url serves the bytes', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'image/png' }), 'logo 1.png');
    form.append('inline', 'true');
    const answer = await fetch(`${emu.helpCenterUri}/articles/${created.id}/attachments.json`, {
      method: 'POST',
      headers: { authorization: basicAuth },
      body: form,
    });
    expect(answer.status).toBe(201);
    const { article_attachment: att } = (await answer.json()) as {
      article_attachment: {
        id: number;
        article_id: number;
        content_url: string;
        inline: boolean;
        size: number;
      };
    };
    expect(att).toMatchObject({ article_id: created.id, inline: true, size: bytes.length });
    expect(att.content_url).toBe(`${emu.url}/hc/article_attachments/${att.id}/logo%201.png`);

    const download = await fetch(att.content_url);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
    expect(emu.articles().find((a) => a.id === created.id)?.attachments[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const noBoundary = await fetch(`${emu.helpCenterUri}/articles/${created.id}/attachments.json`, {
      method: 'POST',
      headers: { authorization: basicAuth, 'content-type': 'multipart/form-data' },
      body: 'x',
    });
    expect(noBoundary.status).toBe(400);
  });

  it('archives on DELETE: 204, which node-zendesk resolves as result Error("No Content")', async () => {
    const { result: doomed } = await hc.articles.create(101, newArticle('Short-lived'));
    const id = (doomed as Article).id;
    const { response, result } = await hc.articles.delete(id);
    expect(response.status).toBe(204);
    expect(result).toBeInstanceOf(Error);
    expect(result).toMatchObject({ message: 'No Content', statusCode: 204 });
    expect((await rejection(hc.articles.show(id))).result).toEqual({
      error: 'RecordNotFound',
      description: 'Not found',
    });
    expect((await rejection(hc.articles.delete(id))).statusCode).toBe(404);
    expect(emu.articles().find((a) => a.id === id)?.archived).toBe(true);
  });

  it("'reset-after' performs the write but the client sees a socket error; 'reset' does not", async () => {
    const before = emu.articles().length;
    const writes = emu.writeCount();
    emu.failNext(1, 'reset-after');
    const lost = await rejection(hc.articles.create(100, newArticle('Lost ack')));
    // node-fetch (via cross-fetch) FetchError, rethrown as-is with throwOriginalException.
    expect(lost.name).toBe('FetchError');
    expect(lost.code).toBe('ECONNRESET');
    expect(lost.message).toMatch(/socket hang up/);
    expect(emu.articles()).toHaveLength(before + 1);
    expect(emu.articles().at(-1)?.title).toBe('Lost ack');
    expect(emu.writeCount()).toBe(writes + 1);
    expect(emu.requests.at(-1)).toMatchObject({ method: 'POST', status: 'reset', write: true });

    emu.failNext(1, 'reset');
    expect((await rejection(hc.articles.create(100, newArticle('Never made')))).code).toBe('ECONNRESET');
    expect(emu.articles()).toHaveLength(before + 1);
    expect(emu.writeCount()).toBe(writes + 1);
  });

  it('seeded random faults can be limited to writes', async () => {
    emu.setFaults({ rate: 1, kinds: [500], onlyWrites: true, seed: 42 });
    try {
      expect((await hc.articles.show(created.id)).response.status).toBe(200);
      expect((await rejection(hc.articles.create(100, newArticle('Faulted')))).statusCode).toBe(500);
    } finally {
      emu.setFaults(null);
    }
  });

  it('rejects a bad token with 401 and logs it', async () => {
    const denied = await rejection(helpCenter(emu, 'wrong').articles.show(created.id));
    expect(denied.statusCode).toBe(401);
    expect(denied.result).toEqual({ error: "Couldn't authenticate you" });
    expect(emu.requests.at(-1)?.status).toBe(401);
    const noAuth = await fetch(`${emu.helpCenterUri}/locales.json`);
    expect(noAuth.status).toBe(401);
  });
});

describe('OAuth', () => {
  it('accepts the configured Bearer token (node-zendesk oauth: true) and nothing else', async () => {
    const emu = await startZendeskEmulator({ auth: { oauthToken: 'oauth-secret' } });
    try {
      const client = zendesk.createClient({
        token: 'oauth-secret',
        oauth: true,
        endpointUri: emu.apiUri,
        throwOriginalException: true,
      } as Parameters<typeof zendesk.createClient>[0]) as unknown as Core;
      expect((await client.users.me()).result).toMatchObject({ email: EMAIL });
      // API-token auth is off when only an OAuth token is configured.
      expect((await rejection(core(emu).users.me())).statusCode).toBe(401);
    } finally {
      await emu.close();
    }
  });
});

describe('pagination', () => {
  let emu: ZendeskEmulator;
  const total = 75;

  beforeAll(async () => {
    emu = await startZendeskEmulator();
    const hc = helpCenter(emu);
    for (let i = 0; i < total; i++) await hc.articles.create(100, newArticle(`Article ${i + 1}`));
  });
  afterAll(() => emu.close());

  it('node-zendesk list() follows next_page (offset, 30 a page) and stops on the last page', async () => {
    const start = emu.requests.length;
    const all = (await helpCenter(emu).articles.list()) as Article[];
    expect(all).toHaveLength(total);
    expect(new Set(all.map((a) => a.id)).size).toBe(total);
    const gets = emu.requests.slice(start).map((r) => r.path);
    expect(gets).toEqual([
      '/api/v2/help_center/articles.json',
      '/api/v2/help_center/articles.json?page=2&per_page=30',
      '/api/v2/help_center/articles.json?page=3&per_page=30',
    ]);
  });

  it('walks cursor pages (page[size]=10) until links.next is null', async () => {
    let next: string | null = `${emu.helpCenterUri}/articles.json?page[size]=10`;
    const ids: number[] = [];
    let pages = 0;
    let last: { meta: { has_more: boolean }; links: { next: string | null } } | undefined;
    while (next) {
      const answer = await fetch(next, { headers: { authorization: basicAuth } });
      expect(answer.status).toBe(200);
      const page = (await answer.json()) as {
        articles: Article[];
        meta: { has_more: boolean; after_cursor: string | null };
        links: { next: string | null };
      };
      ids.push(...page.articles.map((a) => a.id));
      expect(page.meta.has_more).toBe(page.links.next !== null);
      last = page;
      next = page.links.next;
      pages++;
      expect(pages).toBeLessThanOrEqual(8);
    }
    expect(pages).toBe(8);
    expect(last?.meta.has_more).toBe(false);
    expect(new Set(ids).size).toBe(total);
  });

  it('refuses offset pages beyond 100 with 400', async () => {
    const answer = await fetch(`${emu.helpCenterUri}/articles.json?page=101`, {
      headers: { authorization: basicAuth },
    });
    expect(answer.status).toBe(400);
  });
});

describe('rate limit', () => {
  let emu: ZendeskEmulator;

  beforeAll(async () => {
    emu = await startZendeskEmulator({ ratePerMinute: 5 });
  });
  afterAll(() => emu.close());

  it('answers the 6th request in a minute with a text/plain 429 and Retry-After >= 1', async () => {
    const get = () => fetch(`${emu.helpCenterUri}/sections.json`, { headers: { authorization: basicAuth } });
    for (let i = 0; i < 5; i++) {
      const answer = await get();
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-rate-limit')).toBe('5');
      expect(answer.headers.get('x-rate-limit-remaining')).toBe(String(4 - i));
    }
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await limited.text()).toMatch(/exceeded the rate limit/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');

    // node-zendesk resolves it (Retry-After trap): the Error is an element of the list.
    const listed = await helpCenter(emu).sections.list();
    expect(listed[0]).toBeInstanceOf(Error);

    emu.setRatePerMinute(null);
    expect((await get()).status).toBe(200);
  });
});

describe('statuses node-zendesk does not list', () => {
  let emu: ZendeskEmulator;
  let hc: HelpCenter;
  let id: number;

  beforeAll(async () => {
    emu = await startZendeskEmulator();
    hc = helpCenter(emu);
    id = ((await hc.articles.create(101, newArticle('Statuses'))).result as Article).id;
  });
  afterAll(() => emu.close());

  it("a CDN's 502 page resolves as a normal result {} and changes nothing", async () => {
    emu.failNext(1, 502, { method: 'PUT', path: /translations/ });
    const { response, result } = await hc.translations.updateForArticle(id, 'en-us', {
      translation: { title: 'Changed' },
    });
    expect(response.status).toBe(502);
    expect(result).toEqual({});
    expect(emu.requests.at(-1)?.status).toBe(502);
    expect(emu.articles().find((a) => a.id === id)?.title).toBe('Statuses');
  });

  it('a 504 resolves as {} although Zendesk did the write (the CDN stopped waiting)', async () => {
    emu.failNext(1, 504, { method: 'POST', path: /\/sections\/\d+\/articles/ });
    const writes = emu.writeCount();
    const { response, result } = await hc.articles.create(101, newArticle('Made behind a 504'));
    expect(response.status).toBe(504);
    expect(result).toEqual({});
    expect(emu.articles().some((a) => a.title === 'Made behind a 504')).toBe(true);
    expect(emu.writeCount()).toBe(writes + 1);
  });

  it('413 (HTML), 402 and 410 (JSON) resolve too, with nothing done', async () => {
    const before = emu.articles().length;
    for (const status of [413, 402, 410] as const) {
      emu.failNext(1, status);
      const { response, result } = await hc.articles.create(101, newArticle(`Refused ${status}`));
      expect(response.status).toBe(status);
      expect(result instanceof Error).toBe(false);
      if (status === 413) expect(result).toEqual({});
      else expect(result).toMatchObject({ error: status === 402 ? 'PaymentRequired' : 'Gone' });
    }
    expect(emu.articles()).toHaveLength(before);
    emu.failNext(1, 502);
    const page = await fetch(`${emu.helpCenterUri}/locales.json`, { headers: { authorization: basicAuth } });
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(await page.text()).toContain('<title>502 Bad Gateway</title>');
  });
});

describe('article labels per plan', () => {
  it('lists labels on plans that have them', async () => {
    const emu = await startZendeskEmulator();
    try {
      const hc = helpCenter(emu);
      await hc.articles.create(101, newArticle('Labelled'));
      const { result } = await hc.articlelabels.list();
      expect((result as { labels: { name: string }[] }).labels.map((l) => l.name)).toEqual([
        'release-notes',
        'v1.2.0',
      ]);
    } finally {
      await emu.close();
    }
  });

  it('without labels on the plan: the labels endpoint is 403 and label_names is ignored', async () => {
    const emu = await startZendeskEmulator({ labels: false });
    try {
      const hc = helpCenter(emu);
      const { result } = await hc.articles.create(101, newArticle('Unlabelled'));
      expect((result as Article).label_names).toEqual([]);
      expect(await hc.articles.listByLabelNames(['release-notes'])).toEqual([]);
      expect((await rejection(hc.articlelabels.list())).statusCode).toBe(403);
    } finally {
      await emu.close();
    }
  });
});

describe('Guide media and per-translation attachments', () => {
  let emu: ZendeskEmulator;
  let id: number;
  const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9, 8, 7]);
  const json = (path: string, body: unknown) =>
    fetch(`${emu.apiUri}${path}`, {
      method: 'POST',
      headers: { authorization: basicAuth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** Steps 1–3 of the media flow: the Guide media id. */
  const createMedia = async () => {
    const slot = (await (
      await json('/guide/medias/upload_url', { content_type: 'image/png', file_size: bytes.length })
    ).json()) as {
      upload_url: { url: string; asset_upload_id: string; headers: Record<string, string> };
    };
    const withAuth = await fetch(slot.upload_url.url, {
      method: 'PUT',
      headers: { ...slot.upload_url.headers, authorization: basicAuth },
      body: bytes,
    });
    expect(withAuth.status).toBe(400);
    const stored = await fetch(slot.upload_url.url, {
      method: 'PUT',
      headers: slot.upload_url.headers,
      body: bytes,
    });
    expect(stored.status).toBe(200);
    const created = await json('/guide/medias', {
      asset_upload_id: slot.upload_url.asset_upload_id,
      filename: 'shot.png',
    });
    expect(created.status).toBe(201);
    const { media } = (await created.json()) as { media: { id: string; url: string; size: number } };
    expect(media).toMatchObject({ id: expect.stringMatching(/^[0-9A-Z]{26}$/), size: bytes.length });
    expect(media.url).toMatch(/^\/guide-media\/[0-9A-Z]{26}$/);
    return media.id;
  };
  const attach = async (fields: Record<string, string | Blob>) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('inline', 'true');
    return fetch(`${emu.helpCenterUri}/articles/${id}/attachments.json`, {
      method: 'POST',
      headers: { authorization: basicAuth },
      body: form,
    });
  };
  type Attachment = { article_attachment: { content_url: string; locale: string } };

  beforeAll(async () => {
    emu = await startZendeskEmulator({ fileUploads: false });
    const hc = helpCenter(emu);
    id = ((await hc.articles.create(101, newArticle('Pictures'))).result as Article).id;
    await hc.translations.createForArticle(id, { translation: { locale: 'de', title: 'Bilder', body: '' } });
  });
  afterAll(() => emu.close());

  it('upload URL → storage PUT without credentials → media → attachment by guide_media_id', async () => {
    const answer = await attach({ guide_media_id: await createMedia(), locale: 'de' });
    expect(answer.status).toBe(201);
    const { article_attachment: att } = (await answer.json()) as Attachment;
    expect(att.locale).toBe('de');
    expect(new Uint8Array(await (await fetch(att.content_url)).arrayBuffer())).toEqual(bytes);
  });

  it('can refuse the direct `file` upload, and have no media endpoints at all', async () => {
    const refused = await attach({ file: new Blob([bytes], { type: 'image/png' }) });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'InvalidAttachment' });
    const bare = await startZendeskEmulator({ media: false });
    try {
      const noMedia = await fetch(`${bare.apiUri}/guide/medias/upload_url.json`, {
        method: 'POST',
        headers: { authorization: basicAuth, 'content-type': 'application/json' },
        body: JSON.stringify({ content_type: 'image/png', file_size: 3 }),
      });
      expect(noMedia.status).toBe(404);
    } finally {
      await bare.close();
    }
  });

  it("deletes an inline attachment when its own translation stops embedding it, not another's", async () => {
    const hc = helpCenter(emu);
    const urls: Record<string, string> = {};
    for (const locale of ['en-us', 'de']) {
      const answer = await attach({ guide_media_id: await createMedia(), locale });
      urls[locale] = ((await answer.json()) as Attachment).article_attachment.content_url;
    }
    await hc.translations.updateForArticle(id, 'de', { translation: { body: `<img src="${urls.de}">` } });
    await hc.translations.updateForArticle(id, 'en-us', {
      translation: { body: `<img src="${urls['en-us']}">` },
    });
    expect((await fetch(urls['en-us']!)).status).toBe(200);
    await hc.translations.updateForArticle(id, 'en-us', { translation: { body: '<p>No picture</p>' } });
    expect((await fetch(urls['en-us']!)).status).toBe(404);
    expect((await fetch(urls.de!)).status).toBe(200);
  });
});

describe('brand mode', () => {
  it('redirects account-level calls to the primary subdomain; fetch drops the credentials there', async () => {
    const primary = await startZendeskEmulator();
    const brand = await startZendeskEmulator({ redirectAccountCallsTo: primary.url });
    try {
      const path = '/api/v2/guide/permission_groups.json';
      const manual = await fetch(`${brand.url}${path}`, {
        headers: { authorization: basicAuth },
        redirect: 'manual',
      });
      expect(manual.status).toBe(301);
      expect(manual.headers.get('location')).toBe(`${primary.url}${path}`);
      // Cross-origin: fetch follows without Authorization, and the primary refuses.
      const followed = await fetch(`${brand.url}${path}`, { headers: { authorization: basicAuth } });
      expect(followed.status).toBe(401);
      expect(primary.requests.at(-1)).toMatchObject({ path, status: 401 });
      const again = await fetch(manual.headers.get('location')!, { headers: { authorization: basicAuth } });
      expect(again.status).toBe(200);
      // Help Center calls stay on the brand.
      expect((await helpCenter(brand).sections.list()).length).toBeGreaterThan(0);
    } finally {
      await brand.close();
      await primary.close();
    }
  });
});
