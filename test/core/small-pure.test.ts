import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { splitChangelog, upsertChangelogSection } from '../../src/core/changelog.js';
import { createLinker, webUrlFromRemote } from '../../src/core/links.js';
import { collapseLineBreaks, escapeMarkdownText, markdownUrl } from '../../src/core/markdown-text.js';
import { bumpFor, nextVersion } from '../../src/core/next-version.js';
import { createRedactor, redactUrl } from '../../src/core/redact.js';
import { parseTagFormat } from '../../src/core/tag-format.js';
import type { Change } from '../../src/model/index.js';

describe('parseTagFormat', () => {
  it('maps versions to tags and back', () => {
    const format = parseTagFormat('v${version}');
    expect(format.tagOf('1.2.3')).toBe('v1.2.3');
    expect(format.versionOf('v1.2.3')).toBe('1.2.3');
    expect(format.versionOf('v1.2.3-beta.1')).toBe('1.2.3-beta.1');
    expect(format.versionOf('v1.2')).toBeNull();
    expect(format.versionOf('1.2.3')).toBeNull();
    expect(format.glob).toBe('v*');
  });

  it('binds ${name} for monorepo packages', () => {
    const format = parseTagFormat('${name}@${version}', '@acme/web');
    expect(format.tagOf('2.0.0')).toBe('@acme/web@2.0.0');
    expect(format.versionOf('@acme/web@2.0.0')).toBe('2.0.0');
    expect(format.versionOf('@acme/api@2.0.0')).toBeNull();
  });

  it('rejects formats without exactly one ${version}', () => {
    expect(() => parseTagFormat('release')).toThrow(/exactly once/);
    expect(() => parseTagFormat('${version}-${version}')).toThrow(/exactly once/);
    expect(() => parseTagFormat('v ${version}')).toThrow(/spaces/);
  });
});

describe('links', () => {
  it('derives the web URL from remotes and drops credentials', () => {
    expect(webUrlFromRemote('git@github.com:acme/app.git')).toEqual({
      url: 'https://github.com/acme/app',
      forge: 'github',
      path: 'acme/app',
    });
    expect(webUrlFromRemote('https://user:s3cret@gitlab.com/group/sub/proj.git')).toEqual({
      url: 'https://gitlab.com/group/sub/proj',
      forge: 'gitlab',
      path: 'group/sub/proj',
    });
    expect(webUrlFromRemote('/some/local/path')).toBeNull();
  });

  it('builds GitHub, GitLab and tracker-key URLs', () => {
    const gh = createLinker({
      repository: 'https://github.com/acme/app',
      jira: { pattern: 'PROJ-\\d+', url: 'https://acme.atlassian.net/browse/{id}' },
    });
    expect(gh.reference({ prefix: '#', id: '12', repository: null })).toBe(
      'https://github.com/acme/app/issues/12',
    );
    expect(gh.reference({ prefix: '#', id: '12', repository: null }, 'pull')).toBe(
      'https://github.com/acme/app/pull/12',
    );
    expect(gh.reference({ prefix: '#', id: '3', repository: 'org/other' })).toBe(
      'https://github.com/org/other/issues/3',
    );
    expect(gh.reference({ prefix: 'PROJ-', id: 'PROJ-7', repository: null })).toBe(
      'https://acme.atlassian.net/browse/PROJ-7',
    );
    expect(gh.compare('v1.0.0', 'v1.1.0')).toBe('https://github.com/acme/app/compare/v1.0.0...v1.1.0');
    const gl = createLinker({ repository: 'https://gitlab.com/g/p' });
    expect(gl.reference({ prefix: '#', id: '5', repository: null }, 'pull')).toBe(
      'https://gitlab.com/g/p/-/merge_requests/5',
    );
    expect(gl.commit('abc')).toBe('https://gitlab.com/g/p/-/commit/abc');
    expect(createLinker({}).reference({ prefix: '#', id: '1', repository: null })).toBeNull();
  });
});

describe('markdown escaping', () => {
  it('neutralises HTML, links and images from untrusted text', () => {
    expect(escapeMarkdownText('<script>alert(1)</script>')).toBe('\\<script\\>alert(1)\\</script\\>');
    expect(escapeMarkdownText('[click](javascript:alert(1))')).toBe('\\[click\\](javascript:alert(1))');
    expect(escapeMarkdownText('![x](http://evil/x.png)')).toBe('\\!\\[x\\](http://evil/x.png)');
    expect(escapeMarkdownText('line one\nline two')).toBe('line one line two');
    expect(escapeMarkdownText('# not a heading')).toBe('\\# not a heading');
    expect(escapeMarkdownText('keeps `code` and *emphasis*')).toBe('keeps `code` and *emphasis*');
  });

  it('allows only http(s) URLs', () => {
    expect(markdownUrl('javascript:alert(1)')).toBeNull();
    expect(markdownUrl('https://x.test/a (b)')).toBe('https://x.test/a%20%28b%29');
  });
});

