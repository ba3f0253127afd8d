import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { createTokenSigner, parseSigningKeys } from '../../src/adapters/hmac-tokens.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

const SECRET = 'test-secret-0123456789abcdef';
let dir: string;
let repo: string;
let smtp: TestSmtpServer;
let server: ChildProcess;
let base: string;
/** The confirmation link of Ada's first sign-up. */
let firstAdaLink: string;
const env = () => ({ SMTP_URL: smtp.url, HERALD_EMAIL_SECRET: SECRET, HERALD_PUBLIC_URL: '' });
const tokens = createTokenSigner(parseSigningKeys(SECRET)!);

async function subscribers(): Promise<{ email: string; status: string; id: number; topics: unknown }[]> {
  const listed = await runCli(['subscribers', 'list', '--json'], { cwd: repo });
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout).subscribers;
}
const statusOf = async (email: string) => (await subscribers()).find((s) => s.email === email)?.status;
const post = (route: string, body: string, type = 'application/x-www-form-urlencoded') =>
  fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': type }, body, redirect: 'manual' });
const linkIn = (text: string) => /https?:\/\/\S+\/confirm\?token=[\w.-]+/.exec(text)?.[0] ?? null;

/** `herald serve` in `cwd` with `env`, once it says where it listens. */
async function startServe(cwd: string, extraEnv: Record<string, string>) {
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--json'], {
    cwd,
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out).url);
    });
    child.on('exit', (code) => reject(new Error(`herald serve exited with ${code}`)));
  });
  return { child, url };
}

/** Waits (polling, bounded) until the SMTP server holds `count` messages. */
const mailCount = (count: number) =>
  vi.waitFor(() => expect(smtp.messages).toHaveLength(count), { timeout: 20_000, interval: 20 });

/**
 * Sign-ups are mailed in the background, in the order they were queued: once a sign-up made
 * after them is mailed, nothing more is coming for the earlier ones.
 */
async function settled(): Promise<void> {
  const sentinel = `sentinel${++sentinels}@example.com`;
  expect((await post('subscribe', `email=${encodeURIComponent(sentinel)}`)).status).toBe(202);
  await vi.waitFor(() => expect(smtp.messages.some((m) => m.envelope.to.includes(sentinel))).toBe(true), {
    timeout: 20_000,
    interval: 20,
  });
}
let sentinels = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-subscriptions-'));
  repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
  const file = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.herald.email = { from: 'releases@acme.example' };
  config.herald.server = { signups: { perClientPerHour: 200 } };
  writeFileSync(file, JSON.stringify(config, null, 2));
  smtp = await startSmtpServer();
  ({ child: server, url: base } = await startServe(repo, env()));
}, 60_000);

