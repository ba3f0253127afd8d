// npm run bench:notes — Herald's notes against the floor of raw `git log`, side by side.
//
// Generates (once, cached in bench/.work/) a repository of 20,000 conventional commits with 200
// release tags via git fast-import, then times, several runs each: raw `git log` of the whole
// history (the floor), `herald notes` for the typical release at HEAD (150 commits), one section
// over the whole history, and the whole changelog with one section per release. Prints medians,
// peak RSS and ratios to the floor. The typical release is also timed against `node -e 0` (its
// start-up floor), the two interleaved so a loaded machine slows both alike: BENCH_STARTUP_RUNS
// pairs (default 21). Sizes: BENCH_COMMITS, BENCH_TAGS, BENCH_RUNS.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fastImport, measureIn } from './history-kit.mjs';

const COMMITS = Number(process.env.BENCH_COMMITS ?? 20_000);
const TAGS = Number(process.env.BENCH_TAGS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 21);
const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const work = path.join(root, 'bench', '.work');
const repo = path.join(work, `notes-${COMMITS}-${TAGS}`);
const herald = path.join(root, 'dist', 'bin', 'herald.cjs');

const types = ['feat', 'fix', 'fix', 'perf', 'chore', 'docs', 'refactor', 'test', 'fix', 'feat'];
const scopes = ['api', 'billing', 'ui', 'auth', 'search', null];

function message(i) {
  const type = types[i % types.length];
  const scope = scopes[i % scopes.length];
  const head = `${type}${scope ? `(${scope})` : ''}${i % 997 === 0 ? '!' : ''}: change number ${i} to the ${scope ?? 'core'} module`;
  const body =
    i % 3 === 0 ? `\n\nLonger explanation of change ${i}, wrapped\nover two lines as people write them.` : '';
  const footer = i % 7 === 0 ? `\n\nCloses #${i}` : i % 11 === 0 ? `\n\nRefs: PROJ-${i}` : '';
  if (i % 500 === 0)
    return `Revert "fix: change number ${i - 1}"\n\nThis reverts commit ${(i * 7919).toString(16).padStart(40, 'a')}.\n`;
  if (i % 250 === 0) return `Update dependencies ${i}\n`;
  return `${head}${body}${footer}\n`;
}

function generate() {
  if (existsSync(path.join(repo, '.git', 'herald-bench-ok'))) return;
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  const chunks = [];
  const base = Date.UTC(2020, 0, 1) / 1000;
  const tagAt = new Map();
  // Releases evenly spread, the last one 150 commits before HEAD: a typical release to prepare.
  for (let k = 1; k <= TAGS; k++)
    tagAt.set(
      Math.round((k * (COMMITS - 150)) / TAGS),
      `v${1 + Math.floor(k / 50)}.${Math.floor(k / 10) % 5}.${k % 10}`,
    );
  for (let i = 1; i <= COMMITS; i++) {
    const msg = Buffer.from(message(i));
    const ts = base + i * 3600;
    chunks.push(
      `commit refs/heads/main\nmark :${i}\nauthor Dev ${i % 13} <dev${i % 13}@example.com> ${ts} +0000\ncommitter Dev ${i % 13} <dev${i % 13}@example.com> ${ts} +0000\ndata ${msg.length}\n`,
      msg,
      `${i > 1 ? `from :${i - 1}\n` : ''}M 644 inline src/file-${i % 97}.txt\ndata ${String(i).length + 1}\n${i}\n\n`,
    );
    const tag = tagAt.get(i);
    if (tag)
      chunks.push(`tag ${tag}\nfrom :${i}\ntagger Release <r@example.com> ${ts} +0000\ndata 8\nrelease\n\n`);
  }
  fastImport(repo, chunks);
}

const measure = (command, args) => measureIn(repo, command, args);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function run(name, command, args, runs = RUNS) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(measure(command, args));
  return {
    name,
    ms: median(samples.map((s) => s.ms)),
    rssMb: Math.max(...samples.map((s) => s.rssMb)),
    bytes: samples[0].bytes,
  };
}

/** Runs the commands in turn, `runs` rounds: each gets the same share of a busy machine. */
function runInterleaved(commands, runs) {
  const samples = commands.map(() => []);
  for (let i = 0; i < runs; i++)
    for (const [k, [, command, args]] of commands.entries()) samples[k].push(measure(command, args));
  return commands.map(([name], k) => ({
    name,
    ms: median(samples[k].map((s) => s.ms)),
    rssMb: Math.max(...samples[k].map((s) => s.rssMb)),
    bytes: samples[k][0].bytes,
  }));
}

const t0 = Date.now();
generate();
console.log(
  `repository: ${COMMITS} commits, ${TAGS} release tags (${path.relative(process.cwd(), repo)}, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
);
const rootCommit = execFileSync('git', ['rev-list', '--max-parents=0', 'HEAD'], {
  cwd: repo,
  encoding: 'utf8',
}).trim();

// Warm the page cache, git's object access and Herald's template cache once: every run below is
// a warm run, as in CI where a release is prepared in a checkout that has run Herald before.
measure('git', ['log', '--format=%H', 'HEAD']);
measure(process.execPath, [herald, 'notes']);
const floor = run('git log, whole history (floor)', 'git', [
  'log',
  '-z',
  '--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%B',
  'HEAD',
]);
const [node, typicalRun] = runInterleaved(
  [
    ['node -e 0 (start-up floor)', process.execPath, ['-e', '0']],
    ['herald notes, typical release (150 commits)', process.execPath, [herald, 'notes']],
  ],
  STARTUP_RUNS,
);
const rows = [
  floor,
  node,
  typicalRun,
  run('herald notes, one section, whole history', process.execPath, [
    herald,
    'notes',
    '--from',
    rootCommit,
    '--audience',
    'internal',
  ]),
  run(
    'herald changelog --rebuild, one section per release',
    process.execPath,
    [herald, 'changelog', '--rebuild', '--stdout', '--audience', 'internal'],
    Math.max(3, Math.ceil(RUNS / 2)),
  ),
];

const pad = (s, n) => String(s).padEnd(n);
console.log(`\n${pad('run', 54)}${pad('median', 12)}${pad('peak RSS', 12)}ratio to floor`);
for (const row of rows) {
  console.log(
    `${pad(row.name, 54)}${pad(`${row.ms.toFixed(0)} ms`, 12)}${pad(Number.isNaN(row.rssMb) ? 'n/a' : `${row.rssMb.toFixed(0)} MB`, 12)}${(row.ms / floor.ms).toFixed(1)}x`,
  );
}
const [, , typical, section, changelog] = rows;
console.log(
  `\ntargets: typical release ≤ 1.6x node -e 0 (${(typical.ms / node.ms).toFixed(2)}x, medians of ${STARTUP_RUNS} interleaved runs), one section ≤ 8x floor (${(section.ms / floor.ms).toFixed(1)}x), per-release changelog ≤ 15x (${(changelog.ms / floor.ms).toFixed(1)}x), peak RSS < 150 MB (${Math.max(typical.rssMb, section.rssMb, changelog.rssMb).toFixed(0)} MB)`,
);
