import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/cli.js';

// `herald emulate slack` as README documents it: a Slack Web API on loopback, the variables to
// export, the channels at its address, Slack's errors.
// Its fault injection is test machinery (test/emulators/slack-faults.ts), not part of it.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function startEmulate(args: string[]) {
  const cwd = await mkdtemp(path.join(tmpdir(), 'herald-emulate-'));
  const child = spawn(process.execPath, [cliPath, 'emulate', 'slack', '--port', '0', '--json', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  stops.push(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(cwd, { recursive: true, force: true });
  });
  child.stdout.setEncoding('utf8');
  // The first line on stdout is the JSON of what it started (the stream stays open after it).
  const stdout = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) resolve(text);
    });
    child.on('exit', (code) => reject(new Error(`herald emulate slack exited (${code}) before printing`)));
  });
  return JSON.parse(stdout) as { url: string; apiUrl: string; token: string; channels: unknown[] };
}

describe('herald emulate slack', () => {
  it('serves the Web API with the printed token and shows the posts at its address', async () => {
    const started = await startEmulate(['--channel', 'C0TEST:test']);
    expect(started.channels).toEqual([{ id: 'C0TEST', name: 'test' }]);
    const slack = new WebClient(started.token, {
      slackApiUrl: started.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    expect(await slack.auth.test()).toMatchObject({ ok: true });
    await slack.chat.postMessage({
      channel: 'C0TEST',
      text: 'hello',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello from the rehearsal' } }],
    });
    // Slack's errors, as Slack answers them.
    const stranger = new WebClient('xoxb-not-the-token', {
      slackApiUrl: started.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    await expect(stranger.auth.test()).rejects.toMatchObject({ data: { ok: false, error: 'invalid_auth' } });
    const page = await (await fetch(started.url)).text();
    expect(page).toContain('hello from the rehearsal');
  });
});