describe('upsertChangelogSection', () => {
  const cmp = semver.compare;
  it('creates, inserts in order and replaces sections; running twice changes nothing', () => {
    let text = upsertChangelogSection('', '1.0.0', '## 1.0.0 (2026-01-01)\n\n- a', cmp);
    expect(text).toBe('# Changelog\n\n## 1.0.0 (2026-01-01)\n\n- a\n');
    text = upsertChangelogSection(text, '1.1.0', '## [1.1.0](https://x/compare) (2026-02-01)\n\n- b', cmp);
    expect(text.indexOf('1.1.0')).toBeLessThan(text.indexOf('## 1.0.0'));
    const again = upsertChangelogSection(
      text,
      '1.1.0',
      '## [1.1.0](https://x/compare) (2026-02-01)\n\n- b',
      cmp,
    );
    expect(again).toBe(text);
    const replaced = upsertChangelogSection(text, '1.0.0', '## 1.0.0 (2026-01-01)\n\n- a, reworded', cmp);
    expect(replaced).toContain('- a, reworded');
    expect(replaced.match(/## 1\.0\.0/g)).toHaveLength(1);
    const middle = upsertChangelogSection(replaced, '1.0.5', '## 1.0.5\n\n- c', cmp);
    expect(middle.indexOf('## 1.0.5')).toBeGreaterThan(middle.indexOf('1.1.0'));
    expect(middle.indexOf('## 1.0.5')).toBeLessThan(middle.indexOf('## 1.0.0'));
  });
});

describe('splitChangelog', () => {
  it('knows the headings conventional-changelog writes for major, minor and patch releases', () => {
    const text = [
      '# Changelog',
      '',
      'Kept by hand.',
      '',
      '## <small>[9.1.2](https://x/compare/a%409.1.1...a%409.1.2) (2026-07-30)</small>',
      '### Features',
      '* one',
      '## [9.1.0](https://x/compare) (2026-06-23)',
      '* two',
      '# [9.0.0](https://x/compare) (2026-05-01)',
      '### Bug Fixes',
      '* three',
      '### [8.0.1](https://x/compare) (2026-04-01)',
      '* four',
      '## 7.0.0',
    ].join('\n');
    const parts = splitChangelog(text);
    expect(parts.preamble).toBe('# Changelog\n\nKept by hand.');
    expect(parts.sections.map((s) => s.version)).toEqual(['9.1.2', '9.1.0', '9.0.0', '8.0.1', '7.0.0']);
    // A section's own sub-headings (`### Features`) stay inside it.
    expect(parts.sections[2]!.text).toBe('# [9.0.0](https://x/compare) (2026-05-01)\n### Bug Fixes\n* three');
  });
});

describe('next version', () => {
  const change = (type: string | null, breaking: string[] = []) => ({ type, breaking }) as Change;
  it('bumps by the most significant change', () => {
    expect(bumpFor([change('fix'), change('feat')])).toBe('minor');
    expect(bumpFor([change('fix'), change('chore', ['x'])])).toBe('major');
    expect(bumpFor([change('chore'), change(null)])).toBeNull();
    expect(nextVersion('1.2.3', 'minor')).toBe('1.3.0');
    expect(nextVersion('0.4.1', 'major')).toBe('0.5.0');
    expect(nextVersion(null, 'patch')).toBe('1.0.0');
    expect(nextVersion('2.0.0-beta.1', 'minor')).toBe('2.0.0-beta.2');
  });
});

describe('createRedactor', () => {
  it('masks secret environment values, encoded forms and URL passwords', () => {
    const redact = createRedactor({
      GITHUB_TOKEN: 'ghp_abc123def',
      SMTP_URL: 'smtp://u:p%40ss@mail.test',
      PATH: '/usr/bin',
    });
    expect(redact('token ghp_abc123def and smtp://u:p%40ss@mail.test, /usr/bin')).toBe(
      'token [redacted] and [redacted], /usr/bin',
    );
    expect(redact('see https://bob:hunter2@git.test/x')).toBe('see https://bob:[redacted]@git.test/x');
  });

  it('leaves a connection URL without a password or query readable', () => {
    const redact = createRedactor({
      SMTP_URL: 'smtp://127.0.0.1:2525',
      HERALD_DATABASE_URL: 'postgres://db.internal/herald?password=hunter22',
      DATABASE_URL: 'postgres://herald@db.internal:5432/herald',
    });
    expect(redact('relay smtp://127.0.0.1:2525')).toBe('relay smtp://127.0.0.1:2525');
    expect(redact('postgres://db.internal/herald?password=hunter22')).toBe('[redacted]');
    expect(redact('postgres://herald@db.internal:5432/herald')).toBe(
      'postgres://herald@db.internal:5432/herald',
    );
  });
});

describe('redactUrl', () => {
  it('masks passwords with spaces, slashes and @, and secret query parameters', () => {
    expect(redactUrl('postgres://u:a b/c@d@db:5432/x')).toBe('postgres://u:[redacted]@db:5432/x');
    expect(redactUrl('postgres://u@db/x?sslmode=require&password=p1&sslpassword=p2')).toBe(
      'postgres://u@db/x?sslmode=require&password=[redacted]&sslpassword=[redacted]',
    );
    expect(redactUrl('postgres://u@db/x')).toBe('postgres://u@db/x');
    expect(redactUrl('postgres://db:5432/x')).toBe('postgres://db:5432/x');
  });

  it('the redactor masks URLs given to --store, in either flag form', () => {
    const redact = createRedactor({}, [
      'list',
      '--store',
      'postgres://u:pa ss@db/x',
      '--store=pg://u@h/d?pwd=zz9',
    ]);
    expect(redact('pa ss and zz9 and pa%20ss')).toBe('[redacted] and [redacted] and [redacted]');
  });
});

describe('collapseLineBreaks', () => {
  it('equals the regex it replaces, for any mix of whitespace, line breaks and text', () => {
    const piece = fc.constantFrom(' ', '\n', '\r', '\t', 'a', 'b', '\u00a0', '\u2028', '\r\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
        const text = pieces.join('');
        expect(collapseLineBreaks(text)).toBe(text.replace(/\s*[\r\n]+\s*/g, ' '));
      }),
      { numRuns: 2000 },
    );
  });
});
