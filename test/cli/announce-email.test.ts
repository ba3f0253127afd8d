import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { cliPath, runCli } from '../helpers/cli.js';
import { verifyDkim } from '../helpers/dkim-verify.js';
import { type ReceivedMessage, startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

/** Kill-and-rerun trials while sending; CI runs the default, a developer can run thousands. */
const TRIALS = Number(process.env.HERALD_KILL_TRIALS ?? 12);
const SUBSCRIBERS = Number(process.env.HERALD_EMAIL_SUBSCRIBERS ?? 10_000);
const SECRET = 'email-test-secret-0123456789';
const PUBLIC = 'https://releases.acme.test/';

let dir: string;
let smtp: TestSmtpServer;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-announce-email-'));
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

let repos = 0;
/** A sample repository that mails from releases@acme.example, with these email settings too. */
function emailRepo(email: Record<string, unknown> = {}): string {
  const repo = buildSampleRepo(path.join(dir, `repo-${++repos}`));
  const file = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.herald.email = { from: 'releases@acme.example', publicUrl: PUBLIC, maxConnections: 4, ...email };
  // `herald serve` here serves the unsubscribe links only: these tests run each announce themselves.
  config.herald.server = { schedulerIntervalSeconds: 0 };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return repo;
}
const env = { SMTP_URL: '', HERALD_EMAIL_SECRET: SECRET, HERALD_PUBLIC_URL: 'https://help.acme.test' };
const smtpEnv = () => ({ ...env, SMTP_URL: smtp.url });

async function prepareDue(repo: string) {
  expect((await runCli(['prepare', '--release-version', '2.0.0'], { cwd: repo })).code).toBe(0);
  expect((await runCli(['schedule', '2.0.0', '--now'], { cwd: repo })).code).toBe(0);
}
async function importCsv(repo: string, rows: string[]) {
  const file = path.join(repo, '..', `subscribers-${repos}.csv`);
  writeFileSync(file, ['email,name,locale,topics', ...rows].join('\n'));
  const result = await runCli(['subscribers', 'import', file], { cwd: repo });
  expect(result.code, result.stderr).toBe(0);
}
const header = (m: ReceivedMessage, key: string) => m.parsed.headers.find((h) => h.key === key)?.value;
const to = (m: ReceivedMessage) => m.envelope.to[0]!;
const messagesFor = (since: number) => smtp.messages.slice(since);

describe('herald announce: DKIM', () => {
  it('signs with the key from HERALD_DKIM_PRIVATE_KEY_FILE; doctor checks DNS or says it could not', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const repo = emailRepo({ dkim: { domainName: 'acme.example', keySelector: 'herald' } });
    const keyFile = path.join(repo, '..', `dkim-${repos}.pem`);
    writeFileSync(keyFile, pem);
    await importCsv(repo, ['erin@example.com,Erin,,all']);
    await prepareDue(repo);
    const since = smtp.messages.length;
    const dkimEnv = { ...smtpEnv(), HERALD_DKIM_PRIVATE_KEY_FILE: keyFile };
    const run = await runCli(['announce'], { cwd: repo, env: dkimEnv });
    expect(run.code, run.stderr).toBe(0);
    const [sent] = messagesFor(since);
    const result = verifyDkim(sent!.raw, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(result.ok, result.problem).toBe(true);
    expect(result.signedHeaders).toEqual(
      expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']),
    );

    // This machine may have no DNS: doctor must answer either way, never hang or fail on it.
    const doctor = await runCli(['doctor'], { cwd: repo, env: dkimEnv });
    // acme.example is no public domain: with or without DNS, doctor cannot check it, and says so.
    expect(doctor.stdout).toMatch(
      /ok {3}email: DKIM key in DNS: could not check herald\._domainkey\.acme\.example/,
    );
    expect(doctor.stdout + doctor.stderr).not.toContain('PRIVATE KEY');

    // The key inline, with the \n escapes a one-line CI secret has, and never printed.
    const inline = await runCli(['doctor'], {
      cwd: repo,
      env: { ...smtpEnv(), HERALD_DKIM_PRIVATE_KEY: pem.replace(/\n/g, '\\n') },
    });
    expect(inline.stdout).toContain('DKIM key in DNS');
    expect(inline.stdout + inline.stderr).not.toContain(pem.split('\n')[1]!);

    const noKey = await runCli(['announce'], { cwd: repo, env: smtpEnv() });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('herald.email.dkim is set but there is no private key');
  });
});

describe('herald announce: subscriber emails', () => {
  it('stops what has not gone out when the release is held mid-run, and mails the rest once when scheduled again', async () => {
    const repo = emailRepo();
    const count = 1_000;
    await importCsv(
      repo,
      Array.from({ length: count }, (_, i) => `held${i}@example.com,Held ${i},en,all`),
    );
    await prepareDue(repo);
    const since = smtp.messages.length;
    // The server takes 10 messages, then makes every further one wait while the release is held.
    const gate = smtp.pauseAfter(since + 10);
    const run = runCli(['announce'], { cwd: repo, env: smtpEnv() });
    await gate.reached;
    const held = await runCli(['hold', '2.0.0'], { cwd: repo, env: smtpEnv() });
    gate.resume();
    await run;
    expect(held.code, held.stderr).toBe(0);
    // The docs may still be on their way too (they are a lane of their own): only the email count matters.
    expect(held.stderr).toMatch(
      /stopped until it is scheduled again: \d+ deliveries \((.+, )?email \d+(, .+)?\)/,
    );
    const during = messagesFor(since).map(to);
    expect(during.length).toBeLessThan(count / 2);
    expect(new Set(during).size).toBe(during.length);
    const status = JSON.parse((await runCli(['status', '2.0.0', '--json'], { cwd: repo })).stdout);
    expect(status.status).toBe('held');
    // Nothing moves while held, however often announce runs.
    expect((await runCli(['announce'], { cwd: repo, env: smtpEnv() })).code).toBe(0);
    expect(messagesFor(since)).toHaveLength(during.length);

    expect((await runCli(['schedule', '2.0.0', '--now'], { cwd: repo })).code).toBe(0);
    const rest = await runCli(['announce'], { cwd: repo, env: smtpEnv() });
    expect(rest.code, rest.stderr).toBe(0);
    const all = messagesFor(since).map(to);
    expect(all).toHaveLength(count);
    expect(new Set(all).size).toBe(count);
  });

  it('mails each confirmed subscriber whose topics the release touches, in their language, once', async () => {
    const repo = emailRepo();
    await importCsv(repo, [
      'ada@example.com,Ada,de,all',
      'bob@example.com,Bob,,Billing',
      'carol@example.com,Carol,en,Public API',
      'dan@example.com,Dan,,all',
    ]);
    await runCli(['subscribers', 'remove', 'dan@example.com'], { cwd: repo });
    await prepareDue(repo);
    const since = smtp.messages.length;
    const run = await runCli(['announce'], { cwd: repo, env: smtpEnv() });
    expect(run.code, run.stderr).toBe(0);
    const sent = messagesFor(since);
    // Bob follows Billing only, which 2.0.0 does not touch; Dan left.
    expect(sent.map(to).sort()).toEqual(['ada@example.com', 'carol@example.com']);
    const ada = sent.find((m) => to(m) === 'ada@example.com')!;
    const carol = sent.find((m) => to(m) === 'carol@example.com')!;
    expect(ada.parsed.subject).toBe('Acme Cloud 2.0.0: Neuigkeiten');
    expect(carol.parsed.subject).toBe("Acme Cloud 2.0.0: what's new");
    expect(carol.parsed.text).toContain('Only changes to: Public API.');
    expect(carol.parsed.text).not.toContain('Keep filters when paging');
    expect(ada.parsed.text).toContain('Keep filters when paging');
    // Hostile commit text is text: no markup from it reaches the HTML.
    expect(ada.parsed.html).not.toMatch(/<b>bold<\/b>|javascript:/);
    expect(ada.parsed.html).toMatch(/href="https:\/\/help\.acme\.test\/help\/[^"]+"/);
    expect(header(ada, 'list-unsubscribe')).toMatch(
      /^<https:\/\/releases\.acme\.test\/unsubscribe\?token=[\w.%-]+>$/,
    );
    expect(header(ada, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header(ada, 'message-id')).toMatch(/^<herald\.[0-9a-f]{32}@acme\.example>$/);

    const rerun = await runCli(['announce'], { cwd: repo, env: smtpEnv() });
    expect(rerun.code).toBe(0);
    expect(smtp.messages.length).toBe(since + 2);
    // Each sent row keeps the Message-ID and the server's reply to the message.
    const status = JSON.parse((await runCli(['status', '2.0.0', '--json', '--all'], { cwd: repo })).stdout);
    const mailed = status.deliveries.filter((d: { target: string }) => d.target === 'email');
    expect(mailed.map((d: { externalId: string }) => d.externalId).sort()).toEqual(
      [header(ada, 'message-id'), header(carol, 'message-id')].sort(),
    );
    for (const row of mailed) expect(row.receipt).toMatch(/^250\b/);

    // The preview is exactly what Carol got: same headers, same parts.
    const preview = await runCli(
      ['preview', '2.0.0', '--channel', 'email', '--subscriber', 'carol@example.com', '--json'],
      { cwd: repo, env },
    );
    expect(preview.code, preview.stderr).toBe(0);
    const { out } = JSON.parse(preview.stdout);
    const { default: PostalMime } = await import('postal-mime');
    const previewed = await PostalMime.parse(readFileSync(path.join(out, 'email', 'message.eml')));
    for (const key of ['message-id', 'subject', 'list-unsubscribe', 'list-id', 'to', 'from'])
      expect(previewed.headers.find((h) => h.key === key)?.value, key).toBe(header(carol, key));
    expect(previewed.text).toBe(carol.parsed.text);
    expect(previewed.html).toBe(carol.parsed.html);
  });

  it('sends an unsubscribe link that works against herald serve, and skips who left before their turn', async () => {
    const repo = emailRepo();
    await importCsv(repo, ['erin@example.com,Erin,,all', 'finn@example.com,Finn,,all']);
    await prepareDue(repo);
    // The first run meets a server that refuses everything for now: nothing goes out.
    smtp.failNext(2, '451');
    const first = await runCli(['announce', '--wait', '0'], { cwd: repo, env: smtpEnv() });
    expect(first.code, first.stderr).toBe(0);
    const serve: ChildProcess = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--json'], {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const local = await new Promise<string>((resolve, reject) => {
        let out = '';
        serve.stdout!.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('\n')) resolve(JSON.parse(out).url);
        });
        serve.on('exit', () => reject(new Error('herald serve did not start')));
      });
      // Finn leaves (through the API the email links to) before the retry.
      const list = JSON.parse((await runCli(['subscribers', 'list', '--json'], { cwd: repo })).stdout);
      const finn = list.subscribers.find((s: { email: string }) => s.email === 'finn@example.com');
      const { createTokenSigner, parseSigningKeys } = await import('../../src/adapters/hmac-tokens.js');
      const token = createTokenSigner(parseSigningKeys(SECRET)!).sign('unsubscribe', finn.id);
      await fetch(`${local}unsubscribe?token=${token}`, {
        method: 'POST',
        body: 'List-Unsubscribe=One-Click',
      });

      const since = smtp.messages.length;
      const second = await runCli(['announce', '--wait', '120'], { cwd: repo, env: smtpEnv() });
      expect(second.code, second.stderr).toBe(0);
      const sent = messagesFor(since);
      expect(sent.map(to)).toEqual(['erin@example.com']);
      const status = JSON.parse((await runCli(['status', '2.0.0', '--json', '--all'], { cwd: repo })).stdout);
      expect(
        status.deliveries.filter((d: { target: string; state: string }) => d.target === 'email'),
      ).toEqual(expect.arrayContaining([expect.objectContaining({ state: 'skipped' })]));

      // Erin's one-click link, as her mail client would POST it, pointed at this server.
      const link = header(sent[0]!, 'list-unsubscribe')!.slice(1, -1).replace(PUBLIC, local);
      const response = await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(response.status).toBe(200);
      const after = JSON.parse((await runCli(['subscribers', 'list', '--json'], { cwd: repo })).stdout);
      expect(after.subscribers.find((s: { email: string }) => s.email === 'erin@example.com').status).toBe(
        'unsubscribed',
      );
    } finally {
      serve.kill('SIGTERM');
    }
  });

  it('offers a mailto: unsubscribe when a mailbox is set, and a mailed request piped to herald unsubscribes', async () => {
    const repo = emailRepo({ unsubscribeMailbox: 'unsubscribe@acme.example' });
    await importCsv(repo, ['ivy@example.com,Ivy,,all', 'jon@example.com,Jon,,all']);
    await prepareDue(repo);
    const since = smtp.messages.length;
    expect((await runCli(['announce'], { cwd: repo, env: smtpEnv() })).code).toBe(0);
    const ivy = messagesFor(since).find((m) => to(m) === 'ivy@example.com')!;
    const [https, mailto] = header(ivy, 'list-unsubscribe')!.split(', ');
    expect(https).toMatch(/^<https:\/\/releases\.acme\.test\/unsubscribe\?token=/);
    expect(mailto).toMatch(/^<mailto:unsubscribe@acme\.example\?subject=unsubscribe%20[\w.-]+>$/);
    // What a mail client sends for that URI: the subject decoded, to the mailbox.
    const subject = decodeURIComponent(new URL(mailto!.slice(1, -1)).searchParams.get('subject')!);
    const request = `From: ivy@example.com\r\nTo: unsubscribe@acme.example\r\nSubject: ${subject}\r\n\r\n`;
    const forged = request.replace(/unsubscribe (\S+)/, (_, t: string) => `unsubscribe ${t.slice(0, -2)}xx`);
    const refused = await runCli(['subscribers', 'unsubscribe', '--mail', '-'], {
      cwd: repo,
      env,
      input: forged,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not valid here/);
    const done = await runCli(['subscribers', 'unsubscribe', '--mail', '-'], {
      cwd: repo,
      env,
      input: request,
    });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/ivy@example\.com: unsubscribed/);
    const again = await runCli(['subscribers', 'unsubscribe', '--mail', '-'], {
      cwd: repo,
      env,
      input: request,
    });
    expect(again.stderr).toMatch(/was already unsubscribed/);
    const list = JSON.parse((await runCli(['subscribers', 'list', '--json'], { cwd: repo })).stdout);
    const status = (email: string) =>
      list.subscribers.find((s: { email: string }) => s.email === email).status;
    expect([status('ivy@example.com'), status('jon@example.com')]).toEqual(['unsubscribed', 'confirmed']);
    // Where there is no secret, nothing can be checked, and none is made up.
    const elsewhere = mkdtempSync(path.join(dir, 'mail-host-'));
    const noSecret = await runCli(['subscribers', 'unsubscribe', '--mail', '-', '--cwd', repo], {
      cwd: elsewhere,
      env: { HERALD_EMAIL_SECRET: undefined },
      input: request,
    });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/no HERALD_EMAIL_SECRET here/);
    expect(existsSync(path.join(repo, '.herald', 'email-secret'))).toBe(false);
  });

  it('sends a refused email again on herald retry, even when unknown outcomes are skipped', async () => {
    const repo = emailRepo({ unknown: 'skip' });
    await importCsv(repo, ['kim@example.com,Kim,,all']);
    await prepareDue(repo);
    smtp.failNext(1, '550');
    const since = smtp.messages.length;
    const refused = await runCli(['announce'], { cwd: repo, env: smtpEnv() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/EDELIVERY.*refused the message/s);
    expect(smtp.messages.length).toBe(since);
    // The server refused it: nothing to check, so the retry sends it.
    expect((await runCli(['retry', '2.0.0', '--channel', 'email'], { cwd: repo })).code).toBe(0);
    const again = await runCli(['announce'], { cwd: repo, env: smtpEnv() });
    expect(again.code, again.stderr).toBe(0);
    expect(messagesFor(since).map(to)).toEqual(['kim@example.com']);
  });

  it("uses the repository's email templates, and refuses to start on a misspelt field, sending nothing", async () => {
    const repo = emailRepo();
    await importCsv(repo, ['gil@example.com,Gil,fr,all', 'hana@example.com,Hana,,all']);
    await prepareDue(repo);
    mkdirSync(path.join(repo, 'templates', 'email'), { recursive: true });
    const template = path.join(repo, 'templates', 'email', 'subject.hbs');
    writeFileSync(template, '{{product}} {{verison}} is out\n');
    const since = smtp.messages.length;
    const refused = await runCli(['announce'], { cwd: repo, env: smtpEnv() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/ETEMPLATEFIELD.*templates\/email\/subject\.hbs/s);
    expect(refused.stderr).toMatch(/subject\.hbs:1:/);
    expect(smtp.messages.length).toBe(since);

    writeFileSync(template, '{{product}} {{version}}: {{words.whatsNew}}\n');
    writeFileSync(
      path.join(repo, 'templates', 'email', 'fr.json'),
      JSON.stringify({ whatsNew: 'les nouveautés', unsubscribe: 'Se désabonner' }),
    );
    const run = await runCli(['announce'], { cwd: repo, env: smtpEnv() });
    expect(run.code, run.stderr).toBe(0);
    const sent = messagesFor(since);
    expect(sent.find((m) => to(m) === 'gil@example.com')!.parsed.subject).toBe(
      'Acme Cloud 2.0.0: les nouveautés',
    );
    expect(sent.find((m) => to(m) === 'gil@example.com')!.parsed.text).toContain('Se désabonner: https://');
    expect(sent.find((m) => to(m) === 'hana@example.com')!.parsed.subject).toBe(
      "Acme Cloud 2.0.0: what's new",
    );
  });

  it(`survives kill -9 while mailing ${SUBSCRIBERS} subscribers: one message each, duplicates only from unknown sends`, async () => {
    const repo = emailRepo();
    await importCsv(
      repo,
      Array.from(
        { length: SUBSCRIBERS },
        (_, i) => `user${i}@example.com,User ${i},${i % 3 === 0 ? 'de' : 'en'},all`,
      ),
    );
    await prepareDue(repo);
    const since = smtp.messages.length;
    let kills = 0;
    const log: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const crash =
        trial % 3 === 2
          ? null
          : `${['fenced', 'delivered'][trial % 3]}:${1 + Math.floor(Math.random() * 40)}@email`;
      const afterMs = crash ? null : 400 + Math.floor(Math.random() * 1200);
      const outcome = await new Promise<'killed' | number>((resolve, reject) => {
        const child = spawn(process.execPath, [cliPath, 'announce'], {
          cwd: repo,
          stdio: 'ignore',
          env: {
            ...process.env,
            ...smtpEnv(),
            HERALD_LEASE_SECONDS: '2',
            ...(crash ? { HERALD_CRASH_AT: crash } : {}),
          },
        });
        const timer = afterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), afterMs);
        child.on('error', reject);
        child.on('exit', (code, signal) => {
          if (timer) clearTimeout(timer);
          resolve(signal === 'SIGKILL' ? 'killed' : (code ?? -1));
        });
      });
      if (outcome === 'killed') kills++;
      log.push(`${crash ?? `after ${afterMs} ms`} → ${outcome}`);
    }
    const final = await runCli(['announce', '--wait', '60', '--json'], { cwd: repo, env: smtpEnv() });
    expect(final.code, final.stderr).toBe(0);
    expect(kills, log.join('\n')).toBeGreaterThan(0);

    const counts = new Map<string, number>();
    for (const m of messagesFor(since)) counts.set(to(m), (counts.get(to(m)) ?? 0) + 1);
    expect(counts.size).toBe(SUBSCRIBERS);
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([address]) => address);
    // A crash leaves at most one message per connection in flight, each resent (same Message-ID).
    expect(duplicated.length, log.join('\n')).toBeLessThanOrEqual(kills * 4);
    const status = JSON.parse((await runCli(['status', '2.0.0', '--json', '--all'], { cwd: repo })).stdout);
    expect(status.status).toBe('announced');
    // Every copy beyond the first is a send whose outcome was unknown: its row was attempted again.
    const list = JSON.parse((await runCli(['subscribers', 'list', '--json'], { cwd: repo })).stdout);
    const idOf = new Map<string, number>(
      list.subscribers.map((s: { email: string; id: number }) => [s.email, s.id]),
    );
    const rows = new Map<string, { state: string; attempts: number }>(
      status.deliveries.map((d: { key: string; state: string; attempts: number }) => [d.key, d]),
    );
    for (const address of duplicated) {
      const row = rows.get(`to:${idOf.get(address)}`)!;
      expect(row.state).toBe('sent');
      expect(row.attempts, address).toBeGreaterThanOrEqual(counts.get(address)!);
    }
    // Each message of one recipient is the same message.
    const ids = new Map<string, Set<string>>();
    for (const m of messagesFor(since)) {
      const set = ids.get(to(m)) ?? new Set();
      set.add(header(m, 'message-id')!);
      ids.set(to(m), set);
    }
    expect([...ids.values()].every((set) => set.size === 1)).toBe(true);
  }, 600_000);
});
