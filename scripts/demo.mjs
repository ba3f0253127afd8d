// `npm run demo`: the main job on embedded defaults. Builds the sample repository, then runs
// Herald on it as a user would, through the CLI, and prints what each step produced.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSampleRepo } from './sample-repo.mjs';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const repo = path.join(root, '.herald', 'demo', 'acme-cloud');
const herald = path.join(root, 'dist', 'bin', 'herald.js');

function step(title, args) {
  process.stdout.write(`\n\x1b[1m$ herald ${args.join(' ')}\x1b[0m   # ${title}\n\n`);
  const result = spawnSync(process.execPath, [herald, ...args, '--cwd', repo], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

buildSampleRepo(repo);
console.log(
  `Sample repository built at ${path.relative(process.cwd(), repo)} (tags v1.0.0, v1.0.1 on 1.0.x, v1.1.0, unreleased work on main).`,
);

step('customer notes for the tagged release v1.1.0', ['notes', '--to', 'v1.1.0']);
step('internal notes for the same release', ['notes', '--to', 'v1.1.0', '--audience', 'internal']);
step('the unreleased work on main: next version computed from the commits', ['notes']);
step('the maintenance release on the 1.0.x branch', ['notes', '--to', 'v1.0.1']);
step('CHANGELOG.md rebuilt from every release tag', ['changelog', '--rebuild', '--stdout']);
step('the product docs at v1.1.0, checked: every broken link or bad page would be listed', [
  'docs',
  'check',
  '--ref',
  'v1.1.0',
]);
step('what changed in the docs between the two releases', ['docs', 'diff', 'v1.0.0', 'v1.1.0']);
step('the docs compiled to HTML, as the help centre will get them', [
  'docs',
  'build',
  '--ref',
  'v1.1.0',
  '--out',
  path.join(repo, '..', 'docs-site'),
]);
// The embedded store: a SQLite file in the demo repository (.herald/state.db), fresh each run.
const announceDay = `${new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10)} 09:00`;
step('CI after tagging: store v1.1.0 as an embargoed bundle (notes for every audience, docs at the tag)', [
  'prepare',
  '--to',
  'v1.1.0',
]);
step('the release manager picks the announce day, in their zone', [
  'schedule',
  'v1.1.0',
  '--at',
  announceDay,
  '--tz',
  'Europe/Berlin',
]);
step('what is prepared, and when it goes out (nothing has been published)', ['list']);
step('every artefact as files to open', [
  'preview',
  'v1.1.0',
  '--out',
  path.join(repo, '..', 'preview-1.1.0'),
]);
step('the announce step CI runs every few minutes: nothing is due, so nothing goes out', ['announce']);
// Announce day, compressed: move the date to a few seconds from now and let the embargo lift.
const soon = new Date(Date.now() + 5_000);
step('the release manager moves the announce time to a few seconds from now', [
  'schedule',
  'v1.1.0',
  '--at',
  soon.toISOString(),
]);
process.stdout.write('\nWaiting for the announce time (the embargo is judged by the store clock)…\n');
while (Date.now() < soon.getTime() + 300) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
step('what the announce run will do, without doing it', ['announce', '--dry-run']);
step('announce: the static help centre (no Zendesk credentials) gets the notes and every doc page', [
  'announce',
]);
step('the delivery ledger: every effect, where it went', ['status', 'v1.1.0']);
step('a second run changes nothing: each effect happens once', ['announce']);
step('which targets are active, and whether their settings hold', ['doctor']);
step('who did what, when', ['log', 'v1.1.0']);
console.log(
  `\nOpen ${path.relative(process.cwd(), path.join(repo, '.herald', 'site', 'index.html'))} for the static help centre, ${path.relative(process.cwd(), path.join(repo, '..', 'docs-site', 'getting-started', 'overview.html'))} for the compiled docs, and ${path.relative(process.cwd(), path.join(repo, '..', 'preview-1.1.0', 'index.html'))} for the release preview.`,
);
