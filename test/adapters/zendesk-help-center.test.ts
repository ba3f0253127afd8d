import { afterEach, describe, expect, it } from 'vitest';
import { createZendeskHelpCenter } from '../../src/adapters/zendesk-help-center.js';
import { DeliveryFailure } from '../../src/errors/delivery-failure.js';
import type { ArticleInput, HelpCenterPort } from '../../src/ports/index.js';
import {
  startZendeskEmulator,
  type ZendeskEmulator,
  type ZendeskEmulatorOptions,
} from '../emulators/zendesk.js';

/** The real Zendesk adapter (node-zendesk inside) against the emulator. */

const open: ZendeskEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function emulator(options: ZendeskEmulatorOptions = {}) {
  const emu = await startZendeskEmulator(options);
  open.push(emu);
  return emu;
}

function adapter(emu: ZendeskEmulator, trustedOrigins?: string[]): HelpCenterPort {
  return createZendeskHelpCenter(
    { baseUrl: emu.url, email: 'bot@acme.example', apiToken: 'zd-token', oauthToken: null },
    { requestsPerMinute: null, ...(trustedOrigins ? { trustedOrigins } : {}) },
  );
}

const article = (title: string, overrides: Partial<ArticleInput> = {}): ArticleInput => ({
  sectionId: '101',
  locale: 'en-us',
  title,
  body: '<p>Body</p>',
  labels: ['herald-0123456789abcdef'],
  draft: false,
  notifySubscribers: false,
  permissionGroupId: 1,
  userSegmentId: null,
  position: null,
  publishedAt: 0,
  ...overrides,
});

async function failureOf(promise: Promise<unknown>): Promise<DeliveryFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryFailure);
    return error as DeliveryFailure;
  }
  throw new Error('expected a DeliveryFailure, the call succeeded');
}

const settings = {
  locales: ['en-us'],
  sectionIds: ['101'],
  permissionGroupId: 1,
  userSegmentId: null,
  categoryId: null,
};

describe('statuses node-zendesk lets through', () => {
  it('a translation update or an archive answered by a CDN 502 page is ambiguous, not done', async () => {
    const emu = await emulator();
    const port = adapter(emu);
    const { id } = await port.createArticle(article('Guide'));
    emu.failNext(1, 502, { method: 'PUT' });
    const put = await failureOf(
      port.putTranslation(id, 'en-us', { title: 'New', body: '<p>New</p>', draft: false }),
    );
    expect(put).toMatchObject({ kind: 'ambiguous', status: 502 });
    expect(put.message).toContain('502 Bad Gateway');
    emu.failNext(1, 502, { method: 'DELETE' });
    expect(await failureOf(port.archiveArticle(id))).toMatchObject({ kind: 'ambiguous', status: 502 });
    expect(emu.articles()[0]).toMatchObject({ title: 'Guide', archived: false });
  });

  it('a section create answered 504 stores no id: ambiguous, and the section is found again by name', async () => {
    const emu = await emulator();
    const port = adapter(emu);
    emu.failNext(1, 504, { method: 'POST' });
    const lost = await failureOf(
      port.createSection({ name: 'FAQ', locale: 'en-us', categoryId: 10, position: null }),
    );
    expect(lost).toMatchObject({ kind: 'ambiguous', status: 504 });
    const sections = await port.listSections();
    expect(sections.find((s) => s.name === 'FAQ')?.id).toMatch(/^[1-9]\d*$/);
  });

  it('an article create answered 502 is ambiguous, not a TypeError', async () => {
    const emu = await emulator();
    const port = adapter(emu);
    emu.failNext(1, 502, { method: 'POST' });
    expect(await failureOf(port.createArticle(article('Lost')))).toMatchObject({
      kind: 'ambiguous',
      status: 502,
    });
    // A read answered so is simply retried.
    emu.failNext(1, 502);
    expect(await failureOf(port.listSections())).toMatchObject({ kind: 'retryable', status: 502 });
  });

  it.each([
    [413, /too large|larger than Zendesk accepts/i],
    [402, /plan|billing/i],
    [410, /removed/i],
  ] as const)('%i is permanent with a fix', async (status, fix) => {
    const emu = await emulator();
    const port = adapter(emu);
    emu.failNext(1, status);
    const refused = await failureOf(port.createArticle(article('Refused')));
    expect(refused).toMatchObject({ kind: 'permanent', status });
    expect(refused.fix).toMatch(fix);
    expect(emu.articles()).toHaveLength(0);
  });
});

