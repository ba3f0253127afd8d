import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dueMailingRelease } from '../helpers/due-mailing.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { expectCountsExact, openRaw } from './store-counts-kit.js';

// The kept delivery counts after real `herald announce` runs (the built CLI, a real SMTP server
// that refuses and drops messages), on SQLite and on PostgreSQL with two runners at once.

let dir: string;
let smtp: TestSmtpServer;
let postgres: TestPostgres;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-counts-announce-'));
  [smtp, postgres] = await Promise.all([startSmtpServer(), startPostgres()]);
}, 120_000);
afterAll(async () => {
  await smtp?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let repos = 0;
/** A sample repository mailing `subscribers` readers, prepared and due now; its env and store. */
async function dueRelease(subscribers: number, dialect: 'sqlite' | 'postgres') {
  const url = dialect === 'postgres' ? await postgres.freshDatabase() : null;
  const own = path.join(dir, `release-${++repos}`);
  mkdirSync(own);
  const { repo, env } = await dueMailingRelease({
    dir: own,
    subscribers,
    maxConnections: 3,
    smtpUrl: smtp.url,
    databaseUrl: url,
  });
  return { repo, env, store: url ?? path.join(repo, '.herald', 'state.db') };
}

/** The one release's email counts, by state. */
const emailStates = (counts: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(counts)
      .filter(([key]) => key.split(' ')[1] === 'email')
      .map(([key, n]) => [key.split(' ')[2], n]),
  );

describe.each(['sqlite', 'postgres'] as const)(
  'kept delivery counts after herald announce: %s',
  (dialect) => {
    it('equal a fresh count after a run with refused and dropped messages, a retry and the run that finishes', async () => {
      const { repo, env, store } = await dueRelease(40, dialect);
      smtp.failNext(3, '550');
      smtp.failNext(2, 'drop-after-data');
      const first = await runCli(['announce'], { cwd: repo, env });
      expect(first.code, first.stderr).toBe(1);
      const raw = await openRaw(store);
      try {
        expect(emailStates(await expectCountsExact(raw, 'after the faulty run'))).toMatchObject({
          failed: 3,
        });
        const retry = await runCli(['retry', '2.0.0', '--channel', 'email'], { cwd: repo, env });
        expect(retry.code, retry.stderr).toBe(0);
        await expectCountsExact(raw, 'after the retry');
        const last = await runCli(['announce'], { cwd: repo, env });
        expect(last.code, last.stderr).toBe(0);
        expect(emailStates(await expectCountsExact(raw, 'after the last run'))).toEqual({ sent: 40 });
      } finally {
        await raw.close();
      }
    }, 120_000);
  },
);

describe('kept delivery counts after two herald announce runners on one PostgreSQL store', () => {
  it('equal a fresh count when both ran at once, with refusals among their messages', async () => {
    const { repo, env, store } = await dueRelease(600, 'postgres');
    smtp.failNext(4, '550');
    const runs = await Promise.all([1, 2].map(() => runCli(['announce', '--json'], { cwd: repo, env })));
    for (const run of runs) expect(run.code, run.stderr).toBe(1);
    const raw = await openRaw(store);
    try {
      expect(emailStates(await expectCountsExact(raw, 'after two runners'))).toEqual({
        sent: 596,
        failed: 4,
      });
    } finally {
      await raw.close();
    }
  }, 180_000);
});
