import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { cliPath, runCli } from '../helpers/cli.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

const SECRET = 'test-secret-0123456789abcdef';
const LIMITS = { perAddressPerDay: 3, perClientPerHour: 6, perHour: 40 };
let dir: string;
let repo: string;
let server: ChildProcess | null = null;
let base: string;
let stderr = '';

/** `herald serve` in the test repository, mailing through `smtpUrl`. */
async function startServe(smtpUrl: string): Promise<void> {
  stderr = '';
  server = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--json'], {
    cwd: repo,
    env: { ...process.env, SMTP_URL: smtpUrl, HERALD_EMAIL_SECRET: SECRET, HERALD_PUBLIC_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server!.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out).url);
    });
    server!.on('exit', (code) => reject(new Error(`herald serve exited with ${code}`)));
  });
}

async function stopServe(): Promise<number | null> {
  const child = server!;
  server = null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

/** A sign-up as a client behind the trusted local proxy (127.0.0.1) says it is `client`. */
const signUp = (body: unknown, client = '198.51.100.1') =>
  fetch(`${base}subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `${client}, 10.9.8.7` },
    body: JSON.stringify(body),
  });

const cli = async (...args: string[]) => {
  const result = await runCli(args, { cwd: repo });
  expect(result.code, result.stderr).toBe(0);
  return result;
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-signup-abuse-'));
  repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
  const file = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.herald.email = { from: 'releases@acme.example' };
  // As behind a proxy on this machine: 127.0.0.1 and the proxy's own hop are trusted.
  config.herald.server = { trustedProxies: ['127.0.0.1', '10.0.0.0/8'], signups: LIMITS };
  writeFileSync(file, JSON.stringify(config, null, 2));
  // The mail server is down: a real one, started and stopped, so its port refuses connections.
  const down = await startSmtpServer();
  await down.close();
  await startServe(down.url);
}, 60_000);

afterAll(async () => {
  if (server) await stopServe();
  rmSync(dir, { recursive: true, force: true });
});

describe('herald serve against sign-up abuse, with the mail server down', () => {
  it('answers known, unknown, pending and unsubscribed addresses with the same status, headers and body', async () => {
    await cli('subscribers', 'add', 'known@example.com');
    await cli('subscribers', 'add', 'left@example.com');
    await cli('subscribers', 'unsubscribe', 'left@example.com');
    expect((await signUp({ email: 'waiting@example.com' }, '198.51.100.2')).status).toBe(202);

    const answers = [];
    for (const [i, email] of [
      'known@example.com',
      'nobody@example.com',
      'waiting@example.com',
      'left@example.com',
    ].entries()) {
      const response = await signUp({ email }, `198.51.100.${10 + i}`);
      const headers = [...response.headers].filter(([k]) => k !== 'date');
      answers.push({ status: response.status, headers, body: await response.text() });
    }
    expect(answers[0]!.status).toBe(202);
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    // Still as they were: a sign-up moves nobody back without a confirmation.
    const listed = JSON.parse((await cli('subscribers', 'list', '--json')).stdout).subscribers as {
      email: string;
      status: string;
    }[];
    expect(Object.fromEntries(listed.map((s) => [s.email, s.status]))).toEqual({
      'known@example.com': 'confirmed',
      'left@example.com': 'unsubscribed',
      'waiting@example.com': 'pending',
      'nobody@example.com': 'pending',
    });
  });

  it('limits sign-ups per mailbox a day, plus-tags and Gmail dots folded, with 429 and Retry-After', async () => {
    const variants = ['victim@gmail.com', 'victim+1@gmail.com', 'v.i.c.t.i.m+2@googlemail.com'];
    for (const [i, email] of variants.entries())
      expect((await signUp({ email }, `198.51.100.${20 + i}`)).status, email).toBe(202);
    const refused = await signUp({ email: 'Victim+3@Gmail.com' }, '198.51.100.30');
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(86_400);
    expect(await refused.text()).toContain('too often today');
    // Another mailbox on the same domain is not affected.
    expect((await signUp({ email: 'other@gmail.com' }, '198.51.100.31')).status).toBe(202);
  });

  it('limits sign-ups per client, telling clients apart only through the trusted proxy', async () => {
    for (let i = 0; i < LIMITS.perClientPerHour; i++)
      expect((await signUp({ email: `c${i}@example.com` }, '203.0.113.5')).status).toBe(202);
    const refused = await signUp({ email: 'one-more@example.com' }, '203.0.113.5');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('from your network');
    // The same client cannot get round it with a made-up hop to the left of its own.
    expect((await signUp({ email: 'one-more@example.com' }, '192.0.2.1, 203.0.113.5')).status).toBe(429);
    expect((await signUp({ email: 'one-more@example.com' }, '203.0.113.6')).status).toBe(202);
  });

  it('limits sign-ups overall', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.perHour + 1 && !statuses.includes(429); i++)
      statuses.push((await signUp({ email: `g${i}@example.com` }, `198.18.0.${i + 1}`)).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 202).length).toBeLessThan(LIMITS.perHour);
    const refused = await signUp({ email: 'late@example.com' }, '198.18.1.1');
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('right now');
  });

  it('refuses malformed fields with 400, never 500', async () => {
    const bad: Record<string, unknown>[] = [
      { email: 'a@example.com', topics: { toString: 1 } },
      { email: 'a@example.com', topics: { Billing: true } },
      { email: 'a@example.com', topics: [1, 2] },
      { email: 'a@example.com', topics: Array.from({ length: 51 }, (_, i) => `t${i}`) },
      { email: 'a@example.com', name: 'x'.repeat(201) },
      { email: 'a@example.com', name: { first: 'Ada' } },
      { email: 'a@example.com', locale: `en-${'abcdefgh-'.repeat(4)}x1` },
      { email: 'a@example.com', locale: 'english' },
      { email: ['a@example.com', 'b@example.com'] },
    ];
    for (const body of bad)
      expect((await signUp(body, '198.51.100.99')).status, JSON.stringify(body)).toBe(400);
  });

  it('keeps queued confirmations through a restart and sends them once mail works again', async () => {
    // Every failure was said, none dropped silently.
    expect(stderr).toMatch(/confirmation email to subscriber \d+ failed \(attempt 1\), retried in/);
    expect(await stopServe()).toBe(0);
    const smtp: TestSmtpServer = await startSmtpServer();
    try {
      await startServe(smtp.url);
      await vi.waitFor(
        () => expect(smtp.messages.some((m) => m.envelope.to.includes('nobody@example.com'))).toBe(true),
        { timeout: 60_000, interval: 50 },
      );
      const to = smtp.messages.flatMap((m) => m.envelope.to);
      expect(to).toContain('left@example.com');
      expect(to).not.toContain('known@example.com');
      expect(stderr).toMatch(/confirmation email\(s\) that failed before are tried again now/);
    } finally {
      await stopServe();
      await smtp.close();
    }
  }, 90_000);
});
