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

/** What each step adds: settings under "herald", what it found, what the user should check. */
interface Draft {
  herald: Record<string, unknown>;
  tagFormat?: string;
  findings: Finding[];
  hints: string[];
}

export async function proposeConfig(root: string, git: Git): Promise<Proposal> {
  const draft: Draft = { herald: {}, findings: [], hints: [] };
  findProduct(root, draft);
  guessTags(
    root,
    (await git.tags('*')).map((t) => t.tag),
    draft,
  );
  findRepository(await git.remoteUrl().catch(() => null), draft);
  findDocs(root, draft);
  const $schema = schemaPath(root);
  if (!$schema.startsWith('./node_modules/'))
    draft.hints.push(
      '"$schema" points at the schema of the Herald on this machine; once herald-release is a dev dependency, use ./node_modules/herald-release/schema/herald.schema.json.',
    );
  const { herald, tagFormat, findings, hints } = draft;
  const config = { $schema, ...(tagFormat === undefined ? {} : { tagFormat }), herald };
  return { config, findings, hints };
}

function findProduct(root: string, draft: Draft): void {
  const pkg = readPackageJson(root);
  const product = pkg?.name?.replace(/^@[^/]+\//, '') || path.basename(root);
  draft.herald.product = product;
  const source = pkg?.name ? 'package.json "name"' : 'the directory name';
  draft.findings.push({ setting: 'product', value: product, source });
  draft.hints.push('Change "product" to the name your customers know, if it is not that already.');
}

function guessTags(root: string, tags: string[], draft: Draft): void {
  const guess = guessTagFormat(tags);
  if (guess.kind === 'none') {
    const source = "no release tags yet: semantic-release's default";
    draft.findings.push({ setting: 'tagFormat', value: 'v${version}', source });
    return;
  }
  if (guess.kind === 'single') {
    draft.tagFormat = guess.tagFormat;
    const source = `tags such as ${guess.example}`;
    draft.findings.push({ setting: 'tagFormat', value: guess.tagFormat, source });
    return;
  }
  // semantic-release's own tagFormat has no ${name}: each package gets its own under herald.
  const packages = guess.names.map((name) => ({ name, dir: packageDir(root, name) }));
  const placed = packages.flatMap(({ name, dir }) =>
    dir === null ? [] : [{ name, path: dir, tagFormat: '${name}@${version}' }],
  );
  if (placed.length > 0) draft.herald.packages = placed;
  draft.findings.push({
    setting: 'packages',
    value: placed.map((p) => `${p.name} (${p.path})`).join(', ') || 'none placed',
    source: `monorepo tags such as ${guess.example}`,
  });
  const unplaced = packages.filter((p) => p.dir === null).map((p) => p.name);
  draft.hints.push(
    `Tags look like ${guess.example}, one series per package: run Herald with --package <name>.`,
    ...(unplaced.length > 0
      ? [`Add ${unplaced.join(', ')} to herald.packages with the folder each lives in.`]
      : []),
  );
}

function findRepository(remote: string | null, draft: Draft): void {
  const web = remote ? webUrlFromRemote(remote) : null;
  if (!web || web.forge === 'other') {
    draft.hints.push(
      'No GitHub or GitLab origin remote: set herald.notes.links.repository for links in the notes.',
    );
    return;
  }
  draft.herald.notes = { links: { repository: web.url } };
  draft.findings.push({ setting: 'notes.links.repository', value: web.url, source: 'the origin remote' });
}

function findDocs(root: string, draft: Draft): void {
  const dir = DOCS_DIRS.find((d) => isDirectory(path.join(root, d)));
  if (!dir) {
    draft.hints.push(
      'No docs folder (docs/, documentation/, website/docs): set herald.docs.dir to where your product docs live.',
    );
    return;
  }
  const flavor = docsFlavor(root, dir);
  const known = schemaKnowsDocsFlavor();
  draft.herald.docs = known ? { dir, flavor: flavor.name } : { dir };
  draft.findings.push({ setting: 'docs.dir', value: dir, source: 'the folder' });
  draft.findings.push({
    setting: 'docs.flavor',
    value: flavor.name,
    source: known ? flavor.source : `${flavor.source}; not written: this Herald has no such setting`,
  });
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
