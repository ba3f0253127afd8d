// npm run bench:docs — `herald docs build` against the floor of the chosen libraries.
//
// Generates (once, cached in bench/.work/) a git repository whose docs/ holds BENCH_PAGES pages
// (at least 5,000, about 20 MB) made from docs-fixtures/: copies of the tree with their ids made
// unique, links and images intact. Then times, side by side: bench/docs-baseline.mjs (the same
// unified pipeline over the same files, sequential, one process: the floor), `herald docs build`
// from scratch (target ≤ 0.7x the floor on 2 cores: the workers use both), `herald docs build`
// again after one page changed (content-hash cache), a cold `herald docs check` and `herald docs
// diff` between two releases (tags bench-a, bench-b: 5% of the pages edited) against their floor:
// a bare read of the trees' blobs (one `git cat-file --batch`) plus the floor's compile time for
// the distinct pages. Prints medians, peak RSS and ratios. Runs per measurement: BENCH_RUNS (default 3).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PAGES = Number(process.env.BENCH_PAGES ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const repo = path.join(root, 'bench', '.work', `docs-${PAGES}-v2`);
const herald = path.join(root, 'dist', 'bin', 'herald.js');
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function generate() {
  if (existsSync(path.join(repo, '.git', 'herald-bench-ok'))) return;
  rmSync(repo, { recursive: true, force: true });
  const docs = path.join(repo, 'docs');
  mkdirSync(docs, { recursive: true });
  const fixtures = path.join(root, 'docs-fixtures');
  cpSync(path.join(fixtures, 'sections.yml'), path.join(docs, 'sections.yml'));
  const pages = readdirSync(fixtures, { recursive: true }).filter((p) => p.endsWith('.md'));
  // Whole copies only (links between the pages of a copy stay valid): at least PAGES pages.
  const extra = (copy, i) =>
    `\n\n## Release notes for edition ${copy}\n\nThis section was generated for the benchmark: it makes pages as long as real ones (about 4 KB), with the constructs the docs use.\n\n| Setting | Default | Since |\n|---|---|---|\n| \`limit.${i}\` | ${i * 10} | 1.${copy % 10} |\n| \`timeout.${i}\` | ${copy} s | 2.${i % 10} |\n\n- [x] Reviewed by the **docs team**\n- [ ] Translated\n  - German\n  - French\n\n> [!TIP]\n> Use \`acme ${i}\` to try it.\n\n\`\`\`bash\ncurl -H "Authorization: Bearer $TOKEN" https://api.acme.example/v1/projects/${i}\n\`\`\`\n\nA footnote on limits[^bench].\n\n[^bench]: Limits apply per workspace, counted over a rolling hour, as in edition ${copy}.\n`.repeat(
      2,
    );
  let written = 0;
  for (let copy = 1; written < PAGES; copy++) {
    const target = path.join(docs, `copy-${copy}`);
    cpSync(fixtures, target, { recursive: true, filter: (src) => !src.endsWith('sections.yml') });
    for (const [i, page] of pages.entries()) {
      const file = path.join(target, page);
      // Unique ids and titles per copy; links are relative, so they stay inside the copy.
      const text = readFileSync(file, 'utf8')
        .replace(/^id: (.+)$/m, `id: $1-c${copy}`)
        .replace(/^title: (.+)$/m, `title: $1 (${copy})`);
      writeFileSync(file, `${text}${extra(copy, i)}`);
      written++;
    }
  }
  const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'add', '-A');
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'docs');
  writeFileSync(path.join(repo, '.git', 'herald-bench-ok'), '');
}

