// Shared by the email benches: a counting SMTP sink, a process runner that samples peak RSS, and
// a sample repository with N subscribers, prepared and scheduled for now.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { buildSampleRepo } from '../scripts/sample-repo.mjs';

export const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
export const herald = path.join(root, 'dist', 'bin', 'herald.js');

export interface Sink {
  url: string;
  /** Messages accepted since the last reset. */
  received(): number;
  /** Recipients that got more than one message since the last reset (when tracked). */
  duplicates(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A local SMTP sink that accepts every message and keeps only counts (parsing would make it the
 * bottleneck). `maxClients`: connections it accepts at once (more are turned away with 421).
 * `delayMs`: how long it takes to answer each message, as a relay across a network does.
 * `track`: remember each recipient, to count duplicates.
 */
export async function startSink(
  options: { maxClients?: number; delayMs?: number; track?: boolean } = {},
): Promise<Sink> {
  let received = 0;
  let duplicates = 0;
  const seen = new Set<string>();
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    ...(options.maxClients ? { maxClients: options.maxClients } : {}),
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        received++;
        if (options.track)
          for (const to of session.envelope.rcptTo) {
            if (seen.has(to.address)) duplicates++;
            seen.add(to.address);
          }
        if (options.delayMs) setTimeout(callback, options.delayMs);
        else callback();
      });
    },
  });
  sink.on('error', () => {});
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`,
    received: () => received,
    duplicates: () => duplicates,
    reset() {
      received = 0;
      duplicates = 0;
      seen.clear();
    },
    close: () => new Promise<void>((resolve) => sink.close(() => resolve())),
  };
}

export interface Measured {
  ms: number;
  peakMb: number;
  /** The most resident memory (MB) in each quarter of the run: flat memory stays level. */
  quartersMb: number[];
  stdout: string;
}

/** Runs a command, sampling its peak resident memory (VmHWM) while it runs. */
export function measure(command: string[], cwd: string, env: Record<string, string>): Promise<Measured> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    // BENCH_PROFILE=<dir>: a V8 CPU profile of each measured process, for finding where time goes.
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`]
      : [];
    const child = spawn(process.execPath, [...profile, ...command], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const rss: number[] = [];
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
        rss.push(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
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
      const quarter = Math.ceil(rss.length / 4);
      const quartersMb = [0, 1, 2, 3].map(
        (q) => Math.max(0, ...rss.slice(q * quarter, (q + 1) * quarter)) / 1024,
      );
      if (code !== 0) reject(new Error(`${command.join(' ')} failed:\n${stderr}`));
      else
        resolve({
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          peakMb: peak / 1024,
          quartersMb,
          stdout,
        });
    });
  });
}

export const heraldEnv = {
  HERALD_ACTOR: 'bench',
  HERALD_EMAIL_SECRET: 'bench-secret-0123456789abcdef',
  HERALD_PUBLIC_URL: 'https://help.acme.example',
};

/**
 * The sample repository in `dir` with `subscribers` confirmed subscribers (imported from a CSV
 * file), release 2.0.0 prepared and scheduled for now. `env` chooses the store (HERALD_DATABASE_URL) for every command.
 */
export async function preparedRepo(
  dir: string,
  subscribers: number,
  connections: number,
  env: Record<string, string> = {},
): Promise<{ repo: string; importMs: number }> {
  const repo = buildSampleRepo(dir);
  const configFile = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  config.herald.email = {
    from: 'releases@acme.example',
    publicUrl: 'https://releases.acme.example/',
    maxConnections: connections,
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const csv = path.join(dir, '..', `${path.basename(dir)}-subscribers.csv`);
  const locales = ['en', 'de', '', 'en-gb'];
  const lines = ['email,name,locale,topics'];
  for (let i = 0; i < subscribers; i++)
    lines.push(`reader${i}@customer${i % 97}.example,Reader ${i},${locales[i % 4]},all`);
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const allEnv = { ...heraldEnv, ...env };
  const imported = await measure([herald, 'subscribers', 'import', csv], repo, allEnv);
  const run = (...args: string[]) =>
    execFileSync(process.execPath, [herald, ...args], { cwd: repo, env: { ...process.env, ...allEnv } });
  run('prepare', '--release-version', '2.0.0');
  run('schedule', '2.0.0', '--now');
  return { repo, importMs: imported.ms };
}

export const rate = (n: number, ms: number) => n / (ms / 1000);
export const perSecond = (n: number) => Math.round(n).toLocaleString('en');
