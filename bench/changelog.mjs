// npm run bench:notes (second part) — `herald changelog --rebuild --package` on a monorepo
// against the floor of `git log --name-only` over the same history, side by side.
//
// Generates (once, cached in bench/.work/) a monorepo of BENCH_MONO_COMMITS commits (default
// 30,000) over four packages under packages/<name>, with BENCH_MONO_TAGS release tags (default
// 400) shared out among the packages (`<name>@<version>`, interleaved), via git fast-import.
// Times, several runs each: the floor (`git log --name-only` of the whole history), the rebuild
// of two packages' changelogs.
// Prints medians, peak RSS and ratios to the floor.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fastImport, measureIn } from './history-kit.mjs';

const COMMITS = Number(process.env.BENCH_MONO_COMMITS ?? 30_000);
const TAGS = Number(process.env.BENCH_MONO_TAGS ?? 400);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PACKAGES = ['core', 'web', 'cli', 'docs'];
const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const repo = path.join(root, 'bench', '.work', `mono-${COMMITS}-${TAGS}`);
const herald = path.join(root, 'dist', 'bin', 'herald.cjs');

const types = ['feat', 'fix', 'fix', 'perf', 'chore', 'docs', 'refactor', 'fix', 'feat'];

function generate() {
  if (existsSync(path.join(repo, '.git', 'herald-bench-ok'))) return;
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  const config = JSON.stringify({
    herald: {
      product: 'Mono',
      packages: PACKAGES.map((name) => ({ name, path: `packages/${name}`, tagFormat: '${name}@${version}' })),
    },
  });
  const base = Date.UTC(2018, 0, 1) / 1000;
  const versions = Object.fromEntries(PACKAGES.map((p) => [p, 0]));
  const chunks = [];
  for (let i = 1; i <= COMMITS; i++) {
    // Most commits touch one package, some two, a few only the root.
    const pkg = PACKAGES[(i * 7) % PACKAGES.length];
    const other = i % 5 === 0 ? PACKAGES[(i * 3 + 1) % PACKAGES.length] : null;
    const msg = Buffer.from(
      i % 31 === 0
        ? `chore: root tooling ${i}\n`
        : `${types[i % types.length]}(${pkg}): change ${i} of ${pkg}${i % 3 === 0 ? `\n\nWhy change ${i} was made.` : ''}${i % 7 === 0 ? `\n\nCloses #${i}` : ''}\n`,
    );
    const ts = base + i * 1800;
    const files =
      i === 1
        ? `M 644 inline .releaserc.json\ndata ${Buffer.byteLength(config)}\n${config}\n`
        : i % 31 === 0
          ? `M 644 inline tools/file-${i % 17}.txt\ndata ${String(i).length + 1}\n${i}\n`
          : [pkg, other]
              .filter(Boolean)
              .map(
                (p) =>
                  `M 644 inline packages/${p}/src/file-${i % 41}.ts\ndata ${String(i).length + 1}\n${i}\n`,
              )
              .join('');
    chunks.push(
      `commit refs/heads/main\nmark :${i}\nauthor Dev ${i % 13} <dev${i % 13}@example.com> ${ts} +0000\ncommitter Dev ${i % 13} <dev${i % 13}@example.com> ${ts} +0000\ndata ${msg.length}\n`,
      msg,
      `${i > 1 ? `from :${i - 1}\n` : ''}${files}\n`,
    );
    // Releases evenly spread, packages taking turns: their sections interleave.
    if (i % Math.floor(COMMITS / TAGS) === 0 && i < COMMITS - 100) {
      const name = PACKAGES[(i / Math.floor(COMMITS / TAGS)) % PACKAGES.length];
      const k = ++versions[name];
      const tag = `${name}@${1 + Math.floor(k / 40)}.${Math.floor(k / 8) % 5}.${k % 8}`;
      chunks.push(`tag ${tag}\nfrom :${i}\ntagger Release <r@example.com> ${ts} +0000\ndata 8\nrelease\n\n`);
    }
  }
  fastImport(repo, chunks);
}

const measure = (command, args) => measureIn(repo, command, args);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs the commands in turn, RUNS rounds, so a busy moment hits all of them alike. */
function alternate(rows) {
  const samples = rows.map(() => []);
  for (let run = 0; run < RUNS; run++)
    for (const [i, [, command, args]] of rows.entries()) samples[i].push(measure(command, args));
  return rows.map(([name], i) => ({
    name,
    ms: median(samples[i].map((s) => s.ms)),
    rssMb: Math.max(...samples[i].map((s) => s.rssMb)),
  }));
}

const t0 = Date.now();
generate();
const tags = execFileSync('git', ['tag'], { cwd: repo, encoding: 'utf8' }).trim().split('\n').length;
console.log(
  `monorepo: ${COMMITS} commits, ${tags} release tags over ${PACKAGES.length} packages (${path.relative(process.cwd(), repo)}, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
);
measure('git', ['log', '--name-only', '--format=%H', 'HEAD']); // warm the page cache
const rebuild = (...extra) => [
  herald,
  'changelog',
  '--rebuild',
  '--stdout',
  '--audience',
  'internal',
  ...extra,
];
const rows = alternate([
  ['git log --name-only, whole history (floor)', 'git', ['log', '--name-only', 'HEAD']],
  ['herald changelog --rebuild --package web', process.execPath, rebuild('--package', 'web')],
  ['herald changelog --rebuild --package core', process.execPath, rebuild('--package', 'core')],
]);
const floor = rows[0];
const pad = (s, n) => String(s).padEnd(n);
console.log(`\n${pad('run', 50)}${pad('median', 12)}${pad('peak RSS', 12)}ratio to floor`);
for (const row of rows)
  console.log(
    `${pad(row.name, 50)}${pad(`${row.ms.toFixed(0)} ms`, 12)}${pad(Number.isNaN(row.rssMb) ? 'n/a' : `${row.rssMb.toFixed(0)} MB`, 12)}${(row.ms / floor.ms).toFixed(1)}x`,
  );
console.log(`\ntarget: --package rebuild ≤ 4x floor (${(rows[1].ms / floor.ms).toFixed(1)}x)`);
