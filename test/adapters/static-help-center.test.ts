import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStaticHelpCenter,
  type StaticHelpCenterOptions,
} from '../../src/adapters/static-help-center.js';
import { DeliveryFailure } from '../../src/errors/delivery-failure.js';
import type { ArticleInput, HelpCenterArticle, HelpCenterPort } from '../../src/ports/index.js';

let dir: string;
const open: HelpCenterPort[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'herald-static-hc-'));
});

afterEach(async () => {
  for (const port of open.splice(0)) await port.close?.();
  await rm(dir, { recursive: true, force: true });
});

function helpCenter(options: Partial<StaticHelpCenterOptions> = {}): HelpCenterPort {
  const port = createStaticHelpCenter({ dir, title: 'Acme Cloud', defaultLocale: 'en-us', ...options });
  open.push(port);
  return port;
}

function article(sectionId: string, overrides: Partial<ArticleInput> = {}): ArticleInput {
  return {
    sectionId,
    locale: 'en-us',
    title: 'An article',
    body: '<p>Body.</p>',
    labels: [],
    draft: false,
    notifySubscribers: false,
    permissionGroupId: null,
    userSegmentId: null,
    position: null,
    publishedAt: Date.UTC(2024, 4, 1),
    ...overrides,
  };
}

/** A section in the default locale, no position: what most tests need. */
const plainSection = (port: HelpCenterPort, name: string) =>
  port.createSection({ name, locale: 'en-us', categoryId: null, position: null });

const read = (relative: string) => readFile(path.join(dir, relative), 'utf8');
const exists = (relative: string) => existsSync(path.join(dir, relative));

