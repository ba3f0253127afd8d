import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { cliPath, runCli } from '../helpers/cli.js';

const PASSWORD = 'a long enough passphrase';
let dir: string;
let repo: string;
let serve: ChildProcess;
let base: string;

const cookieOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-serve-dashboard-'));
  repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
  const added = await runCli(['users', 'add', 'ada', '--role', 'manager', '--password-stdin'], {
    cwd: repo,
    input: `${PASSWORD}\n`,
  });
  expect(added.code, added.stderr).toBe(0);
  serve = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--json'], {
    cwd: repo,
    env: { ...process.env, HERALD_EMAIL_SECRET: 'serve-dashboard-secret-0123456789' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out).url);
    });
    serve.on('exit', (code) => reject(new Error(`herald serve exited with ${code}`)));
  });
}, 60_000);

afterAll(() => {
  serve?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('herald serve: the dashboard behind its sign-in', () => {
  it('sends visitors to sign in, and a user added with herald users to the releases', async () => {
    const anonymous = await fetch(`${base}releases`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login/);
    const form = await fetch(`${base}login?next=%2Freleases`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const signedIn = await fetch(`${base}login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(form) },
      body: new URLSearchParams({ _csrf: csrf, username: 'ada', password: PASSWORD, next: '/releases' }),
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/releases');
    const releases = await fetch(`${base}releases`, { headers: { cookie: cookieOf(signedIn) } });
    expect(releases.status).toBe(200);
    expect(await releases.text()).toContain('ada');
    // The public sign-up form is still there for everyone.
    expect((await fetch(`${base}subscribe`)).status).toBe(200);
  });
});
