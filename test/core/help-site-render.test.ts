import { describe, expect, it } from 'vitest';
import type { ArticleRecord, SectionRecord } from '../../src/core/help-site/records.js';
import { createSiteRenderer } from '../../src/core/help-site/render.js';

// The static help centre's renderer on its own: records in, files out, no disk.

const BASE = 'https://help.acme.test/';
const site = { id: '6f9619ff-8b86-d011-b42d-00cf4fc964ff', createdAt: Date.UTC(2026, 0, 1) };

function renderer() {
  return createSiteRenderer({
    product: 'Acme <Cloud>',
    defaultLocale: 'en-us',
    baseUrl: BASE,
    feedEntryId: (siteId, articleId) => `${siteId}/${articleId}`,
  });
}

function article(id: string, overrides: Partial<ArticleRecord> = {}): ArticleRecord {
  return {
    id,
    sectionId: 'release-notes',
    sourceLocale: 'en-us',
    labels: ['release-notes'],
    draft: false,
    archived: false,
    position: null,
    createdAt: Date.UTC(2026, 1, 1),
    publishedAt: Date.UTC(2026, 1, 1),
    translations: {
      'en-us': {
        title: `Release ${id}`,
        body: `<p>notes ${id}</p>`,
        draft: false,
        updatedAt: Date.UTC(2026, 1, 1),
      },
    },
    attachments: [],
    ...overrides,
  };
}

const section: SectionRecord = { id: 'release-notes', name: 'Release notes', locale: 'en-us', position: 1 };

describe('static help centre renderer', () => {
  it('renders every index from the records, newest release note first, without a disk', () => {
    const older = article('aaaaaaaaaaaa', { publishedAt: Date.UTC(2026, 1, 1) });
    const newer = article('bbbbbbbbbbbb', { publishedAt: Date.UTC(2026, 2, 1) });
    const files = renderer().indexFiles([older, newer], [section], site);
    expect([...files.keys()].sort()).toEqual([
      'feed.xml',
      'index.html',
      'release-notes.html',
      'sections/release-notes.html',
      'style.css',
    ]);
    const list = files.get('release-notes.html')!;
    expect(list.indexOf('Release bbbbbbbbbbbb')).toBeLessThan(list.indexOf('Release aaaaaaaaaaaa'));
    const feed = files.get('feed.xml')!;
    expect(feed).toContain(`<id>urn:uuid:${site.id}/bbbbbbbbbbbb</id>`);
    expect(feed).toContain(`href="${BASE}articles/bbbbbbbbbbbb.html"`);
  });

  it('escapes untrusted titles and names into HTML and XML', () => {
    const hostile = article('cccccccccccc', {
      translations: {
        'en-us': { title: '<script>x</script>', body: '<p>b</p>', draft: false, updatedAt: 0 },
      },
    });
    const files = renderer().indexFiles([hostile], [{ ...section, name: '"><img src=x>' }], site);
    for (const [name, content] of files) {
      if (name === 'style.css') continue;
      expect(content, name).not.toContain('<script>x');
      expect(content, name).not.toContain('<img src=x>');
      expect(content, name).not.toContain('Acme <Cloud>');
    }
  });

  it('writes a page per visible translation and names the pages to remove', () => {
    const record = article('dddddddddddd', {
      labels: [],
      translations: {
        'en-us': {
          title: 'Guide',
          body: `<a href="${BASE}articles/eeeeeeeeeeee.html#x">next</a>`,
          draft: false,
          updatedAt: 0,
        },
        de: { title: 'Anleitung', body: '<p>de</p>', draft: false, updatedAt: 0 },
        fr: { title: 'Guide fr', body: '<p>fr</p>', draft: true, updatedAt: 0 },
      },
    });
    const { files, stale } = renderer().articlePages(record, section);
    expect([...files.keys()].sort()).toEqual(['articles/dddddddddddd.html', 'de/articles/dddddddddddd.html']);
    expect(stale).toEqual(['fr/articles/dddddddddddd.html']);
    // Links into the site become relative, so the site can move.
    expect(files.get('articles/dddddddddddd.html')).toContain('<a href="eeeeeeeeeeee.html#x">next</a>');
    expect(files.get('de/articles/dddddddddddd.html')).toContain(
      'hreflang="en-us" href="../../articles/dddddddddddd.html"',
    );
  });

  it('lists nothing of a draft or archived article', () => {
    const render = renderer();
    expect(render.indexFingerprint(article('ffffffffffff', { draft: true }))).toBe('');
    expect(render.articlePages(article('ffffffffffff', { archived: true }), section).files.size).toBe(0);
  });
});
