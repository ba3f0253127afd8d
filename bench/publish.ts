// npm run bench:publish — the help-centre sync against the Zendesk emulator, through the CLI.
//
// 1. BENCH_DOCS (default 2,000) pages published, then: a rerun (must make zero write calls), and a
//    correction with one changed page (must make exactly one write call).
// 2. BENCH_LIMITED_DOCS (default 1,000) new pages with the emulator limited to BENCH_RATE (700)
//    requests per minute and Herald told the same limit: the first publish against the floor
//    the limit allows (pages / rate minutes), side by side as a ratio; 429s counted.
// Run with vite-node (the emulator is TypeScript, shared with the tests).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startZendeskEmulator } from '../test/emulators/zendesk.js';

const DOCS = Number(process.env.BENCH_DOCS ?? 2000);
const LIMITED_DOCS = Number(process.env.BENCH_LIMITED_DOCS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 700);
const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const herald = path.join(root, 'dist', 'bin', 'herald.js');
const work = path.join(root, 'bench', '.work', 'publish');

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Bench',
      GIT_AUTHOR_EMAIL: 'bench@acme.example',
      GIT_COMMITTER_NAME: 'Bench',
      GIT_COMMITTER_EMAIL: 'bench@acme.example',
    },
  });

function page(i: number, edition = 1) {
  return `---\ntitle: Topic ${i}\n---\n\n# Topic ${i}\n\nHow to use feature ${i} of Acme Cloud (edition ${edition}).\n\n- Open **Settings**\n- Choose *Feature ${i}*\n\n\`\`\`bash\nacme feature ${i} --enable\n\`\`\`\n`;
}

function makeRepo(name: string, pages: number, requestsPerMinute: number) {
  const repo = path.join(work, name);
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(path.join(repo, 'docs', 'guide'), { recursive: true });
  for (let i = 1; i <= pages; i++) writeFileSync(path.join(repo, 'docs', 'guide', `topic-${i}.md`), page(i));
  writeFileSync(path.join(repo, '.gitignore'), '.herald/\n');
  writeFileSync(
    path.join(repo, '.releaserc.json'),
    JSON.stringify({
      herald: {
        product: 'Acme Cloud',
        helpCenter: {
          provider: 'zendesk',
          releaseNotesSectionId: 100,
          docsSections: { guide: 101 },
          permissionGroupId: 1,
          requestsPerMinute,
        },
      },
    }),
  );
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'feat: the product');
  git(repo, 'tag', 'v1.0.0');
  return repo;
}

/** Runs the CLI without blocking this process: the emulator answers from this event loop. */
function herald_(repo: string, env: Record<string, string>, ...args: string[]) {
  const started = process.hrtime.bigint();
  return new Promise<{ ms: number; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [herald, ...args], {
      cwd: repo,
      env: { ...process.env, HERALD_ACTOR: 'bench', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, stdout })
        : reject(new Error(`herald ${args.join(' ')} failed:\n${stderr}`)),
    );
  });
}

const sections = [
  { id: 100, name: 'Release notes' },
  { id: 101, name: 'Guide' },
];
const credentials = (url: string) => ({
  ZENDESK_URL: url,
  ZENDESK_EMAIL: 'bot@acme.example',
  ZENDESK_API_TOKEN: 'zd-token',
});

// 1. Write calls equal the changes.
{
  const emulator = await startZendeskEmulator({ sections });
  const env = credentials(emulator.url);
  const repo = makeRepo('sync', DOCS, 1_000_000);
  await herald_(repo, env, 'prepare', '--release-version', '1.0.0');
  await herald_(repo, env, 'schedule', '1.0.0', '--now');
  const first = await herald_(repo, env, 'announce');
  const afterFirst = emulator.writeCount();
  const rerun = await herald_(repo, env, 'announce');
  const afterRerun = emulator.writeCount();
  writeFileSync(path.join(repo, 'docs', 'guide', 'topic-7.md'), page(7, 2));
  git(repo, 'commit', '-qam', 'docs: topic 7, second edition');
  await herald_(repo, env, 'prepare', '--release-version', '1.0.0', '--force');
  const correction = await herald_(repo, env, 'announce');
  const afterCorrection = emulator.writeCount();
  await emulator.close();
  console.log(`Sync of ${DOCS} pages to the Zendesk emulator (no rate limit):`);
  console.log(
    `  first publish   ${afterFirst} write calls (${DOCS} articles + 1 release-notes article)  ${(first.ms / 1000).toFixed(1)} s`,
  );
  console.log(
    `  rerun           ${afterRerun - afterFirst} write calls (expected 0)  ${(rerun.ms / 1000).toFixed(2)} s`,
  );
  console.log(
    `  one page changed ${afterCorrection - afterRerun} write call(s) (expected 1)  ${(correction.ms / 1000).toFixed(2)} s`,
  );
  if (afterFirst !== DOCS + 1 || afterRerun !== afterFirst || afterCorrection - afterRerun !== 1)
    process.exitCode = 1;
}

// 2. A first publish under the account's rate limit.
{
  const emulator = await startZendeskEmulator({ sections, ratePerMinute: RATE });
  const env = credentials(emulator.url);
  const repo = makeRepo('limited', LIMITED_DOCS, RATE);
  await herald_(repo, env, 'prepare', '--release-version', '1.0.0');
  await herald_(repo, env, 'schedule', '1.0.0', '--now');
  const run = await herald_(repo, env, 'announce', '--json');
  const report = JSON.parse(run.stdout) as { ok: boolean; results: { helpcenter: { sent: number } } };
  const requests = emulator.requests.length;
  const throttled = emulator.requests.filter((r) => r.status === 429).length;
  await emulator.close();
  const floorMs = (LIMITED_DOCS / RATE) * 60_000;
  console.log(`\nFirst publish of ${LIMITED_DOCS} pages, emulator limited to ${RATE} requests/minute:`);
  console.log(`  floor (${LIMITED_DOCS} / ${RATE} per minute)  ${(floorMs / 1000).toFixed(1)} s`);
  console.log(
    `  herald announce                ${(run.ms / 1000).toFixed(1)} s  (${requests} requests, ${throttled} answered 429)`,
  );
  console.log(`  ratio                          ${(run.ms / floorMs).toFixed(3)}x  (target <= 1.10)`);
  console.log(`  sent ${report.results.helpcenter.sent}, ok ${report.ok}: every 429 handled`);
  if (!report.ok || run.ms / floorMs > 1.1) process.exitCode = 1;
}
