import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'jsonc-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

const repos: TestRepo[] = [];
function repo(files: Record<string, string> = {}): TestRepo {
  const r = new TestRepo('herald-init-');
  repos.push(r);
  r.commit('feat: first', { files: { 'README.md': '# x\n', ...files } });
  return r;
}
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

interface Written {
  $schema: string;
  tagFormat?: string;
  herald: {
    product: string;
    notes: { links: { repository: string } };
    docs: { dir: string };
    packages?: object[];
  };
}
const configOf = (r: TestRepo) => parse(readFileSync(path.join(r.dir, '.releaserc.json'), 'utf8')) as Written;

describe('herald init', () => {
  it('writes a config from package.json, v-tags, a GitHub ssh remote and a VitePress docs folder; notes then run', async () => {
    const r = repo({
      'package.json': JSON.stringify({ name: '@acme/cloud' }),
      'docs/index.md': '# Acme\n',
      'docs/.vitepress/config.mts': 'export default {}\n',
    });
    r.tag('v1.0.0');
    r.commit('feat: export invoices');
    r.git('remote', 'add', 'origin', 'git@github.com:acme/cloud.git');

    const { code, stdout, stderr } = await runCli(['init', '--cwd', r.dir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const config = configOf(r);
    expect(Object.keys(config)).toEqual(['$schema', 'tagFormat', 'herald']);
    expect(config.$schema).toMatch(/schema\/herald\.schema\.json$/);
    expect(config.tagFormat).toBe('v${version}');
    expect(config.herald).toMatchObject({
      product: 'cloud',
      notes: { links: { repository: 'https://github.com/acme/cloud' } },
      docs: { dir: 'docs' },
    });
    expect(stdout).toMatch(/Wrote \.releaserc\.json/);
    expect(stdout).toMatch(/tagFormat +v\$\{version\} +\(tags such as v1\.0\.0\)/);
    expect(stdout).toMatch(/docs\.flavor +vitepress +\(docs\/\.vitepress/);
    expect(stdout).toContain('Next steps:');

    const notes = await runCli(['notes', '--cwd', r.dir]);
    expect(notes.stderr).toBe('');
    expect(notes.stdout).toMatch(
      /^## \[1\.1\.0\]\(https:\/\/github\.com\/acme\/cloud\/compare\/v1\.0\.0\.\.\.v1\.1\.0\)/,
    );
  });

  it('bare version tags, a GitLab https remote, MkDocs in documentation/, no package.json: the folder name', async () => {
    const r = repo({ 'documentation/index.md': '# Docs\n', 'mkdocs.yml': 'site_name: x\n' });
    r.tag('1.0.0');
    r.tag('1.0.1');
    r.git('remote', 'add', 'origin', 'https://gitlab.com/acme/tools/cli.git');
    const { code, stdout } = await runCli(['init', '--cwd', r.dir, '--json']);
    expect(code).toBe(0);
    const config = configOf(r);
    expect(config.tagFormat).toBe('${version}');
    expect(config.herald.product).toBe(path.basename(r.dir));
    expect(config.herald.notes.links.repository).toBe('https://gitlab.com/acme/tools/cli');
    expect(config.herald.docs.dir).toBe('documentation');
    const report = JSON.parse(stdout);
    expect(report.findings).toContainEqual({
      setting: 'docs.flavor',
      value: 'mkdocs',
      source: expect.stringMatching(/^mkdocs\.yml/),
    });
    expect(report.findings).toContainEqual({
      setting: 'product',
      value: path.basename(r.dir),
      source: 'the directory name',
    });
  });

  it('monorepo tags (name@version): a package entry per tag series, placed by its folder; Docusaurus in website/docs', async () => {
    const r = repo({
      'packages/web/package.json': JSON.stringify({ name: '@acme/web' }),
      'services/billing-api/package.json': JSON.stringify({ name: 'billing' }),
      'website/docs/intro.md': '# Intro\n',
      'website/docusaurus.config.js': 'module.exports = {};\n',
    });
    r.tag('@acme/web@1.0.0');
    r.tag('billing@2.1.0');
    r.tag('orphan@0.1.0');
    const { code, stdout } = await runCli(['init', '--cwd', r.dir]);
    expect(code).toBe(0);
    const config = configOf(r);
    expect(config.tagFormat).toBeUndefined(); // semantic-release's own tagFormat stays its default
    expect(config.herald.packages).toEqual([
      { name: '@acme/web', path: 'packages/web', tagFormat: '${name}@${version}' },
      { name: 'billing', path: 'services/billing-api', tagFormat: '${name}@${version}' },
    ]);
    expect(stdout).toMatch(/Add orphan to herald\.packages/);
    expect(config.herald.docs.dir).toBe('website/docs');
    expect(stdout).toMatch(/docs\.flavor +docusaurus +\(website\/docusaurus\.config\.js/);
    const notes = await runCli(['notes', '--package', 'billing', '--cwd', r.dir]);
    expect(notes.stderr).toBe('');
    expect(notes.code).toBe(0);
  });

  it('refuses to overwrite .releaserc.json (exit 2, fix: --force); --force keeps semantic-release keys and comments', async () => {
    const existing =
      '{\n  // semantic-release\n  "branches": ["main"],\n  "herald": { "product": "Old" },\n}\n';
    const r = repo({ '.releaserc.json': existing, 'package.json': JSON.stringify({ name: 'new-name' }) });
    const refused = await runCli(['init', '--cwd', r.dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error ECONFIGEXISTS \.releaserc\.json holds the release config already/);
    expect(refused.stderr).toMatch(/fix: Run `herald init --force`/);
    expect(readFileSync(path.join(r.dir, '.releaserc.json'), 'utf8')).toBe(existing);

    const forced = await runCli(['init', '--force', '--cwd', r.dir]);
    expect(forced.code).toBe(0);
    const text = readFileSync(path.join(r.dir, '.releaserc.json'), 'utf8');
    expect(text).toContain('// semantic-release');
    expect(configOf(r)).toMatchObject({ branches: ['main'], herald: { product: 'new-name' } });
  });

  it('a config in another form (release.config.js, package.json "release"): says so, writes and merges nothing', async () => {
    const js = 'module.exports = { branches: ["main"] };\n';
    const r = repo({ 'release.config.js': js });
    const { code, stdout, stderr } = await runCli(['init', '--force', '--cwd', r.dir]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/ECONFIGEXISTS release\.config\.js holds the release config already/);
    expect(stderr).toMatch(/add the "herald" settings printed above to release\.config\.js/);
    expect(JSON.parse(stdout).herald.product).toBe(path.basename(r.dir));
    expect(existsSync(path.join(r.dir, '.releaserc.json'))).toBe(false);
    expect(readFileSync(path.join(r.dir, 'release.config.js'), 'utf8')).toBe(js);

    const inPackage = repo({
      'package.json': JSON.stringify({ name: 'x', release: { branches: ['main'] } }),
    });
    const pkg = await runCli(['init', '--cwd', inPackage.dir]);
    expect(pkg.code).toBe(2);
    expect(pkg.stderr).toMatch(/package\.json holds the release config already/);
    expect(pkg.stderr).toMatch(/to its "release" key/);
    expect(existsSync(path.join(inPackage.dir, '.releaserc.json'))).toBe(false);
  });
});
