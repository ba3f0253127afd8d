import { cpSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

const fixtures = fileURLToPath(new URL('../fixtures/flavors/', import.meta.url));
const repos: TestRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

type Flavor = 'vitepress' | 'docusaurus' | 'mkdocs' | 'github';

/** A repository holding one flavor's fixture tree, plus extra files, with a GitHub origin. */
function flavorRepo(flavor: Flavor, extra: Record<string, string> = {}, config?: object): TestRepo {
  const r = new TestRepo(`herald-${flavor}-`);
  repos.push(r);
  cpSync(path.join(fixtures, flavor), r.dir, { recursive: true });
  for (const [name, content] of Object.entries(extra)) r.write(name, content);
  if (config) r.write('.releaserc.json', JSON.stringify({ herald: config }));
  r.git('remote', 'add', 'origin', 'https://github.com/acme/widgets.git');
  r.git('add', '-A');
  r.git('commit', '-q', '-m', 'docs');
  return r;
}

interface Check {
  code: number;
  errors: number;
  messages: { file: string; ruleId: string; severity: string; message: string }[];
}

async function check(r: TestRepo, ...args: string[]): Promise<Check> {
  const result = await runCli(['docs', 'check', '--json', '--cwd', r.dir, ...args]);
  return { code: result.code, ...JSON.parse(result.stdout) };
}

const errorsOf = (result: Check) =>
  result.messages
    .filter((m) => m.severity === 'error')
    .map((m) => `${m.ruleId}: ${m.message}`)
    .sort();

describe('herald docs check on trees written for other site generators', () => {
  it.each<Flavor>(['vitepress', 'docusaurus', 'mkdocs', 'github'])(
    '%s: root-relative, extensionless and folder links, static files, heading ids and repository links check clean',
    async (flavor) => {
      const result = await check(flavorRepo(flavor));
      expect(errorsOf(result)).toEqual([]);
      expect(result.code).toBe(0);
    },
  );

  it.each<[Flavor, string, string, string[]]>([
    [
      'vitepress',
      'docs/guide/broken.md',
      '# Broken\n\n[a](./no-such-page) [b](/guide/missing.html) [c](./features#no-heading) ![d](/missing-logo.png) [e](../../src/nothing.ts) [ok](/config/server-options#server-fs-allow)\n',
      [
        'broken-anchor: link to #no-heading: guide/features.md has no such heading',
        'broken-link: link to guide/missing.html: no such page',
        'broken-link: link to guide/no-such-page: no such page',
        'broken-link: link to src/nothing.ts: no such file in the repository',
        'missing-asset: missing-logo.png: no such file in the docs tree',
      ],
    ],
    [
      'docusaurus',
      'website/docs/broken.md',
      '# Broken\n\n[a](/docs/getting-started/nope) [b](./getting-started/configure.md#nope) ![c](/img/none.png) [ok](/docs/advanced/tuning)\n',
      [
        'broken-anchor: link to #nope: getting-started/configure.md has no such heading',
        'broken-link: link to getting-started/nope: no such page',
        'missing-asset: img/none.png: no such file in the docs tree',
      ],
    ],
    [
      'mkdocs',
      'docs/broken.md',
      '# Broken\n\n[a](user-guide/missing.md) [b](getting-started.md#usage_2) ![c](assets/none.png) [ok](getting-started.md#usage_1)\n',
      [
        'broken-anchor: link to #usage_2: getting-started.md has no such heading',
        'broken-link: link to user-guide/missing.md: no such page',
        'missing-asset: assets/none.png: no such file in the docs tree',
      ],
    ],
    [
      'github',
      'docs/broken.md',
      '# Broken\n\n[a](/docs/guides/gone.md) [b](guides/setup.md#build-target) [ok](guides/setup.md#buildtarget)\n',
      [
        'broken-anchor: link to #build-target: guides/setup.md has no such heading',
        'broken-link: link to guides/gone.md: no such page',
      ],
    ],
  ])(
    '%s: a page that really links to nothing still fails, with exactly its broken links',
    async (flavor, file, text, expected) => {
      const result = await check(flavorRepo(flavor, { [file]: text }));
      expect(errorsOf(result)).toEqual(expected);
      expect(result.code).toBe(1);
    },
  );

  it('build points page links at pages, static files at copies and repository files at the repository', async () => {
    const r = flavorRepo('docusaurus');
    const out = path.join(r.dir, 'site');
    const { code, stderr } = await runCli(['docs', 'build', '--out', out, '--cwd', r.dir]);
    expect(code, stderr).toBe(0);
    const commit = r.git('rev-parse', 'HEAD');
    const install = readFileSync(path.join(out, 'getting-started/install.html'), 'utf8');
    expect(install).toContain('src="../_static/img/diagram.png"');
    expect(readFileSync(path.join(out, '_static/img/diagram.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(install).toContain('href="configure.html#buildtarget"');
    expect(install).toContain('href="../intro.html"'); // `slug: /` serves intro.md at /docs/
    expect(install).toContain(`href="https://github.com/acme/widgets/blob/${commit}/CONTRIBUTING.md"`);
    const intro = readFileSync(path.join(out, 'intro.html'), 'utf8');
    expect(intro).toContain('href="01-advanced/02-tuning.html"'); // number prefixes leave the URL
    expect(intro).toContain('href="/blog"'); // a site page outside the docs stays as written
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.pages.find((p: { path: string }) => p.path === 'intro.md')).toMatchObject({
      title: 'Welcome to Widgets',
      position: 1,
    });
    // index/README pages take their folder's id: no "already used" collisions.
    expect(manifest.pages.map((p: { id: string }) => p.id).sort()).toEqual([
      '01-advanced-02-tuning',
      'configure',
      'getting-started',
      'getting-started-install',
      'intro',
    ]);
  });

  it('without a repository URL a link out of the docs is kept as written with a warning, not an error', async () => {
    const r = flavorRepo('github');
    r.git('remote', 'remove', 'origin');
    const result = await check(r);
    expect(result.code).toBe(0);
    expect(result.messages.filter((m) => m.ruleId === 'link-outside-docs')).toHaveLength(2);
  });

  it('docs.exclude drops files, docs.rules re-grades or silences a rule', async () => {
    const broken = '# Broken\n\n[b](./features#no-heading) ![](/logo.png)\n';
    const strict = await check(flavorRepo('vitepress', { 'docs/guide/broken.md': broken }));
    expect(errorsOf(strict)).toEqual([
      'broken-anchor: link to #no-heading: guide/features.md has no such heading',
    ]);
    expect(strict.messages.map((m) => m.ruleId)).toContain('image-alt');

    const unexcluded = await check(flavorRepo('vitepress', {}, { docs: { flavor: 'vitepress' } }));
    expect(errorsOf(unexcluded)).toEqual(['broken-link: link to snippets/nowhere: no such page']);

    const relaxed = await check(
      flavorRepo(
        'vitepress',
        { 'docs/guide/broken.md': broken },
        {
          docs: {
            flavor: 'vitepress',
            exclude: ['snippets/**'],
            rules: { 'broken-anchor': 'warning', 'image-alt': 'off' },
          },
        },
      ),
    );
    expect(relaxed.code).toBe(0);
    expect(relaxed.messages.map((m) => `${m.severity} ${m.ruleId}`)).toEqual(['warning broken-anchor']);
  });

  it('pages at the docs root get a section named after the product, or docs.rootSection', async () => {
    const flat = (config: object) => {
      const r = new TestRepo('herald-flat-');
      repos.push(r);
      r.write('docs/intro.md', '# Intro\n\nSee the [setup](setup/).\n');
      r.write('docs/setup/index.md', '# Setup\n\nBack to the [intro](/intro).\n');
      r.write('.releaserc.json', JSON.stringify({ herald: config }));
      r.git('add', '-A');
      r.git('commit', '-q', '-m', 'docs');
      return r;
    };
    const manifestOf = async (r: TestRepo) => {
      const out = path.join(r.dir, 'site');
      const { code, stderr } = await runCli(['docs', 'build', '--out', out, '--cwd', r.dir]);
      expect(code, stderr).toBe(0);
      return JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    };
    const byProduct = await manifestOf(flat({ product: 'Acme Cloud' }));
    expect(byProduct.sections).toMatchObject([
      { id: 'acme-cloud', title: 'Acme Cloud' },
      { id: 'setup', title: 'Setup' },
    ]);
    expect(byProduct.pages.map((p: { id: string; section: string }) => `${p.id}:${p.section}`)).toEqual([
      'intro:acme-cloud',
      'setup:setup',
    ]);
    const named = await manifestOf(
      flat({ product: 'Acme Cloud', docs: { rootSection: { id: 'start', title: 'Start here' } } }),
    );
    expect(named.sections[0]).toMatchObject({ id: 'start', title: 'Start here' });
  });

  it('a static file linked to a file elsewhere in the repository is served from git; other links are not followed', async () => {
    const r = new TestRepo('herald-symlink-');
    repos.push(r);
    cpSync(path.join(fixtures, 'vitepress'), r.dir, { recursive: true });
    r.write('art/brand.png', '\x89PNG brand');
    r.write('docs/guide/brand.md', '# Brand\n\n![Brand](/brand.png) ![Away](/away.png)\n');
    symlinkSync('../../art/brand.png', path.join(r.dir, 'docs/public/brand.png'));
    symlinkSync('../../../outside.png', path.join(r.dir, 'docs/public/away.png'));
    r.git('add', '-A');
    r.git('commit', '-q', '-m', 'docs');
    const result = await check(r);
    expect(errorsOf(result)).toEqual([
      'missing-asset: away.png: no such file in the docs tree',
      'symlink: symbolic link to "../../../outside.png" is not followed (only a link from a static file to a file of the repository is); copy the file into the docs instead',
    ]);
    r.git('rm', '-q', 'docs/public/away.png');
    r.write('docs/guide/brand.md', '# Brand\n\n![Brand](/brand.png)\n');
    r.git('commit', '-q', '-am', 'docs: no link out');
    const out = path.join(r.dir, 'site');
    const built = await runCli(['docs', 'build', '--out', out, '--cwd', r.dir]);
    expect(built.code, built.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'public/brand.png'), 'utf8')).toBe('\x89PNG brand');
  });
});
