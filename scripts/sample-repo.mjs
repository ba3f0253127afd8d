// Builds the sample product repository the demo and the tests use: tags, a maintenance branch,
// merged pull requests, a revert, breaking changes, trailers and non-conventional commits.
// Dates are pinned so every run produces the same hashes and notes.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const sampleConfig = {
  $schema: './node_modules/herald-release/schema/herald.schema.json',
  tagFormat: 'v${version}',
  branches: ['main', { name: '1.0.x', range: '1.0.x' }],
  herald: {
    product: 'Acme Cloud',
    notes: {
      components: { billing: 'Billing', api: 'Public API', ui: 'Web app' },
      links: {
        repository: 'https://github.com/acme/cloud',
        jira: { pattern: 'PROJ-\\d+', url: 'https://acme.atlassian.net/browse/{id}' },
      },
    },
    docs: { dir: 'docs' },
  },
};

const fixtures = fileURLToPath(new URL('../docs-fixtures/', import.meta.url));
const nextDocs = fileURLToPath(new URL('../test/fixtures/docs-v2/', import.meta.url));

/** The next release's docs: pages changed, added, removed and moved (test/fixtures/docs-v2). */
function applyNextDocs(docs) {
  const changes = JSON.parse(readFileSync(path.join(nextDocs, 'changes.json'), 'utf8'));
  for (const file of changes.remove) rmSync(path.join(docs, file));
  for (const [from, to] of Object.entries(changes.rename)) {
    mkdirSync(path.dirname(path.join(docs, to)), { recursive: true });
    cpSync(path.join(docs, from), path.join(docs, to));
    rmSync(path.join(docs, from));
  }
  cpSync(path.join(nextDocs, 'files'), docs, { recursive: true });
}

export function buildSampleRepo(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let tick = 0;
  const git = (...args) => {
    const date = new Date(Date.UTC(2026, 8, 1, 9, 0, 0) + tick++ * 3_600_000).toISOString();
    return execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, LC_ALL: 'C' },
    }).trim();
  };
  const write = (name, content) => {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
    git('add', '--', name);
  };
  const commit = (message, file, author = ['Ada Lovelace', 'ada@acme.example']) => {
    write(file ?? `src/change-${tick}.txt`, `${message}\n${tick}\n`);
    const msgFile = path.join(dir, '.git', 'SAMPLE_MSG');
    writeFileSync(msgFile, message);
    git('commit', '-q', '--cleanup=verbatim', '-F', msgFile, `--author=${author[0]} <${author[1]}>`);
    return git('rev-parse', 'HEAD');
  };
  const tag = (name) => git('tag', '-a', name, '-m', `Release ${name}`);

  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Release Bot');
  git('config', 'user.email', 'release-bot@acme.example');
  git('config', 'commit.gpgsign', 'false');
  git('config', 'tag.gpgsign', 'false');
  git('remote', 'add', 'origin', 'git@github.com:acme/cloud.git');
  write('.releaserc.json', `${JSON.stringify(sampleConfig, null, 2)}\n`);

  commit('feat: first public release of Acme Cloud');
  cpSync(fixtures, path.join(dir, 'docs'), { recursive: true });
  git('add', '-A');
  commit('docs: getting started guide');
  tag('v1.0.0');

  // A maintenance line for 1.0.x gets a fix of its own.
  git('checkout', '-q', '-b', '1.0.x');
  commit('fix(billing): round invoice totals to cents\n\nCloses #31', 'src/billing/round.txt');
  tag('v1.0.1');
  git('checkout', '-q', 'main');

  commit('feat(billing): export invoices as CSV (#12)', 'src/billing/export.txt');
  commit('fix(api): return 404 instead of 500 for unknown projects\n\nFixes PROJ-7', 'src/api/projects.txt', [
    'Grace Hopper',
    'grace@acme.example',
  ]);
  // A pull request merged with a merge commit and a conventional title: one change in the notes.
  git('checkout', '-q', '-b', 'feature/dark-mode');
  commit('wip dark mode', 'src/ui/theme.txt', ['Linus Dev', 'linus@acme.example']);
  commit(
    'feat(ui): dark mode toggle\n\nCo-authored-by: Margaret Hamilton <margaret@acme.example>',
    'src/ui/toggle.txt',
    ['Linus Dev', 'linus@acme.example'],
  );
  git('checkout', '-q', 'main');
  git(
    'merge',
    '-q',
    '--no-ff',
    'feature/dark-mode',
    '-m',
    'Merge pull request #18 from acme/feature/dark-mode',
    '-m',
    'feat(ui): dark mode for the web app',
  );
  const flaky = commit('feat(api): experimental bulk endpoint', 'src/api/bulk.txt');
  commit('chore(deps): bump lodash to 4.17.21');
  commit(
    `Revert "feat(api): experimental bulk endpoint"\n\nThis reverts commit ${flaky}.`,
    'src/api/bulk.txt',
  );
  commit(
    'perf(api): cache project lookups\n\nRelease-Note: Project pages load up to 3x faster.',
    'src/api/cache.txt',
  );
  commit('refactor(billing): split invoice module\n\nAudience: internal', 'src/billing/split.txt');
  commit('Update CONTRIBUTING', 'CONTRIBUTING.md');
  commit('fix(ui): escape <script> in project names [skip changelog]', 'src/ui/escape.txt');
  applyNextDocs(path.join(dir, 'docs'));
  git('add', '-A');
  commit('docs: audit log and comments API pages');
  tag('v1.1.0');

  // Unreleased work on main: Herald computes the next version (2.0.0: breaking).
  commit(
    'feat(api)!: require an API version header\n\nBREAKING CHANGE: Every request must send `Acme-Version: 2026-10-01`.\nRequests without it get HTTP 400.\n\nCloses #45',
    'src/api/version.txt',
  );
  commit('fix(ui): keep filters when paging <b>bold</b> [click](javascript:alert(1))', 'src/ui/filters.txt', [
    'Mallory [pwn](http://evil.example)',
    'mallory@acme.example',
  ]);
  return dir;
}
