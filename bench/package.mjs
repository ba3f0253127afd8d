// npm run bench:package — the package as users install it, against this checkout's build.
//
// Packs the build (`npm pack`), installs the tarball into an empty project (bench/.work/package/,
// kept while the tarball is unchanged: the native store driver takes minutes to build), then
// prints: the tarball and installed sizes of Herald's own files against the build's files here
// (dist/, templates/, schema/), the installed size with every dependency, and the CLI's start
// time (`herald --version`, `herald notes` in a small repository) from node_modules/.bin against
// `node dist/bin/herald.cjs` of the checkout, run alternately, medians of BENCH_RUNS (default 15).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const work = path.join(root, 'bench', '.work', 'package');
const project = path.join(work, 'project');
const repo = path.join(work, 'repo');
const env = {
  ...process.env,
  npm_config_nodedir: process.env.npm_config_nodedir ?? path.dirname(path.dirname(process.execPath)),
  npm_config_update_notifier: 'false',
  CI: 'false',
};

function sizeOf(target) {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(target).reduce((sum, name) => sum + sizeOf(path.join(target, name)), 0);
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

function pack() {
  mkdirSync(work, { recursive: true });
  for (const f of readdirSync(work)) if (f.endsWith('.tgz')) rmSync(path.join(work, f));
  const [info] = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: root,
      env,
    }),
  );
  return { ...info, tarball: path.join(work, info.filename) };
}

function install(info) {
  const stamp = path.join(project, '.herald-bench-shasum');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === info.shasum) return false;
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  writeFileSync(path.join(project, 'package.json'), '{"name":"bench-project","private":true}\n');
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', info.tarball], {
    cwd: project,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  writeFileSync(stamp, info.shasum);
  return true;
}

function sampleRepo() {
  if (existsSync(path.join(repo, '.git'))) return;
  mkdirSync(repo, { recursive: true });
  const git = (...args) =>
    execFileSync('git', args, {
      cwd: repo,
      env: { ...env, GIT_AUTHOR_DATE: '2026-01-01T10:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T10:00:00Z' },
    });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Bench');
  git('config', 'user.email', 'bench@example.com');
  for (let i = 0; i < 40; i++) {
    git('commit', '-q', '--allow-empty', '-m', `${i % 3 ? 'fix' : 'feat'}(api): change ${i}`);
    if (i === 19) git('tag', 'v1.0.0');
  }
}

function time(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: repo, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const info = pack();
const installedNow = install(info);
sampleRepo();
const installed = path.join(project, 'node_modules', 'herald-release');
const build = ['dist', 'templates', 'schema', 'package.json', 'README.md'].reduce(
  (sum, f) => sum + sizeOf(path.join(root, f)),
  0,
);
const own = sizeOf(installed);
console.log(
  `herald-release ${info.version}: ${info.entryCount} files${installedNow ? ' (installed now)' : ''}`,
);
console.log(`  tarball            ${mb(info.size)}`);
console.log(`  installed (Herald) ${mb(own)}   build here ${mb(build)}   ratio ${(own / build).toFixed(2)}`);
console.log(`  installed with dependencies ${mb(sizeOf(path.join(project, 'node_modules')))}`);

const bins = {
  installed: [process.execPath, [path.join(project, 'node_modules', '.bin', 'herald')]],
  checkout: [process.execPath, [path.join(root, 'dist', 'bin', 'herald.cjs')]],
};
for (const args of [['--version'], ['notes']]) {
  const samples = { installed: [], checkout: [] };
  for (let i = 0; i < RUNS; i++)
    for (const [name, [command, prefix]] of Object.entries(bins))
      samples[name].push(time(command, [...prefix, ...args]));
  const [a, b] = [median(samples.installed), median(samples.checkout)];
  console.log(
    `  herald ${args.join(' ').padEnd(9)} installed ${a.toFixed(0)} ms   checkout ${b.toFixed(0)} ms   ratio ${(a / b).toFixed(2)}`,
  );
}
