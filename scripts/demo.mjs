// `npm run demo`: the main job on embedded defaults. Builds the sample repository, then runs
// Herald on it as a user would, through the CLI, and prints what each step produced.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSampleRepo } from './sample-repo.mjs';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const repo = path.join(root, '.herald', 'demo', 'acme-cloud');
const herald = path.join(root, 'dist', 'bin', 'herald.cjs');

function step(title, args, env = {}) {
  const shown = Object.entries(env).map(([k, v]) => `${k}=${k.includes('TOKEN') ? '…' : v} `);
  process.stdout.write(`\n\x1b[1m$ ${shown.join('')}herald ${args.join(' ')}\x1b[0m   # ${title}\n\n`);
  const result = spawnSync(process.execPath, [herald, ...args, '--cwd', repo], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

buildSampleRepo(repo);
// Two Slack channels: the team gets the internal notes, the community channel the customer notes.
const configFile = path.join(repo, '.releaserc.json');
const config = JSON.parse(readFileSync(configFile, 'utf8'));
config.herald.slack = {
  channels: [
    { id: 'C0RELEASES', name: '#releases', audience: 'internal' },
    { id: 'C0COMMUNITY', name: '#community', audience: 'customer' },
  ],
};
writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
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
const outbox = path.join(repo, '.herald', 'outbox', 'slack');
process.stdout.write(
  `\nWithout SLACK_BOT_TOKEN the Slack messages went to the outbox, ${path.relative(process.cwd(), outbox)}:\n${readdirSync(
    outbox,
    { recursive: true },
  )
    .filter((f) => /\.(json|txt|html)$/.test(f))
    .map((f) => `  ${f}`)
    .join('\n')}\n`,
);
step('which targets are active, and whether their settings hold', ['doctor']);
step('who did what, when', ['log', 'v1.1.0']);

// Subscribers: an imported list (confirmed); the next release is mailed to them.
const csv = path.join(repo, '..', 'subscribers.csv');
writeFileSync(
  csv,
  'email,name,locale,topics\nada@example.com,Ada Lovelace,en,all\ngrace@example.com,Grace Hopper,de,Billing;Public API\n',
);
step('import the customers who follow the release notes (your list: confirmed)', [
  'subscribers',
  'import',
  csv,
]);

// A rehearsal of a real Slack post: Herald's own Slack API emulator (Slack's limits, errors and
// rate limits) on loopback, then the next release announced to it through @slack/web-api.
process.stdout.write(
  `\n\x1b[1m$ herald emulate slack --port 0\x1b[0m   # a local Slack API for the rehearsal\n\n`,
);
const emulator = spawn(
  process.execPath,
  [herald, 'emulate', 'slack', '--port', '0', '--json', '--cwd', repo],
  {
    stdio: ['ignore', 'pipe', 'ignore'],
  },
);
const slack = await new Promise((resolve, reject) => {
  let out = '';
  emulator.stdout.setEncoding('utf8').on('data', (d) => {
    out += d;
    if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
  });
  emulator.on('exit', () => reject(new Error('the Slack emulator did not start')));
});
console.log(`Slack emulator on ${slack.url}`);
let closing = '';
const slackEnv = { SLACK_API_URL: slack.apiUrl, SLACK_BOT_TOKEN: slack.token };
try {
  step('the next release from the unreleased work on main (2.0.0: it has a breaking change)', ['prepare']);
  step('announce it now', ['schedule', '2.0.0', '--now']);
  step('exactly what each Slack channel will get, and how Slack will show it', [
    'preview',
    '2.0.0',
    '--channel',
    'slack',
    '--out',
    path.join(repo, '..', 'preview-2.0.0'),
  ]);
  step(
    'announce to the help centre, then Slack (the emulator) and the subscribers (the email outbox)',
    ['announce'],
    slackEnv,
  );
  const mails = path.join(repo, '.herald', 'outbox', 'email');
  console.log(`\nWithout SMTP_URL the emails went to ${path.relative(process.cwd(), mails)}:`);
  for (const file of readdirSync(mails)) console.log(`  ${file}`);
  step(
    'every delivery of 2.0.0: the Slack posts and the emails, where each went',
    ['status', '2.0.0', '--all'],
    slackEnv,
  );
  const page = path.join(repo, '..', 'slack-emulator.html');
  writeFileSync(page, await (await fetch(slack.url)).text());
  closing = `\nOpen ${path.relative(process.cwd(), path.join(repo, '.herald', 'site', 'index.html'))} for the static help centre, ${path.relative(process.cwd(), path.join(repo, '..', 'docs-site', 'getting-started', 'overview.html'))} for the compiled docs, ${path.relative(process.cwd(), path.join(repo, '..', 'preview-1.1.0', 'index.html'))} for the release preview, and ${path.relative(process.cwd(), page)} for the channels as the Slack emulator received them.`;
} finally {
  emulator.kill('SIGTERM');
}

// A web sign-up through `herald serve` (double opt-in).
process.stdout.write(
  `\n\x1b[1m$ herald serve --port 0\x1b[0m   # sign-up, confirm and one-click unsubscribe over HTTP\n\n`,
);
const serve = spawn(process.execPath, [herald, 'serve', '--port', '0', '--json', '--cwd', repo], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const { url } = await new Promise((resolve, reject) => {
    let out = '';
    serve.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    serve.on('exit', () => reject(new Error('herald serve did not start')));
  });
  const response = await fetch(`${url}subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'email=linus%40example.com&name=Linus',
  });
  console.log(
    `POST ${url}subscribe email=linus@example.com → ${response.status}: a confirmation email, in the outbox:`,
  );
  // The server answers at once and sends the confirmation from its queue: wait for it (10 s at most).
  const outboxDir = path.join(repo, '.herald', 'outbox', 'email');
  const confirmations = () => readdirSync(outboxDir).filter((f) => f.startsWith('confirm.'));
  for (let waited = 0; confirmations().length === 0 && waited < 10_000; waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
  for (const file of confirmations())
    console.log(`  ${path.relative(process.cwd(), path.join(outboxDir, file))}`);
} finally {
  serve.kill('SIGTERM');
}
step('who follows the release notes: the import confirmed, the sign-up pending until its link is opened', [
  'subscribers',
  'list',
]);
console.log(closing);
