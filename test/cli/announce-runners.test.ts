import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dueMailingRelease } from '../helpers/due-mailing.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

// Two `herald announce` processes on one PostgreSQL store, the way a team grows past one runner:
// they split the mailing, and each address gets one message.

const SUBSCRIBERS = 1_500;
const CONNECTIONS = 4;

/**
 * A sink that holds its reply to every message until messages are waiting on more sessions than
 * one runner's pool can open: then both runners have a message in flight, and from then on it
 * answers at once. No timing: the test cannot pass by one runner finishing before the other starts.
 */
async function startSharedSink() {
  const received: string[] = [];
  const held = new Map<string, () => void>();
  let holding = true;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        const accept = () => {
          for (const to of session.envelope.rcptTo) received.push(to.address);
          callback();
        };
        if (!holding) return accept();
        held.set(session.id, accept);
        if (held.size <= CONNECTIONS) return;
        holding = false;
        for (const release of held.values()) release();
        held.clear();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let dir: string;
let postgres: TestPostgres;
let sink: Awaited<ReturnType<typeof startSharedSink>>;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-announce-runners-'));
  [postgres, sink] = await Promise.all([startPostgres(), startSharedSink()]);
}, 120_000);
afterAll(async () => {
  await sink?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('two herald announce processes on one PostgreSQL store', () => {
  it('split the mailing between them, and mail each subscriber exactly once', async () => {
    const { repo, env, addresses } = await dueMailingRelease({
      dir,
      subscribers: SUBSCRIBERS,
      maxConnections: CONNECTIONS,
      smtpUrl: sink.url,
      databaseUrl: await postgres.freshDatabase(),
    });

    const runs = await Promise.all([1, 2].map(() => runCli(['announce', '--json'], { cwd: repo, env })));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const sent = runs.map((run) => JSON.parse(run.stdout).results.email.sent as number);
    expect(
      sent.every((n) => n > 0),
      `sent ${sent.join(' + ')}`,
    ).toBe(true);
    expect(sent[0]! + sent[1]!).toBe(SUBSCRIBERS);
    expect(sink.received.length).toBe(SUBSCRIBERS);
    expect(new Set(sink.received)).toEqual(new Set(addresses));
    const status = JSON.parse((await runCli(['status', '2.0.0', '--json'], { cwd: repo, env })).stdout);
    expect(status.status).toBe('announced');
  }, 300_000);
});
