import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

const repos: TestRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

function docsRepo(files: Record<string, string | Buffer>): TestRepo {
  const r = new TestRepo('herald-docs-bad-');
  repos.push(r);
  r.write('docs/sections.yml', '- id: guide\n  title: Guide\n- id: api\n  title: API\n');
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string') r.write(`docs/${name}`, content);
    else writeFileSync(path.join(r.dir, 'docs', name), content);
  }
  return r;
}

const good = (id: string, section = 'guide', body = 'Some text.\n') =>
  `---\nid: ${id}\ntitle: ${id} page\nsection: ${section}\n---\n# ${id} page\n\n## Details\n\n${body}`;

describe('herald docs check: every problem at once, located', () => {
  it('tells what publishing takes out of an SVG, and refuses one that cannot be published', async () => {
    const r = docsRepo({
      'guide/drawings.md': good(
        'drawings',
        'guide',
        '![plan](../images/plan.svg) ![fake](../images/fake.svg) ![packed](../images/packed.svgz)\n',
      ),
      'images/plan.svg':
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2">\n  <script>alert(1)</script>\n  <rect width="2" height="2" onclick="steal()"/>\n</svg>\n',
      'images/fake.svg': '<html><body>not a drawing</body></html>\n',
      'images/packed.svgz': Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
    });
    r.git('add', '-A');
    r.git('commit', '-q', '-m', 'docs');
    const result = await runCli(['docs', 'check'], { cwd: r.dir });
    expect(result.code).toBe(1);
    const lines = `${result.stdout}\n${result.stderr}`.split('\n');
    const of = (rule: string) => lines.filter((l) => l.endsWith(`[${rule}]`));
    expect(of('svg-unsafe').map((l) => l.split(/\s+/)[0])).toEqual([
      'docs/images/plan.svg:2:3',
      'docs/images/plan.svg:3:3',
    ]);
    expect(of('svg-unsafe').every((l) => l.includes('warning') && l.includes('published without it'))).toBe(
      true,
    );
    expect(
      of('svg-invalid')
        .map((l) => l.split(/\s+/)[0])
        .sort(),
    ).toEqual(['docs/images/fake.svg:1:1', 'docs/images/packed.svgz:1:1']);
  });

  it('reports broken links, anchors, images, ids, sections, frontmatter, encodings and symlinks together', async () => {
    const r = docsRepo({
      'guide/a.md': good(
        'a',
        'guide',
        '[to b](b.md#details) [missing](nope.md) [bad anchor](b.md#nowhere) ![logo](../images/none.png)\n\n[self](#details) [loop](b.md)\n',
      ),
      'guide/b.md': good('b', 'guide', '[back to a](a.md)\n'),
      'guide/dup.md': good('a'),
      'guide/where.md': good('where', 'marketing'),
      'guide/yaml.md': '---\nid: yaml\ntitle: [broken\n---\nText\n',
      'guide/empty.md': '---\nid: empty\ntitle: Empty\n---\n# Empty\n',
      'guide/latin1.md': Buffer.concat([
        Buffer.from('---\nid: latin\ntitle: Latin\n---\nCaf'),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]),
      'guide/binary.md': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a]),
      'api/draft.md': '---\nid: draft\ntitle: Draft\nsection: api\ndraft: true\n---\nNot yet.\n',
      'api/uses-draft.md': good('uses-draft', 'api', '[soon](draft.md)\n'),
    });
    symlinkSync('../../../etc/passwd', path.join(r.dir, 'docs/guide/secret.md'));
    r.git('add', '-A');
    r.git('commit', '-q', '-m', 'docs');
    const { code, stderr } = await runCli(['docs', 'check', '--cwd', r.dir]);
    expect(code).toBe(1);
    const expected = [
      /docs\/guide\/a\.md:10:22 {2}link to guide\/nope\.md: no such page {2}\[broken-link\]/,
      /docs\/guide\/a\.md:10:41 {2}link to #nowhere: guide\/b\.md has no such heading {2}\[broken-anchor\]/,
      /docs\/guide\/a\.md:10:\d+ {2}images\/none\.png: no such file in the docs tree {2}\[missing-asset\]/,
      /docs\/guide\/dup\.md:1:1 {2}id "a" is already used by docs\/guide\/a\.md {2}\[duplicate-id\]/,
      /docs\/guide\/where\.md:1:1 {2}unknown section "marketing"/,
      /docs\/guide\/yaml\.md:3:\d+ {2}invalid frontmatter YAML/,
      /docs\/guide\/empty\.md:1:1 {2}page would render empty {2}\[empty-page\]/,
      /docs\/guide\/latin1\.md:5:4 {2}file is not valid UTF-8/,
      /docs\/guide\/binary\.md:1:5 {2}file is binary/,
      /docs\/guide\/secret\.md:1:1 {2}symbolic link to "\.\.\/\.\.\/\.\.\/etc\/passwd" is not followed/,
      /docs\/api\/uses-draft\.md:10:1 {2}link to api\/draft\.md, which is a draft/,
    ];
    for (const pattern of expected) expect(stderr).toMatch(pattern);
    expect(stderr).toMatch(/\d+ pages: \d+ errors, \d+ warnings?\./);
    expect(stderr).not.toContain('root:'); // the symlink target was never read as a file
  });

  it('warnings pass unless --strict; --json lists every message', async () => {
    const r = docsRepo({
      'guide/a.md': '# No frontmatter\n\nText with ![](../x.png)\n',
      'x.png': Buffer.from('\x89PNG\r\n'),
    });
    r.git('add', '-A');
    r.git('commit', '-q', '-m', 'docs');
    const lenient = await runCli(['docs', 'check', '--cwd', r.dir]);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/warning {2}no frontmatter.*\[missing-id\]/);
    expect(lenient.stderr).toMatch(/has no alt text {2}\[image-alt\]/);
    const strict = await runCli(['docs', 'check', '--strict', '--cwd', r.dir]);
    expect(strict.code).toBe(1);
    const json = JSON.parse((await runCli(['docs', 'check', '--json', '--cwd', r.dir])).stdout);
    expect(json).toMatchObject({ ok: true, errors: 0, warnings: 2 });
    expect(json.messages.map((m: { ruleId: string }) => m.ruleId).sort()).toEqual([
      'image-alt',
      'missing-id',
    ]);
  });

  it('compiles large trees on worker threads with the same result as in-process', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 80; i++)
      files[`guide/p${i}.md`] = good(
        `p${i}`,
        'guide',
        `[next](p${(i + 1) % 80}.md#details)\n\n| a | b |\n|---|---|\n| ${i} | x |\n`,
      );
    const r = docsRepo(files);
    r.git('add', '-A');
    r.git('commit', '-q', '-m', 'docs');
    const { code, stdout } = await runCli([
      'docs',
      'build',
      '--json',
      '--out',
      path.join(r.dir, 'out'),
      '--cwd',
      r.dir,
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.stats).toMatchObject({ pages: 80, compiled: 80 });
    const page = result.manifest.pages.find((p: { id: string }) => p.id === 'p7');
    expect(page.links).toEqual([{ page: 'p8', anchor: 'details' }]);
  });

  it("a YAML alias bomb in frontmatter or sections.yml is that file's error, not a crash", async () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefg'.split('').map((name, i) => {
        const previous = 'abcdefg'[i]!;
        return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`;
      }),
    ].join('\n');
    const r = docsRepo({
      'guide/bomb.md': `---\nid: bomb\ntitle: Bomb\n${bomb}\n---\n# Bomb\n\nText.\n`,
      'guide/b.md': good('b', 'guide', '[missing](nope.md)\n'),
    });
    r.write('docs/sections.yml', `${bomb.replace(/^(\w):/gm, '- $1:')}\n`);
    r.git('add', '-A');
    r.git('commit', '-q', '-m', 'docs');
    const { code, stderr } = await runCli(['docs', 'check', '--cwd', r.dir]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /docs\/guide\/bomb\.md:2:1 {2}frontmatter YAML expands aliases .*\[frontmatter-yaml\]/,
    );
    expect(stderr).toMatch(/docs\/sections\.yml:1:1 {2}sections\.yml expands aliases/);
    expect(stderr).toMatch(/docs\/guide\/b\.md:\d+:\d+ {2}link to guide\/nope\.md: no such page/);
    expect(stderr).not.toMatch(/\bat \w+ \(|bug|ReferenceError/);
  });

  it('hostile pages (emphasis floods, 50,000 brackets) are refused with their line; other pages are still checked', async () => {
    const r = docsRepo({
      'guide/stars.md': `---\nid: stars\ntitle: Stars\n---\nIntro.\n\n${'*a'.repeat(50_000)}\n`,
      'guide/brackets.md': `---\nid: brackets\ntitle: Brackets\n---\n${'['.repeat(50_000)}\n`,
      'guide/b.md': good('b', 'guide', '[missing](nope.md)\n'),
    });
    r.git('add', '-A');
    r.git('commit', '-q', '-m', 'docs');
    const { code, stderr } = await runCli(['docs', 'check', '--cwd', r.dir]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /docs\/guide\/stars\.md:7:1 {2}paragraph has over 1000 runs of \* or _.*\[too-complex\]/,
    );
    expect(stderr).toMatch(
      /docs\/guide\/brackets\.md:5:1 {2}paragraph has over 1000 \[ brackets.*\[too-complex\]/,
    );
    expect(stderr).toMatch(/docs\/guide\/b\.md:\d+:\d+ {2}link to guide\/nope\.md: no such page/);
  });

  it('bad usage: unknown action, missing refs, unknown ref', async () => {
    const r = docsRepo({ 'guide/a.md': good('a') });
    r.git('add', '-A');
    r.git('commit', '-q', '-m', 'docs');
    expect((await runCli(['docs', 'publish', '--cwd', r.dir])).code).toBe(2);
    expect((await runCli(['docs', 'diff', 'HEAD', '--cwd', r.dir])).code).toBe(2);
    const unknown = await runCli(['docs', 'check', '--ref', 'v9.9.9', '--cwd', r.dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('EUNKNOWNREF');
  });
});