describe('redirects', () => {
  it("follows a brand's redirect with credentials only to an origin it may send them to", async () => {
    const primary = await emulator();
    const brand = await emulator({ redirectAccountCallsTo: primary.url });
    const refused = (await adapter(brand).verify(settings)).find((f) =>
      f.check.startsWith('permission group'),
    );
    expect(refused).toMatchObject({ ok: false });
    expect(refused?.detail).toContain(
      `redirected GET /api/v2/guide/permission_groups.json to ${primary.url}`,
    );
    expect(refused?.fix).toContain(`ZENDESK_URL=${primary.url}`);
    expect(primary.requests.filter((r) => r.path.includes('permission_groups'))).toHaveLength(0);

    const followed = (await adapter(brand, [primary.url]).verify(settings)).find((f) =>
      f.check.startsWith('permission group'),
    );
    expect(followed).toMatchObject({ ok: true, detail: '"Editors"' });
    expect(primary.requests.at(-1)).toMatchObject({ status: 200 });
  });
});

describe('plans without labels', () => {
  it('doctor says whether labels work', async () => {
    const withLabels = (await adapter(await emulator()).verify(settings)).find(
      (f) => f.check === 'article labels',
    );
    expect(withLabels).toMatchObject({ ok: true, detail: expect.stringMatching(/^available/) });
    const without = (await adapter(await emulator({ labels: false })).verify(settings)).find(
      (f) => f.check === 'article labels',
    );
    expect(without).toMatchObject({ ok: true, detail: expect.stringMatching(/^not on this Guide plan/) });
  });

  it('finds a lost create by section, exact title and creation time when labels do not work', async () => {
    const emu = await emulator({ labels: false });
    const port = adapter(emu);
    const since = Date.now();
    await port.createArticle(article('Other title'));
    await port.createArticle(article('Lost create', { sectionId: '100' }));
    const made = await port.createArticle(article('Lost create'));
    const label = 'herald-0123456789abcdef';
    const found = await port.findArticlesByLabel(label, { sectionId: '101', title: 'Lost create', since });
    expect(found.map((a) => a.id)).toEqual([made.id]);
    // Created before the attempt (beyond the clock allowance): not this attempt's article.
    expect(
      await port.findArticlesByLabel(label, {
        sectionId: '101',
        title: 'Lost create',
        since: since + 3_600_000,
      }),
    ).toEqual([]);
    // With labels, the label decides.
    const labelled = adapter(await emulator());
    const mine = await labelled.createArticle(article('Same title'));
    await labelled.createArticle(article('Same title', { labels: [] }));
    expect(
      (await labelled.findArticlesByLabel(label, { sectionId: '101', title: 'Same title', since })).map(
        (a) => a.id,
      ),
    ).toEqual([mine.id]);
  });
});

describe('attachments', () => {
  const image = (locale: string) => ({
    locale,
    fileName: 'shot.png',
    contentType: 'image/png',
    bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]),
  });

  it('go through Guide media, attached to the translation in their locale', async () => {
    const emu = await emulator({ fileUploads: false });
    const port = adapter(emu);
    const { id } = await port.createArticle(article('Pictures'));
    const { url } = await port.uploadAttachment(id, image('de'));
    expect(emu.medias()).toHaveLength(1);
    expect(emu.articles()[0]?.attachments).toEqual([
      expect.objectContaining({ content_url: url, locale: 'de' }),
    ]);
    expect((await fetch(url)).status).toBe(200);
    // No Zendesk credentials went to the storage URL (the emulator refuses such a PUT).
    expect(emu.requests.filter((r) => r.path.startsWith('/guide-media-uploads/'))).toEqual([
      expect.objectContaining({ method: 'PUT', status: 200 }),
    ]);
  });

  it('fall back to the direct upload where the account has no media endpoints', async () => {
    const emu = await emulator({ media: false });
    const port = adapter(emu);
    const { id } = await port.createArticle(article('Pictures'));
    const { url } = await port.uploadAttachment(id, image('en-us'));
    await port.uploadAttachment(id, image('en-us'));
    expect((await fetch(url)).status).toBe(200);
    // The missing endpoint is asked once, not before every image.
    expect(emu.requests.filter((r) => r.path.includes('/guide/medias'))).toHaveLength(1);
  });
});
