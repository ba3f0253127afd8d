import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import { verifyPassword } from '../../src/server/auth/passwords.js';
import { cliPath, runCli } from '../helpers/cli.js';

let dir: string;
let repo: string;
const users = async () => {
  const listed = await runCli(['users', 'list', '--json'], { cwd: repo });
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout).users as { name: string; role: string }[];
};
const storedHash = async (name: string) => {
  const store = await openSqliteStore(path.join(repo, '.herald', 'state.db'));
  try {
    return (await store.findUser(name))?.passwordHash ?? null;
  } finally {
    await store.close();
  }
};

/**
 * `herald users add` on a real terminal (a pseudo-terminal from script(1)): the password is
 * typed after each prompt, and the transcript shows what a person would see.
 */
function addOnTerminal(
  name: string,
  first: string,
  second: string,
): Promise<{ code: number; screen: string }> {
  return new Promise((resolve, reject) => {
    const command = `${process.execPath} ${cliPath} users add ${name} --role manager`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: repo,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    const answers = [first, second];
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      screen += d;
      // Typed only once the prompt is up: the terminal is then in raw mode, without echo.
      if (/Password: $|Again: $/.test(screen) && answers.length > 0 && screen.endsWith(': '))
        child.stdin.write(`${answers.shift()}\r`);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, screen }));
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-users-'));
  repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('herald users', () => {
  it('adds a user from stdin with a scrypt hash, refuses duplicates and short passwords', async () => {
    const added = await runCli(['users', 'add', 'ada', '--role', 'manager', '--password-stdin'], {
      cwd: repo,
      input: 'a long enough passphrase\nignored second line\n',
    });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('ada added (manager)');
    expect(added.stderr + added.stdout).not.toContain('passphrase');
    expect(await users()).toMatchObject([{ name: 'ada', role: 'manager' }]);
    const hash = await storedHash('ada');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('a long enough passphrase', hash)).toBe(true);
    expect(await verifyPassword('a long enough passphrasf', hash)).toBe(false);

    const twice = await runCli(['users', 'add', 'ada', '--password-stdin'], {
      cwd: repo,
      input: 'another passphrase\n',
    });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('EUSEREXISTS');
    const short = await runCli(['users', 'add', 'bob', '--password-stdin'], { cwd: repo, input: 'short\n' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('EPASSWORD');
    // No terminal and no --password-stdin: nothing to ask on.
    const noTty = await runCli(['users', 'add', 'bob'], { cwd: repo });
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--password-stdin');
    const badRole = await runCli(['users', 'add', 'bob', '--role', 'admin', '--password-stdin'], {
      cwd: repo,
      input: 'a long enough passphrase\n',
    });
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('--role admin is not a role');
    expect((await users()).map((u) => u.name)).toEqual(['ada']);
    expect(added.stderr).not.toMatch(/\n\s+at /);
  });

  it('asks for the password twice on a terminal without showing it', async () => {
    const differ = await addOnTerminal('tess', 'first passphrase here', 'second passphrase here');
    expect(differ.code).toBe(2);
    expect(differ.screen).toContain('EPASSWORD');
    const ok = await addOnTerminal('tess', 'terminal passphrase', 'terminal passphrase');
    expect(ok.code, ok.screen).toBe(0);
    expect(ok.screen).toContain('Password:');
    expect(ok.screen).not.toContain('terminal passphrase');
    expect(await verifyPassword('terminal passphrase', await storedHash('tess'))).toBe(true);
  });

  it('resets a password (and role), removes users, and names the known ones for an unknown name', async () => {
    const reset = await runCli(['users', 'reset', 'ada', '--role', 'viewer', '--password-stdin'], {
      cwd: repo,
      input: 'the new passphrase\n',
    });
    expect(reset.code, reset.stderr).toBe(0);
    expect(await verifyPassword('the new passphrase', await storedHash('ada'))).toBe(true);
    expect((await users()).find((u) => u.name === 'ada')?.role).toBe('viewer');

    const unknown = await runCli(['users', 'remove', 'zed'], { cwd: repo });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('EUNKNOWNUSER');
    expect(unknown.stderr).toContain('ada');
    const removed = await runCli(['users', 'remove', 'ada'], { cwd: repo });
    expect(removed.code, removed.stderr).toBe(0);
    expect((await users()).map((u) => u.name)).toEqual(['tess']);
  });
});
