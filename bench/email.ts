// npm run bench:email — release emails to BENCH_SUBSCRIBERS (default 100,000) subscribers through
// `herald announce` to a local SMTP sink, side by side with a baseline that sends the same number
// of messages of the same size with a bare nodemailer pool and no bookkeeping (bench/email-baseline.mjs).
// Prints both rates, the ratio (target: at least 0.8) and Herald's peak RSS (target: under 250 MB).
// BENCH_PROFILE=<dir> also writes a CPU profile of each measured process there.
// Run with vite-node (the sample repository builder is shared with the tests).
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { buildSampleRepo } from '../scripts/sample-repo.mjs';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 5);
const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const herald = path.join(root, 'dist', 'bin', 'herald.js');
const work = path.join(root, 'bench', '.work', 'email');

// The sink: accepts every message, keeps only counts (parsing would make it the bottleneck).
let received = 0;
let bytes = 0;
const sink = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('end', () => {
      received++;
      callback();
    });
  },
});
sink.on('error', () => {});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const smtpUrl = `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;

/** Runs a command, sampling its peak resident memory (VmHWM) while it runs. */
function measure(command: string[], cwd: string, env: Record<string, string>) {
  const started = process.hrtime.bigint();
  return new Promise<{ ms: number; peakMb: number; stdout: string }>((resolve, reject) => {
    // BENCH_PROFILE=<dir>: a V8 CPU profile of each measured process, for finding where time goes.
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`]
      : [];
    const child = spawn(process.execPath, [...profile, ...command], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // The process has ended.
      }
    };
    const timer = setInterval(sample, 100);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`${command.join(' ')} failed:\n${stderr}`));
      else resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, peakMb: peak / 1024, stdout });
    });
  });
}

rmSync(work, { recursive: true, force: true });
const repo = buildSampleRepo(path.join(work, 'acme-cloud'));
const configFile = path.join(repo, '.releaserc.json');
const config = JSON.parse(readFileSync(configFile, 'utf8'));
config.herald.email = {
  from: 'releases@acme.example',
  publicUrl: 'https://releases.acme.example/',
  maxConnections: CONNECTIONS,
  // BENCH_DKIM=1: every message DKIM-signed (RSA-2048), as a deployment signing itself does.
  ...(process.env.BENCH_DKIM ? { dkim: { domainName: 'acme.example', keySelector: 'bench' } } : {}),
};
writeFileSync(configFile, JSON.stringify(config, null, 2));
const csv = path.join(work, 'subscribers.csv');
const locales = ['en', 'de', '', 'en-gb'];
writeFileSync(
  csv,
  `email,name,locale,topics\n${Array.from({ length: SUBSCRIBERS }, (_, i) => `reader${i}@customer${i % 97}.example,Reader ${i},${locales[i % 4]},all`).join('\n')}\n`,
);
const env = {
  HERALD_ACTOR: 'bench',
  HERALD_EMAIL_SECRET: 'bench-secret-0123456789abcdef',
  HERALD_PUBLIC_URL: 'https://help.acme.example',
  ...(process.env.BENCH_DKIM
    ? {
        HERALD_DKIM_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      }
    : {}),
};
const run = (...args: string[]) =>
  execFileSync(process.execPath, [herald, ...args], { cwd: repo, env: { ...process.env, ...env } });

const imported = await measure([herald, 'subscribers', 'import', csv], repo, env);
run('prepare', '--release-version', '2.0.0');
run('schedule', '2.0.0', '--now');
// The help centre goes first (45 pages to the static site): measured alone, then left out.
const preview = JSON.parse(
  run(
    'preview',
    '2.0.0',
    '--channel',
    'email',
    '--subscriber',
    'reader1@customer1.example',
    '--json',
  ).toString(),
);
const sample = path.join(preview.out, 'email');

const baseline = await measure(
  ['bench/email-baseline.mjs', smtpUrl, String(SUBSCRIBERS), String(CONNECTIONS), sample],
  root,
  {},
);
const baselineReceived = received;
received = 0;
bytes = 0;
const announced = await measure([herald, 'announce', '--json'], repo, { ...env, SMTP_URL: smtpUrl });
const report = JSON.parse(announced.stdout);
await new Promise<void>((resolve) => sink.close(() => resolve()));

const rate = (n: number, ms: number) => n / (ms / 1000);
const heraldRate = rate(received, announced.ms);
const baseRate = rate(baselineReceived, baseline.ms);
const ratio = heraldRate / baseRate;
console.log(
  `Release email to ${SUBSCRIBERS.toLocaleString('en')} subscribers, ${CONNECTIONS} SMTP connections, local sink:`,
);
console.log(
  `  import             ${(imported.ms / 1000).toFixed(1)} s (${Math.round(rate(SUBSCRIBERS, imported.ms)).toLocaleString('en')}/s)`,
);
console.log(
  `  baseline           ${baselineReceived} messages in ${(baseline.ms / 1000).toFixed(1)} s = ${Math.round(baseRate)}/s (bare nodemailer pool)`,
);
console.log(
  `  herald announce    ${received} messages in ${(announced.ms / 1000).toFixed(1)} s = ${Math.round(heraldRate)}/s (ledger row per recipient, help centre first), ${report.results.email.sent} sent`,
);
console.log(`  ratio              ${ratio.toFixed(2)} (target >= 0.80)`);
console.log(`  herald peak RSS    ${announced.peakMb.toFixed(0)} MB (target < 250 MB)`);
if (received !== SUBSCRIBERS || ratio < 0.8 || announced.peakMb >= 250) process.exitCode = 1;