afterAll(async () => {
  server?.kill('SIGTERM');
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('herald serve and herald subscribers', () => {
  it('double opt-in: a sign-up is pending until the emailed link is opened and its button pressed', async () => {
    const response = await post(
      'subscribe',
      'email=Ada%40Example.com&name=Ada%0D%0ABcc%3A+x%40evil.test&topics=Billing',
    );
    expect(response.status).toBe(202);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await statusOf('ada@example.com')).toBe('pending');
    await mailCount(1);
    const [mail] = smtp.messages;
    expect(mail!.envelope.to).toEqual(['ada@example.com']);
    // The name's line break cannot add a header: To stays one header, Bcc never appears.
    const headers = mail!.parsed.headers.map((h) => h.key);
    expect(headers.filter((k) => k === 'to')).toHaveLength(1);
    expect(headers).not.toContain('bcc');
    const link = linkIn(mail!.parsed.text ?? '');
    expect(link).not.toBeNull();
    expect(link!.startsWith(base)).toBe(true);
    firstAdaLink = link!;

    // A link scanner's GET changes nothing: the page has a button that POSTs the token.
    const opened = await fetch(link!);
    expect(opened.status).toBe(200);
    const page = await opened.text();
    expect(page).toContain('<form method="post" action="confirm?token=');
    expect(await statusOf('ada@example.com')).toBe('pending');

    const confirmed = await post(link!.slice(base.length), '');
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('You are subscribed');
    expect(await statusOf('ada@example.com')).toBe('confirmed');
    // Opening it again just says so.
    const twice = await fetch(link!);
    expect(twice.status).toBe(200);
    expect(await twice.text()).toContain('You are subscribed');
    expect(await statusOf('ada@example.com')).toBe('confirmed');

    // Signing up again looks the same from outside, and sends nothing.
    const again = await post('subscribe', JSON.stringify({ email: 'ada@example.com' }), 'application/json');
    expect(again.status).toBe(202);
    await settled();
    expect(smtp.messages.filter((m) => m.envelope.to.includes('ada@example.com'))).toHaveLength(1);
  });

  it('one-click unsubscribe: GET only asks, POST unsubscribes at once and again harmlessly', async () => {
    const ada = (await subscribers()).find((s) => s.email === 'ada@example.com')!;
    const token = tokens.sign('unsubscribe', ada.id);
    const ask = await fetch(`${base}unsubscribe?token=${token}`);
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('<form method="post"');
    expect(await statusOf('ada@example.com')).toBe('confirmed');

    for (let i = 0; i < 2; i++) {
      const done = await post(`unsubscribe?token=${token}`, 'List-Unsubscribe=One-Click');
      expect(done.status).toBe(200);
      expect(await statusOf('ada@example.com')).toBe('unsubscribed');
    }
  });

  it('refuses forged, altered, other-purpose and other-subscriber tokens, changing nothing', async () => {
    const imported = await runCli(['subscribers', 'add', 'bob@example.com'], { cwd: repo });
    expect(imported.code, imported.stderr).toBe(0);
    const bob = (await subscribers()).find((s) => s.email === 'bob@example.com')!;
    const good = tokens.sign('unsubscribe', bob.id);
    const forged = createTokenSigner(parseSigningKeys('another-secret-0123456789')!).sign(
      'unsubscribe',
      bob.id,
    );
    const altered = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`;
    const otherSubscriber = good.replace(`.${bob.id.toString(36)}.`, `.${(bob.id + 1).toString(36)}.`);
    const confirmToken = tokens.sign('confirm', bob.id);
    for (const token of [forged, altered, otherSubscriber, confirmToken, '', 'v1', 'x'.repeat(5000)]) {
      const response = await post(
        `unsubscribe?token=${encodeURIComponent(token)}`,
        'List-Unsubscribe=One-Click',
      );
      expect(response.status, token.slice(0, 40)).toBe(400);
    }
    expect(await statusOf('bob@example.com')).toBe('confirmed');
    expect((await post('subscribe', 'email=not-an-address')).status).toBe(400);
    expect((await post('subscribe', `email=${'a'.repeat(20_000)}`)).status).toBe(413);
    expect((await fetch(`${base}nowhere`)).status).toBe(404);
  });

  it('signing up again after unsubscribing needs a new confirmation; the old link confirms nothing', async () => {
    const before = smtp.messages.length;
    expect((await post('subscribe', 'email=ada%40example.com')).status).toBe(202);
    // An anonymous sign-up does not bring the address back: it stays unsubscribed until confirmed.
    expect(await statusOf('ada@example.com')).toBe('unsubscribed');
    await mailCount(before + 1);
    const link = linkIn(smtp.messages.at(-1)!.parsed.text ?? '');
    expect(link).not.toBe(firstAdaLink);
    // The first sign-up's link (still within its 7 days) belongs to a sign-up that ended.
    expect((await fetch(firstAdaLink)).status).toBe(400);
    expect((await post(firstAdaLink.slice(base.length), '')).status).toBe(400);
    expect(await statusOf('ada@example.com')).toBe('unsubscribed');
    expect((await post(link!.slice(base.length), '')).status).toBe(200);
    expect(await statusOf('ada@example.com')).toBe('confirmed');
  });

  it('imports a CSV: bad rows reported by line, good ones imported once, unsubscribed left alone', async () => {
    await runCli(['subscribers', 'add', 'carol@example.com'], { cwd: repo });
    const carol = (await subscribers()).find((s) => s.email === 'carol@example.com')!;
    await post(`unsubscribe?token=${tokens.sign('unsubscribe', carol.id)}`, 'List-Unsubscribe=One-Click');
    const csv = path.join(dir, 'list.csv');
    writeFileSync(
      csv,
      [
        'email,name,locale,topics',
        'dan@example.com,Dan,de,Billing;Public API',
        'not an address,Eve,,',
        '"Frank@Example.com","Frank, Jr.",en_us,all',
        'carol@example.com,Carol,,',
        'gina@example.com,Gina,,Nonexistent',
      ].join('\n'),
    );
    const first = await runCli(['subscribers', 'import', csv], { cwd: repo });
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('EIMPORT');
    expect(first.stderr).toContain(`${csv}:3`);
    expect(first.stderr).toContain(`${csv}:6`);
    expect(first.stderr).toContain('unknown topic "Nonexistent"');
    const all = await subscribers();
    expect(all.find((s) => s.email === 'dan@example.com')).toMatchObject({
      status: 'confirmed',
      topics: ['Billing', 'Public API'],
    });
    expect(all.find((s) => s.email === 'frank@example.com')).toMatchObject({
      status: 'confirmed',
      topics: 'all',
    });
    expect(all.find((s) => s.email === 'carol@example.com')!.status).toBe('unsubscribed');

    const second = await runCli(['subscribers', 'import', csv, '--json'], { cwd: repo });
    expect(second.code).toBe(2);
    const result = JSON.parse(second.stdout);
    expect(result).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 2,
      kept: [{ email: 'carol@example.com' }],
    });

    const exported = await runCli(['subscribers', 'export'], { cwd: repo });
    expect(exported.stdout.split('\n')[0]).toBe('email,name,locale,topics,status,source');
    expect(exported.stdout).toContain('frank@example.com,"Frank, Jr.",en-us,all,confirmed,import:list.csv');

    expect((await runCli(['subscribers', 'remove', 'dan@example.com'], { cwd: repo })).code).toBe(0);
    expect((await subscribers()).some((s) => s.email === 'dan@example.com')).toBe(false);
  });

  it('exports formula-leading cells as text, cleans terminal escapes from names, and imports its export unchanged', async () => {
    const csv = path.join(dir, 'hostile.csv');
    writeFileSync(
      csv,
      [
        'email,name,locale,topics',
        '"hyper@example.com","=HYPERLINK(""https://evil.example"",""Click"")",,',
        'plus@example.com,+1 555 0100,,',
        'minus@example.com,-2+3,,',
        'at@example.com,@SUM(A1),,',
        '"tab@example.com","\tTabbed",,',
        "quote@example.com,''=already quoted,,",
        '=cmd@example.com,Formula Address,,',
        '"esc@example.com","Eve\u001b[2J\u001b]0;pwned\u0007\u202eTrojan\u009b31m",,',
      ].join('\n'),
    );
    const imported = await runCli(['subscribers', 'import', csv], { cwd: repo });
    expect(imported.code, imported.stderr).toBe(0);

    const listed = await runCli(['subscribers', 'list'], { cwd: repo });
    expect(listed.stdout).toContain('esc@example.com (Eve Trojan');
    expect(listed.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);

    const exported = await runCli(['subscribers', 'export'], { cwd: repo });
    const rows = exported.stdout.split('\n');
    const row = (email: string) => rows.find((r) => r.includes(email))!;
    expect(row('hyper@example.com')).toBe(
      `hyper@example.com,"'=HYPERLINK(""https://evil.example"",""Click"")",,all,confirmed,import:hostile.csv`,
    );
    expect(row('plus@example.com')).toContain(",'+1 555 0100,");
    expect(row('minus@example.com')).toContain(",'-2+3,");
    expect(row('at@example.com')).toContain(",'@SUM(A1),");
    expect(row('quote@example.com')).toContain(",''=already quoted,");
    expect(row('=cmd@example.com')).toMatch(/^'=cmd@example\.com,/);
    // No exported cell starts with a formula character.
    for (const line of rows.slice(1))
      for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);

    // Importing the export changes nothing: the prefix is taken off again.
    const before = (await subscribers()).map(({ email, status }) => ({ email, status }));
    const names = async () =>
      Object.fromEntries(
        (
          JSON.parse((await runCli(['subscribers', 'list', '--json'], { cwd: repo })).stdout).subscribers as {
            email: string;
            name: string | null;
          }[]
        ).map((s) => [s.email, s.name]),
      );
    const namesBefore = await names();
    expect(namesBefore['quote@example.com']).toBe("'=already quoted");
    expect(namesBefore['hyper@example.com']).toBe('=HYPERLINK("https://evil.example","Click")');
    const again = path.join(dir, 'exported.csv');
    // This file's rows as exported (the other tests' pending addresses would be confirmed by an import).
    writeFileSync(again, rows.filter((r, i) => i === 0 || r.includes('import:hostile.csv')).join('\n'));
    const reimported = await runCli(['subscribers', 'import', again, '--json'], { cwd: repo });
    expect(JSON.parse(reimported.stdout)).toMatchObject({ created: 0, updated: 0 });
    expect(await names()).toEqual(namesBefore);
    expect((await subscribers()).map(({ email, status }) => ({ email, status }))).toEqual(before);
  });
});
