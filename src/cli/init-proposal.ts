import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { createGitCli } from '../adapters/git-cli.js';
import { guessTagFormat } from '../core/guess-tag-format.js';
import { webUrlFromRemote } from '../core/links.js';
import { configJsonSchema } from './commands/schema.js';

/**
 * What `herald init` proposes for a repository, from what it can see: package.json, tags, the
 * origin remote, the docs folder and the site generator's files.
 */

/** One thing `herald init` found, and where it found it. */
export interface Finding {
  setting: string;
  value: string;
  source: string;
}

const DOCS_DIRS = ['docs', 'documentation', 'website/docs'];

type Git = ReturnType<typeof createGitCli>;
export interface Proposal {
  config: { $schema: string; tagFormat?: string; herald: Record<string, unknown> };
  findings: Finding[];
  hints: string[];
}

export async function proposeConfig(root: string, git: Git): Promise<Proposal> {
  const findings: Finding[] = [];
  const hints: string[] = [];
  const herald: Record<string, unknown> = {};
  let tagFormat: string | undefined;

  const pkg = readPackageJson(root);
  const product = pkg?.name?.replace(/^@[^/]+\//, '') || path.basename(root);
  herald.product = product;
  findings.push({
    setting: 'product',
    value: product,
    source: pkg?.name ? 'package.json "name"' : 'the directory name',
  });
  hints.push('Change "product" to the name your customers know, if it is not that already.');

  const tags = (await git.tags('*')).map((t) => t.tag);
  const guess = guessTagFormat(tags);
  if (guess.kind === 'single') {
    tagFormat = guess.tagFormat;
    findings.push({ setting: 'tagFormat', value: guess.tagFormat, source: `tags such as ${guess.example}` });
  } else if (guess.kind === 'packages') {
    const packages = guess.names.map((name) => ({
      name,
      path: packageDir(root, name),
      tagFormat: '${name}@${version}',
    }));
    const placed = packages.filter((p): p is typeof p & { path: string } => p.path !== null);
    if (placed.length > 0) herald.packages = placed;
    findings.push({
      setting: 'packages',
      value: placed.map((p) => `${p.name} (${p.path})`).join(', ') || 'none placed',
      source: `monorepo tags such as ${guess.example}`,
    });
    const unplaced = packages.filter((p) => p.path === null).map((p) => p.name);
    hints.push(
      `Tags look like ${guess.example}, one series per package: run Herald with --package <name>.${unplaced.length > 0 ? ` Add ${unplaced.join(', ')} to herald.packages with the folder each lives in.` : ''}`,
    );
  } else {
    findings.push({
      setting: 'tagFormat',
      value: 'v${version}',
      source: "no release tags yet: semantic-release's default",
    });
  }

  const remote = await git.remoteUrl().catch(() => null);
  const web = remote ? webUrlFromRemote(remote) : null;
  if (web && web.forge !== 'other') {
    herald.notes = { links: { repository: web.url } };
    findings.push({ setting: 'notes.links.repository', value: web.url, source: 'the origin remote' });
  } else {
    hints.push(
      'No GitHub or GitLab origin remote: set herald.notes.links.repository for links in the notes.',
    );
  }

  const docsDir = DOCS_DIRS.find((dir) => isDirectory(path.join(root, dir)));
  if (docsDir) {
    const flavor = docsFlavor(root, docsDir);
    const docs: Record<string, string> = { dir: docsDir };
    const known = schemaKnowsDocsFlavor();
    if (known) docs.flavor = flavor.name;
    herald.docs = docs;
    findings.push({ setting: 'docs.dir', value: docsDir, source: 'the folder' });
    findings.push({
      setting: 'docs.flavor',
      value: flavor.name,
      source: known ? flavor.source : `${flavor.source}; not written: this Herald has no such setting`,
    });
  } else {
    hints.push(
      'No docs folder (docs/, documentation/, website/docs): notes go out without docs; set herald.docs.dir when you have one.',
    );
  }
  const $schema = schemaPath(root);
  if (!$schema.startsWith('./node_modules/'))
    hints.push(
      '"$schema" points at the schema of the Herald on this machine; once herald-release is a dev dependency, use ./node_modules/herald-release/schema/herald.schema.json.',
    );
  const config = { $schema, ...(tagFormat === undefined ? {} : { tagFormat }), herald };
  return { config, findings, hints };
}

/** The site generator whose conventions the docs follow (links, heading ids, static folders). */
function docsFlavor(root: string, docsDir: string): { name: string; source: string } {
  const has = (file: string) => existsSync(path.join(root, file));
  for (const dir of [docsDir, '.'])
    if (isDirectory(path.join(root, dir, '.vitepress')))
      return { name: 'vitepress', source: path.join(dir, '.vitepress') };
  for (const dir of ['.', 'website', path.dirname(docsDir)])
    for (const ext of ['js', 'ts', 'mjs', 'cjs']) {
      const file = path.join(dir, `docusaurus.config.${ext}`);
      if (has(file)) return { name: 'docusaurus', source: file };
    }
  for (const file of ['mkdocs.yml', 'mkdocs.yaml']) if (has(file)) return { name: 'mkdocs', source: file };
  return { name: 'github', source: 'no site generator found: Markdown as GitHub shows it' };
}

/** docs.flavor arrives with the docs-flavor work; until the schema has it, init only reports the guess. */
function schemaKnowsDocsFlavor(): boolean {
  type Props = { properties?: Record<string, Props> };
  const schema = configJsonSchema() as Props;
  return Boolean(schema.properties?.herald?.properties?.docs?.properties?.flavor);
}

/** The folder of a monorepo package: packages/<name>, apps/<name>, … or one whose package.json has the name. */
function packageDir(root: string, name: string): string | null {
  const short = name.replace(/^@[^/]+\//, '');
  for (const parent of ['packages', 'apps', 'libs', 'services', '.']) {
    const base = path.join(root, parent);
    if (!isDirectory(base)) continue;
    if (isDirectory(path.join(base, short))) return path.posix.join(parent, short).replace(/^\.\//, '');
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const manifest = path.join(base, entry.name, 'package.json');
      if (existsSync(manifest) && packageNameOf(manifest) === name)
        return path.posix.join(parent, entry.name).replace(/^\.\//, '');
    }
  }
  return null;
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function packageNameOf(manifest: string): string | null {
  try {
    const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

function readPackageJson(root: string): { name?: string } | null {
  const file = path.join(root, 'package.json');
  const name = existsSync(file) ? packageNameOf(file) : null;
  return existsSync(file) ? (name ? { name } : {}) : null;
}

/**
 * `$schema` for editors: the installed package's copy when the repository has one, else the
 * schema beside this Herald (a path that works on this machine).
 */
function schemaPath(root: string): string {
  const installed = 'node_modules/herald-release/schema/herald.schema.json';
  if (existsSync(path.join(root, installed))) return `./${installed}`;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5 && !existsSync(path.join(dir, 'schema/herald.schema.json')); i++)
    dir = path.dirname(dir);
  const own = path.relative(root, path.join(dir, 'schema/herald.schema.json')).split(path.sep).join('/');
  return own.startsWith('.') ? own : `./${own}`;
}