/** Article ids linked from a page, in order. */
function linkedArticleIds(html: string): string[] {
  return [...html.matchAll(/href="[^"]*articles\/([0-9a-f]{12})\.html"/g)].map((m) => m[1]!);
}

/** Where a relative href/src found in `page` leads, as an absolute file path. */
function resolveFrom(page: string, reference: string): string {
  return path.resolve(path.dirname(path.join(dir, page)), decodeURI(reference.replace(/[?#].*$/, '')));
}

/**
 * A small XML 1.0 well-formedness check (no DTD): one root element, every tag closed in order,
 * attributes quoted and unique, `<` never in text or attributes, `&` only in entity references.
 */
function wellFormednessErrors(xml: string): string[] {
  const errors: string[] = [];
  const body = xml.replace(/^<\?xml\s[^?]*\?>/, '');
  if (body === xml) errors.push('no XML declaration');
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const token =
    /<!--[\s\S]*?-->|<\/([A-Za-z_][\w.:-]*)\s*>|<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|([\s\S])/g;
  const stack: string[] = [];
  let roots = 0;
  for (const match of body.matchAll(token)) {
    const [whole, close, open, attributes, selfClosing, text, stray] = match;
    if (stray !== undefined) {
      errors.push(`stray "${stray}" at ${match.index}: ${body.slice(match.index, match.index + 40)}`);
    } else if (text !== undefined) {
      if (stack.length === 0 && text.trim() !== '')
        errors.push(`text outside the root: ${text.slice(0, 40)}`);
      if (entity.test(text)) errors.push(`bare & in text: ${text.slice(0, 60)}`);
    } else if (close !== undefined) {
      const expected = stack.pop();
      if (expected !== close) errors.push(`</${close}> closes <${expected}>`);
    } else if (open !== undefined) {
      if (stack.length === 0 && ++roots > 1) errors.push(`second root <${open}>`);
      const names = new Set<string>();
      for (const [, name, value] of (attributes ?? '').matchAll(
        /([A-Za-z_][\w.:-]*)\s*=\s*("[^"]*"|'[^']*')/g,
      )) {
        if (names.has(name!)) errors.push(`duplicate attribute ${name} on <${open}>`);
        names.add(name!);
        if (value!.includes('<') || entity.test(value!)) errors.push(`bad attribute value ${value}`);
      }
      if (selfClosing !== '/') stack.push(open);
    } else if (!whole.startsWith('<!--')) {
      errors.push(`unexpected ${whole}`);
    }
  }
  if (stack.length > 0) errors.push(`unclosed: ${stack.join(', ')}`);
  if (roots !== 1) errors.push(`${roots} root elements`);
  return errors;
}

describe('well-formedness check', () => {
  it('accepts good XML and rejects broken XML', () => {
    expect(wellFormednessErrors('<?xml version="1.0"?>\n<a x="1"><b>t &amp; u</b><c/></a>\n')).toEqual([]);
    expect(wellFormednessErrors('<?xml version="1.0"?><a><b></a></b>')).not.toEqual([]);
    expect(wellFormednessErrors('<?xml version="1.0"?><a>x & y</a>')).not.toEqual([]);
    expect(wellFormednessErrors('<?xml version="1.0"?><a>x < y</a>')).not.toEqual([]);
    expect(wellFormednessErrors('<?xml version="1.0"?><a/><b/>')).not.toEqual([]);
  });
});

describe('static help centre', () => {
  it('identifies itself by its absolute directory', () => {
    const port = helpCenter();
    expect(port.kind).toBe('static');
    expect(port.site).toBe(`static:${path.resolve(dir)}`);
    expect(port.description).toBe(`static help centre in ${path.resolve(dir)}`);
  });

  it('verifies the directory and reports sections the channel will create', async () => {
    const port = helpCenter({ dir: path.join(dir, 'site') });
    const { id } = await plainSection(port, 'Guides');
    const findings = await port.verify({
      locales: ['en-us'],
      sectionIds: [id, 'missing'],
      permissionGroupId: null,
      userSegmentId: null,
      categoryId: null,
    });
    expect(findings).toEqual([
      { ok: true, check: 'site directory', detail: expect.stringContaining('writable') },
      { ok: true, check: 'section guides', detail: '"Guides"' },
      { ok: true, check: 'section missing', detail: 'created on first publish' },
    ]);
  });

  it('creates sections idempotently with unique slugs', async () => {
    const port = helpCenter();
    const guides = await port.createSection({
      name: 'Getting started',
      locale: 'en-us',
      categoryId: null,
      position: 2,
    });
    expect(guides).toEqual({ id: 'getting-started', name: 'Getting started' });
    expect(
      await port.createSection({ name: 'Getting started', locale: 'en-us', categoryId: null, position: 2 }),
    ).toEqual(guides);
    expect(
      await port.createSection({ name: 'Getting Started!', locale: 'en-us', categoryId: null, position: 1 }),
    ).toEqual({ id: 'getting-started-2', name: 'Getting Started!' });
    expect(
      await port.createSection({ name: 'Über uns', locale: 'de', categoryId: null, position: null }),
    ).toEqual({ id: 'uber-uns', name: 'Über uns' });
    expect(await port.listSections()).toEqual([
      { id: 'getting-started-2', name: 'Getting Started!' },
      guides,
      { id: 'uber-uns', name: 'Über uns' },
    ]);
    const stored = JSON.parse(await read('_data/sections/uber-uns.json'));
    expect(stored).toEqual({ id: 'uber-uns', name: 'Über uns', locale: 'de', position: null });
    expect(await read('sections/uber-uns.html')).toContain('<html lang="de">');
    // A second instance sees them too.
    expect(await helpCenter().listSections()).toHaveLength(3);
  });

  it('publishes articles as pages, listed by position then title; drafts appear nowhere', async () => {
    const port = helpCenter();
    const { id: sectionId } = await plainSection(port, 'Guides');
    const second = await port.createArticle(
      article(sectionId, { title: 'Beta', position: 2, labels: ['x'] }),
    );
    const first = await port.createArticle(article(sectionId, { title: 'Zulu', position: 1 }));
    const third = await port.createArticle(article(sectionId, { title: 'Alpha', position: null }));
    const draft = await port.createArticle(article(sectionId, { title: 'Secret draft', draft: true }));

    expect(second).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      url: `${pathToFileURL(dir).href}/articles/${second.id}.html`,
      title: 'Beta',
      locale: 'en-us',
      sectionId,
      labels: ['x'],
      draft: false,
    });
    expect(draft.draft).toBe(true);
    const stored = JSON.parse(await read(`_data/articles/${second.id}.json`));
    expect(stored).toMatchObject({
      id: second.id,
      sectionId,
      sourceLocale: 'en-us',
      labels: ['x'],
      draft: false,
      archived: false,
      position: 2,
      publishedAt: Date.UTC(2024, 4, 1),
      translations: { 'en-us': { title: 'Beta', body: '<p>Body.</p>', draft: false } },
      attachments: [],
    });

    const page = await read(`articles/${second.id}.html`);
    expect(page).toContain('<html lang="en-us">');
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<meta name="viewport"');
    expect(page).toContain('<title>Beta – Acme Cloud</title>');
    expect(page).toContain('<link rel="stylesheet" href="../style.css">');
    expect(page).toContain('<link rel="alternate" type="application/atom+xml"');
    expect(page).toContain('<h1>Beta</h1>');
    expect(page).toContain('<p>Body.</p>');
    expect(page).toContain('Published <time datetime="2024-05-01">May 1, 2024</time>');
    expect(page).toMatch(
      /<a href="\.\.\/index\.html">Acme Cloud<\/a>.*<a href="\.\.\/sections\/guides\.html">Guides<\/a>/,
    );
    expect(page).not.toContain('class="languages"');

    expect(linkedArticleIds(await read('sections/guides.html'))).toEqual([first.id, second.id, third.id]);
    expect(exists(`articles/${draft.id}.html`)).toBe(false);
    const home = await read('index.html');
    expect(home).toContain('<h1>Acme Cloud</h1>');
    expect(home).toContain('<a href="sections/guides.html">Guides</a> <span class="count">3 articles</span>');
    for (const file of ['index.html', 'sections/guides.html', 'release-notes.html', 'feed.xml']) {
      expect(await read(file)).not.toContain('Secret draft');
    }
    expect((await readFile(path.join(dir, 'style.css'), 'utf8')).length).toBeGreaterThan(500);

    // Publishing the draft's source translation makes it appear.
    const { url } = await port.putTranslation(draft.id, 'en-us', {
      title: 'No longer secret',
      body: '<p>Now public.</p>',
      draft: false,
    });
    expect(url).toBe(draft.url);
    expect(await read(`articles/${draft.id}.html`)).toContain('Now public.');
    expect(linkedArticleIds(await read('sections/guides.html'))).toContain(draft.id);

    // And taking it back to draft removes it again.
    await port.putTranslation(draft.id, 'en-us', { title: 'Again', body: '<p>x</p>', draft: true });
    expect(exists(`articles/${draft.id}.html`)).toBe(false);
    expect(linkedArticleIds(await read('sections/guides.html'))).not.toContain(draft.id);
  });

  it('refuses articles in a missing section and translations of a missing article', async () => {
    const port = helpCenter();
    await expect(port.createArticle(article('nope'))).rejects.toMatchObject({
      name: 'DeliveryFailure',
      kind: 'permanent',
      status: 404,
    });
    const failure = await port
      .putTranslation('0123456789ab', 'fr', { title: 't', body: '', draft: false })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryFailure);
    expect(failure).toMatchObject({ kind: 'permanent', status: 404 });
    expect((failure as Error).message).toContain('0123456789ab');
    await expect(
      port.uploadAttachment('../../etc', {
        fileName: 'a.png',
        contentType: 'image/png',
        bytes: new Uint8Array([1]),
      }),
    ).rejects.toMatchObject({ kind: 'permanent', status: 404 });
  });

  it('publishes an SVG attachment without its scripts, and refuses a file that is no SVG', async () => {
    const port = helpCenter();
    const { id: sectionId } = await plainSection(port, 'Guides');
    const { id } = await port.createArticle(article(sectionId));
    const hostile =
      '<svg viewBox="0 0 2 2" onload="alert(1)"><script>alert(2)</script><rect width="2" height="2"/></svg>';
    const { url } = await port.uploadAttachment(id, {
      fileName: 'diagram.svg',
      contentType: 'image/svg+xml',
      bytes: new TextEncoder().encode(hostile),
    });
    const published = await readFile(path.join(dir, url.slice(url.indexOf('attachments/'))), 'utf8');
    expect(published).toBe(
      '<svg viewBox="0 0 2 2" xmlns="http://www.w3.org/2000/svg"><rect width="2" height="2" /></svg>\n',
    );
    const record = JSON.parse(await read(`_data/articles/${id}.json`));
    expect(record.attachments[0].size).toBe(Buffer.byteLength(published));

    const refused = await port
      .uploadAttachment(id, {
        fileName: 'page.svg',
        contentType: 'image/svg+xml',
        bytes: new TextEncoder().encode('<html><script>alert(1)</script></html>'),
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DeliveryFailure);
    expect(refused).toMatchObject({ kind: 'permanent' });
    expect((refused as Error).message).toBe('page.svg:1:1 has no <svg> element: not an SVG image');
    expect((await readdir(path.join(dir, 'attachments', id))).filter((f) => f.includes('page'))).toEqual([]);
  });

  it('renders translations under their locale with a language switcher', async () => {
    const port = helpCenter();
    const { id: sectionId } = await plainSection(port, 'Guides');
    const created = await port.createArticle(article(sectionId, { title: 'Install' }));
    const { url } = await port.putTranslation(created.id, 'fr', {
      title: 'Installer',
      body: '<p>Bonjour.</p>',
      draft: false,
    });
    expect(url).toBe(`${pathToFileURL(dir).href}/fr/articles/${created.id}.html`);
    await port.putTranslation(created.id, 'de', {
      title: 'Installieren',
      body: '<p>Hallo.</p>',
      draft: true,
    });

    const french = await read(`fr/articles/${created.id}.html`);
    expect(french).toContain('<html lang="fr">');
    expect(french).toContain('<h1>Installer</h1>');
    expect(french).toContain('<link rel="stylesheet" href="../../style.css">');
    expect(french).toContain(`<a href="../../articles/${created.id}.html" hreflang="en-us"`);
    expect(exists(`de/articles/${created.id}.html`)).toBe(false);
    const english = await read(`articles/${created.id}.html`);
    expect(english).toContain('class="languages"');
    expect(english).toContain(
      `<a href="../fr/articles/${created.id}.html" hreflang="fr" lang="fr">Français</a>`,
    );
    expect(english).not.toContain('hreflang="de"');
    // Indexes list the default-locale translation.
    expect(await read('sections/guides.html')).toContain('>Install</a>');
    expect(await read('sections/guides.html')).not.toContain('Installer');
  });

  it('archives articles: pages removed, gone from indexes and label searches', async () => {
    const port = helpCenter();
    const { id: sectionId } = await plainSection(port, 'Guides');
    const kept = await port.createArticle(article(sectionId, { labels: ['herald:a'] }));
    const gone = await port.createArticle(article(sectionId, { labels: ['herald:a', 'release-notes'] }));
    await port.putTranslation(gone.id, 'fr', { title: 'Parti', body: '', draft: false });
    expect(exists(`fr/articles/${gone.id}.html`)).toBe(true);

    await port.archiveArticle(gone.id);
    await port.archiveArticle(gone.id);
    await port.archiveArticle('0123456789ab');
    await port.archiveArticle('not an id');

    expect(exists(`articles/${gone.id}.html`)).toBe(false);
    expect(exists(`fr/articles/${gone.id}.html`)).toBe(false);
    expect(JSON.parse(await read(`_data/articles/${gone.id}.json`)).archived).toBe(true);
    expect(linkedArticleIds(await read('sections/guides.html'))).toEqual([kept.id]);
    expect(await read('release-notes.html')).not.toContain(gone.id);
    expect(await read('feed.xml')).not.toContain(gone.id);
    expect((await port.findArticlesByLabel('herald:a')).map((a) => a.id)).toEqual([kept.id]);
    expect(await port.findArticlesByLabel('HERALD:A')).toEqual([]);
    expect(await port.findArticlesByLabel('herald')).toEqual([]);
  });

  it('lists release notes newest first on the home page, the release notes page and the Atom feed', async () => {
    const port = helpCenter({ baseUrl: 'https://help.example.com/docs' });
    const { id: sectionId } = await plainSection(port, 'Releases');
    const notes: HelpCenterArticle[] = [];
    for (const day of [3, 1, 7, 5, 2, 6, 4]) {
      notes.push(
        await port.createArticle(
          article(sectionId, {
            title: `Release 1.${day} & more`,
            body: `<p>Changes of day ${day} <a href="https://example.com/?a=1&amp;b=2">link</a></p>`,
            labels: ['release-notes'],
            publishedAt: Date.UTC(2024, 0, day),
          }),
        ),
      );
    }
    await port.createArticle(article(sectionId, { title: 'Not a note' }));
    const byDay = (day: number) => notes[[3, 1, 7, 5, 2, 6, 4].indexOf(day)]!;
    expect(notes[0]!.url).toBe(`https://help.example.com/docs/articles/${notes[0]!.id}.html`);

    const home = await read('index.html');
    expect(linkedArticleIds(home.slice(home.indexOf('Latest release notes')))).toEqual(
      [7, 6, 5, 4, 3].map((d) => byDay(d).id),
    );
    expect(home).toContain('<time datetime="2024-01-07">January 7, 2024</time>');
    expect(home).toContain('href="release-notes.html"');
    expect(home).toContain('href="feed.xml"');

    const all = await read('release-notes.html');
    expect(linkedArticleIds(all)).toEqual([7, 6, 5, 4, 3, 2, 1].map((d) => byDay(d).id));
    expect(all).toContain('Release 1.7 &#38; more');
    expect(all).not.toContain('Not a note');

    const feed = await read('feed.xml');
    expect(wellFormednessErrors(feed)).toEqual([]);
    expect(feed).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">');
    expect(feed).toContain(
      '<link rel="self" type="application/atom+xml" href="https://help.example.com/docs/feed.xml"/>',
    );
    expect(feed).toContain(
      '<link rel="alternate" type="text/html" href="https://help.example.com/docs/release-notes.html"/>',
    );
    expect(feed).toMatch(/<feed[^>]*>\s*<id>urn:uuid:[0-9a-f-]{36}<\/id>/);
    expect(feed).toContain('<updated>');
    const entries = [...feed.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((m) => m[1]!);
    expect(entries).toHaveLength(7);
    const newest = entries[0]!;
    expect(newest).toMatch(
      /<id>urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}<\/id>/,
    );
    expect(newest).toContain('<title>Release 1.7 &#38; more</title>');
    expect(newest).toContain('<published>2024-01-07T00:00:00.000Z</published>');
    expect(newest).toContain(`href="https://help.example.com/docs/articles/${byDay(7).id}.html"`);
    expect(newest).toContain(
      '<content type="html">&#60;p&#62;Changes of day 7 &#60;a href=&#34;https://example.com/?a=1&#38;amp;b=2&#34;&#62;link&#60;/a&#62;&#60;/p&#62;</content>',
    );

    // Entry ids are stable across renders and instances.
    const ids = entries.map((e) => e.match(/<id>(.*?)<\/id>/)![1]);
    await helpCenter({ baseUrl: 'https://help.example.com/docs/' }).createArticle(
      article(sectionId, { title: 'Later', labels: ['release-notes'], publishedAt: Date.UTC(2024, 0, 9) }),
    );
    const again = await read('feed.xml');
    expect(wellFormednessErrors(again)).toEqual([]);
    const againIds = [...again.matchAll(/<entry>\s*<id>(.*?)<\/id>/g)].map((m) => m[1]);
    expect(againIds.slice(1)).toEqual(ids);
  });

  it('makes links to the site relative, so article links and images resolve on disk', async () => {
    const port = helpCenter();
    const base = `${pathToFileURL(dir).href}/`;
    const { id: sectionId } = await plainSection(port, 'Guides');
    const target = await port.createArticle(article(sectionId, { title: 'Target' }));
    const source = await port.createArticle(
      article(sectionId, { title: 'Source', body: '<p>Filled in later.</p>', draft: true }),
    );
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    const image = await port.uploadAttachment(source.id, {
      fileName: 'My Screenshot (1).png',
      contentType: 'image/png',
      bytes,
    });
    expect(image.url).toMatch(
      new RegExp(`^${base}attachments/${source.id}/[0-9a-f]{8}-My-Screenshot-1-\\.png$`),
    );
    expect(
      await port.uploadAttachment(source.id, {
        fileName: 'My Screenshot (1).png',
        contentType: 'image/png',
        bytes,
      }),
    ).toEqual(image);
    const attachment = path.join(dir, image.url.slice(base.length));
    expect(new Uint8Array(await readFile(attachment))).toEqual(bytes);
    expect(JSON.parse(await read(`_data/articles/${source.id}.json`)).attachments).toHaveLength(1);

    const body = `<p>See <a href="${target.url}#setup">the target</a>, <a href="${base}">home</a>, <a href="https://example.com/x">elsewhere</a>.</p>
<p><img src="${image.url}" alt="Screenshot"></p>`;
    await port.putTranslation(source.id, 'en-us', { title: 'Source', body, draft: false });
    await port.putTranslation(source.id, 'fr', { title: 'Source (fr)', body, draft: false });

    for (const page of [`articles/${source.id}.html`, `fr/articles/${source.id}.html`]) {
      const html = await read(page);
      expect(html).not.toContain(base);
      expect(html).toContain('href="https://example.com/x"');
      const hrefs = [...html.matchAll(/<a href="([^"]+)">the target<\/a>/g)].map((m) => m[1]!);
      expect(hrefs).toHaveLength(1);
      expect(hrefs[0]).toMatch(/#setup$/);
      expect(resolveFrom(page, hrefs[0]!)).toBe(path.join(dir, `articles/${target.id}.html`));
      const home = html.match(/<a href="([^"]+)">home<\/a>/)![1]!;
      expect(resolveFrom(page, home)).toBe(path.join(dir, 'index.html'));
      const src = html.match(/<img src="([^"]+)"/)![1]!;
      expect(resolveFrom(page, src)).toBe(attachment);
      // Every relative link on the page leads to a file that exists.
      for (const [, reference] of html.matchAll(/(?:href|src)="([^"]+)"/g)) {
        if (/^[a-z]+:/.test(reference!)) continue;
        expect(existsSync(resolveFrom(page, reference!)), `${page}: ${reference}`).toBe(true);
      }
    }
  });

  it('rewrites single-quoted and entity-encoded links, and never makes a script URL', async () => {
    const base = 'https://help.example.com/a&b/';
    const port = helpCenter({ baseUrl: base });
    const { id: sectionId } = await plainSection(port, 'Guides');
    const target = await port.createArticle(article(sectionId, { title: 'Target' }));
    expect(target.url).toBe(`${base}articles/${target.id}.html`);
    const encoded = target.url.replace('&', '&amp;');
    const source = await port.createArticle(
      article(sectionId, {
        title: 'Source',
        body: `<p><a title="x > y" href='${encoded}?q=1'>one</a> <a href="${base.replace('&', '&#x26;')}articles/javascript:alert(1)">two</a> <a href="${base}">home</a></p>`,
      }),
    );
    const html = await read(`articles/${source.id}.html`);
    expect(html).toContain(`<a title="x > y" href="${target.id}.html?q=1">one</a>`);
    expect(html).toContain('<a href="./javascript:alert(1)">two</a>');
    expect(html).toContain('<a href="../index.html">home</a>');
  });

  it('escapes titles, section names and labels everywhere', async () => {
    const evil = '<script>alert(1)</script> & "x"';
    const port = helpCenter({ title: `Acme ${evil}` });
    const { id: sectionId } = await port.createSection({
      name: `Section ${evil}`,
      locale: 'en-us',
      categoryId: null,
      position: null,
    });
    const created = await port.createArticle(
      article(sectionId, { title: evil, labels: ['release-notes', evil] }),
    );
    const pages = [
      'index.html',
      `sections/${sectionId}.html`,
      `articles/${created.id}.html`,
      'release-notes.html',
      'feed.xml',
    ];
    for (const page of pages) {
      const content = await read(page);
      expect(content, page).not.toContain('<script>');
      expect(content, page).not.toContain('"x"');
      expect(content, page).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;x&#34;');
    }
    expect(wellFormednessErrors(await read('feed.xml'))).toEqual([]);
  });

  it('keeps indexes complete when two instances publish into the same directory at once', async () => {
    const a = helpCenter();
    const b = helpCenter();
    const { id: sectionId } = await plainSection(a, 'Guides');
    expect((await plainSection(b, 'Guides')).id).toBe(sectionId);
    const created = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? a : b).createArticle(
          article(sectionId, {
            title: `Article ${i}`,
            labels: ['release-notes'],
            publishedAt: Date.UTC(2024, 0, 1) + i * 60_000,
          }),
        ),
      ),
    );
    const ids = new Set(created.map((c) => c.id));
    expect(ids.size).toBe(100);
    expect(new Set(linkedArticleIds(await read('sections/guides.html')))).toEqual(ids);
    expect(new Set(linkedArticleIds(await read('release-notes.html')))).toEqual(ids);
    expect(await read('index.html')).toContain('<span class="count">100 articles</span>');
    expect(linkedArticleIds(await read('index.html'))).toEqual(
      created
        .slice(-5)
        .map((c) => c.id)
        .reverse(),
    );
    const feed = await read('feed.xml');
    expect(wellFormednessErrors(feed)).toEqual([]);
    expect(feed.match(/<entry>/g)).toHaveLength(50);
    for (const id of ids) expect(exists(`articles/${id}.html`)).toBe(true);
    // No temp files are left behind.
    const leftovers = (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('re-renders only the written article and the indexes', async () => {
    const port = helpCenter();
    const { id: sectionId } = await plainSection(port, 'Guides');
    const first = await port.createArticle(article(sectionId, { title: 'First' }));
    const page = path.join(dir, `articles/${first.id}.html`);
    const before = await stat(page);
    for (let i = 0; i < 20; i++) await port.createArticle(article(sectionId, { title: `More ${i}` }));
    const after = await stat(page);
    expect({ ino: after.ino, mtimeMs: after.mtimeMs }).toEqual({ ino: before.ino, mtimeMs: before.mtimeMs });
    expect(linkedArticleIds(await read('sections/guides.html'))).toHaveLength(21);
  });

  it('refuses content meant for a user segment: the static site is public', async () => {
    const port = helpCenter();
    const { id: sectionId } = await plainSection(port, 'Guides');
    await expect(port.createArticle(article(sectionId, { userSegmentId: 42 }))).rejects.toMatchObject({
      kind: 'permanent',
      status: 400,
    });
  });
});