function measure(command, args) {
  const full = timeBin ? [timeBin, ['-f', '%M', command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const result = spawnSync(full[0], full[1], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return {
    ms,
    rssMb: timeBin ? Number(result.stderr.trim().split('\n').pop()) / 1024 : Number.NaN,
    stdout: result.stdout,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cache = path.join(repo, '.herald', 'cache', 'docs.json');
const out = path.join(repo, '.herald', 'site');

generate();
const size = readdirSync(path.join(repo, 'docs'), { recursive: true })
  .filter((p) => p.endsWith('.md'))
  .reduce((n, p) => n + readFileSync(path.join(repo, 'docs', p)).length, 0);
const count = readdirSync(path.join(repo, 'docs'), { recursive: true }).filter((p) =>
  p.endsWith('.md'),
).length;
console.log(
  `docs: ${count} pages, ${(size / 1024 / 1024).toFixed(1)} MB of Markdown (${path.relative(process.cwd(), repo)})`,
);

/** Two releases to diff: bench-a (the generated tree) and bench-b (every 20th page edited), off main. */
function tagReleases() {
  const git = (...args) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  if (git('tag', '--list', 'bench-b') !== '') return;
  git('tag', 'bench-a', git('rev-list', '--max-parents=0', 'HEAD'));
  git('checkout', '-q', '-b', 'bench-release', 'bench-a');
  const pages = readdirSync(path.join(repo, 'docs'), { recursive: true }).filter((p) => p.endsWith('.md'));
  for (const p of pages.filter((_, i) => i % 20 === 0))
    writeFileSync(
      path.join(repo, 'docs', p),
      `${readFileSync(path.join(repo, 'docs', p), 'utf8')}\nEdited for bench-b.\n`,
    );
  git(
    '-c',
    'user.name=Bench',
    '-c',
    'user.email=bench@example.com',
    'commit',
    '-q',
    '-am',
    'edit for bench-b',
  );
  git('tag', 'bench-b');
  git('checkout', '-q', 'main');
  git('branch', '-q', '-D', 'bench-release');
}

/** The blob ids of the Markdown pages under docs/ at these refs, distinct. */
function pageBlobs(...refs) {
  const ids = new Set();
  for (const ref of refs)
    for (const line of execFileSync('git', ['ls-tree', '-r', ref, '--', 'docs/'], {
      cwd: repo,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    }).split('\n'))
      if (line.endsWith('.md')) ids.add(line.split(/\s+/)[2]);
  return [...ids];
}

/** A bare read of blobs from git: one `git cat-file --batch`, output discarded. */
function readBlobsFloor(ids) {
  const started = process.hrtime.bigint();
  const result = spawnSync('git', ['cat-file', '--batch'], {
    cwd: repo,
    input: `${ids.join('\n')}\n`,
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`git cat-file failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

tagReleases();
const baseline = [];
const full = [];
const incremental = [];
const coldCheck = [];
const diff = [];
const readOne = [];
const readTwo = [];
const oneTree = pageBlobs('bench-a');
const twoTrees = pageBlobs('bench-a', 'bench-b');
const page = path.join(repo, 'docs', 'copy-1', 'guides', 'projects', 'boards.md');
const original = readFileSync(page, 'utf8');
for (let run = 0; run < RUNS; run++) {
  baseline.push(
    measure(process.execPath, [path.join(root, 'bench', 'docs-baseline.mjs'), path.join(repo, 'docs')]),
  );
  readOne.push(readBlobsFloor(oneTree));
  readTwo.push(readBlobsFloor(twoTrees));
  rmSync(cache, { force: true });
  coldCheck.push(measure(process.execPath, [herald, 'docs', 'check', '--ref', 'bench-a']));
  rmSync(cache, { force: true });
  diff.push(measure(process.execPath, [herald, 'docs', 'diff', 'bench-a', 'bench-b']));
  rmSync(cache, { force: true });
  full.push(measure(process.execPath, [herald, 'docs', 'build', '--out', out, '--json']));
  // One page changes in a new commit: only it is compiled again.
  writeFileSync(page, `${original}\nEdited in run ${run}.\n`);
  execFileSync(
    'git',
    ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-am', `edit ${run}`],
    { cwd: repo },
  );
  const result = measure(process.execPath, [herald, 'docs', 'build', '--out', out, '--json']);
  const stats = JSON.parse(result.stdout).stats;
  if (stats.compiled !== 1) throw new Error(`expected one page compiled, got ${stats.compiled}`);
  incremental.push(result);
}
const row = (name, samples, floor, ms = median(samples.map((s) => s.ms))) => {
  const rss = samples.length > 0 ? Math.max(...samples.map((s) => s.rssMb)) : Number.NaN;
  console.log(
    `${name.padEnd(56)}${`${(ms / 1000).toFixed(2)} s`.padEnd(11)}${(Number.isNaN(rss) ? 'n/a' : `${rss.toFixed(0)} MB`).padEnd(10)}${floor ? `${(ms / floor).toFixed(2)}x ${floor === compileFloor ? 'baseline' : 'floor'}` : ''}`,
  );
  return ms;
};
const compileFloor = median(baseline.map((s) => s.ms));
// The compile floor scales with the distinct pages a run compiles (a diff: both trees' pages once).
const checkFloor = median(readOne) + compileFloor;
const diffFloor = median(readTwo) + (compileFloor * twoTrees.length) / oneTree.length;
console.log(`\n${'run'.padEnd(56)}${'median'.padEnd(11)}${'peak RSS'.padEnd(10)}ratio`);
row('baseline: same unified pipeline, sequential', baseline);
const fullMs = row('herald docs build, from scratch', full, compileFloor);
const incMs = row('herald docs build, one page changed', incremental, compileFloor);
row(`floor: read ${oneTree.length} blobs + compile them`, [], null, checkFloor);
const checkMs = row('herald docs check, cold cache', coldCheck, checkFloor);
row(`floor: read ${twoTrees.length} blobs of two trees + compile them`, [], null, diffFloor);
const diffMs = row('herald docs diff bench-a bench-b, cold cache', diff, diffFloor);
const peak = (runs) => Math.max(...runs.map((s) => s.rssMb)).toFixed(0);
console.log(
  `\ntargets: full build ≤ 0.7x baseline on 2 cores (${(fullMs / compileFloor).toFixed(2)}x), one-page rebuild < 5% of full (${((incMs / fullMs) * 100).toFixed(1)}%), cold check ≤ 1.5x its floor (${(checkMs / checkFloor).toFixed(2)}x), diff ≤ 1.5x its floor (${(diffMs / diffFloor).toFixed(2)}x), peak RSS < 400 MB (build ${peak(full)} MB, diff ${peak(diff)} MB)`,
);
