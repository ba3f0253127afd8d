import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmlOutbox, emlFileName } from '../../src/adapters/eml-outbox.js';
import { createSmtpMailer } from '../../src/adapters/smtp-mailer.js';
import { DeliveryFailure } from '../../src/errors/delivery-failure.js';
import type { MailerPort, OutgoingEmail } from '../../src/ports/mailer.js';
import { type ReceivedMessage, startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

let sequence = 0;
function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  sequence++;
  return {
    messageId: `<2.0.0.${sequence}.zoe@herald.acme.example>`,
    from: { address: 'releases@acme.example', name: 'Acme Releases' },
    to: { address: 'zoe@customer.example', name: 'Zoë Quinn' },
    replyTo: { address: 'support@acme.example', name: 'Acme Support' },
    subject: 'Acme Cloud 2.0 🚀 is out',
    text: 'Hello Zoë,\n\nAcme Cloud 2.0 is out: faster search.\n',
    html: '<p>Hello Zoë,</p><p>Acme Cloud 2.0 is out: <b>faster search</b>.</p>',
    unsubscribe: { url: 'https://acme.example/unsubscribe/tok_123', mailto: null },
    listId: 'Acme Cloud release notes <releases.acme.example>',
    ...overrides,
  };
}

/** Every value of a header (postal-mime: keys lower-case, values unfolded). */
const header = (message: { parsed: ReceivedMessage['parsed'] }, key: string) =>
  message.parsed.headers.filter((h) => h.key === key).map((h) => h.value);
const headerKeys = (message: { parsed: ReceivedMessage['parsed'] }) =>
  message.parsed.headers.map((h) => h.key).sort();
/** The raw header block, as the lines that went over the wire. */
const rawHeaderLines = (raw: Buffer) => raw.toString('utf8').split('\r\n\r\n')[0]!.split('\r\n');

async function failureOf(promise: Promise<unknown>): Promise<DeliveryFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryFailure);
    return error as DeliveryFailure;
  }
  throw new Error('expected the send to fail');
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const ALL_HEADERS = [
  'content-type',
  'date',
  'from',
  'list-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'message-id',
  'mime-version',
  'reply-to',
  'subject',
  'to',
];

let server: TestSmtpServer;
let mailer: MailerPort;
const last = () => server.messages.at(-1)!;

beforeAll(async () => {
  server = await startSmtpServer();
  mailer = createSmtpMailer({ url: server.url, maxConnections: 2, timeoutMs: 2000 });
});
afterAll(async () => {
  await mailer?.close();
  await server?.close();
});

describe('SMTP mailer: the message', () => {
  it('sends the headers exactly, and nothing else', async () => {
    const sent = email();
    const receipt = await mailer.send(sent);
    expect(receipt.response).toContain('250');

    const message = last();
    expect(headerKeys(message)).toEqual(ALL_HEADERS);
    expect(header(message, 'message-id')).toEqual([sent.messageId]);
    expect(header(message, 'list-unsubscribe')).toEqual(['<https://acme.example/unsubscribe/tok_123>']);
    expect(header(message, 'list-unsubscribe-post')).toEqual(['List-Unsubscribe=One-Click']);
    expect(header(message, 'list-id')).toEqual(['Acme Cloud release notes <releases.acme.example>']);
    expect(header(message, 'x-mailer')).toEqual([]);
    expect(message.parsed.subject).toBe('Acme Cloud 2.0 🚀 is out');
    expect(message.parsed.from).toEqual({ name: 'Acme Releases', address: 'releases@acme.example' });
    expect(message.parsed.to).toEqual([{ name: 'Zoë Quinn', address: 'zoe@customer.example' }]);
    expect(message.parsed.replyTo).toEqual([{ name: 'Acme Support', address: 'support@acme.example' }]);
    expect(message.parsed.text?.replace(/\r\n/g, '\n').trimEnd()).toBe(sent.text.trimEnd());
    expect(message.parsed.html?.replace(/\r\n/g, '\n').trimEnd()).toBe(sent.html);
    // Every line ASCII: the subject and the name were encoded, not sent as raw UTF-8.
    expect(rawHeaderLines(message.raw).every((line) => /^[\x20-\x7e\t]*$/.test(line))).toBe(true);
  });

  it('lists a mailto after the https URL, without comments; leaves out list headers it was not given', async () => {
    await mailer.send(
      email({
        unsubscribe: { url: 'https://acme.example/u/t?id=1', mailto: 'mailto:unsub@acme.example?subject=x' },
      }),
    );
    expect(header(last(), 'list-unsubscribe')).toEqual([
      '<https://acme.example/u/t?id=1>, <mailto:unsub@acme.example?subject=x>',
    ]);
    expect(header(last(), 'list-unsubscribe-post')).toEqual(['List-Unsubscribe=One-Click']);

    await mailer.send(email({ unsubscribe: null, listId: null, replyTo: null }));
    expect(headerKeys(last())).toEqual(
      ALL_HEADERS.filter(
        (key) => !['list-id', 'list-unsubscribe', 'list-unsubscribe-post', 'reply-to'].includes(key),
      ),
    );
  });

  it('encodes a non-ASCII List-ID name but keeps the identifier readable', async () => {
    await mailer.send(email({ listId: 'Notes de version Ünïcode, v2 <notes.acme.example>' }));
    const [value] = header(last(), 'list-id');
    expect(value).toMatch(/^=\?UTF-8\?[QB]\?.*\?= <notes\.acme\.example>$/);
  });

  it('keeps names and subjects with injected line breaks on one line, adding no header', async () => {
    const sent = email({
      from: { address: 'releases@acme.example', name: 'Acme\r\nBcc: victim@evil.example' },
      to: { address: ' Zoe@Customer.Example ', name: 'Zoë\nX-Injected: 1' },
      subject: 'Release\r\nX-Injected: yes\r\n\r\nbody',
    });
    await mailer.send(sent);
    const message = last();
    expect(headerKeys(message)).toEqual(ALL_HEADERS);
    expect(message.parsed.from).toEqual({
      name: 'Acme Bcc: victim@evil.example',
      address: 'releases@acme.example',
    });
    expect(message.parsed.to).toEqual([{ name: 'Zoë X-Injected: 1', address: 'zoe@customer.example' }]);
    expect(message.parsed.subject).toBe('Release X-Injected: yes body');
    expect(rawHeaderLines(message.raw).filter((line) => /^(bcc|x-injected):/i.test(line))).toEqual([]);
    expect(message.envelope).toEqual({ from: 'releases@acme.example', to: ['zoe@customer.example'] });
  });

  it('offers one-click unsubscribe only over https (an http link is for local rehearsals)', async () => {
    await mailer.send(
      email({ unsubscribe: { url: 'http://127.0.0.1:8125/unsubscribe?token=t', mailto: null } }),
    );
    const headers = last().parsed.headers;
    expect(headers.find((h) => h.key === 'list-unsubscribe')?.value).toBe(
      '<http://127.0.0.1:8125/unsubscribe?token=t>',
    );
    expect(headers.some((h) => h.key === 'list-unsubscribe-post')).toBe(false);
  });

  it('puts only the one recipient on the envelope', async () => {
    await mailer.send(email());
    expect(last().envelope).toEqual({ from: 'releases@acme.example', to: ['zoe@customer.example'] });
  });

  it('refuses invalid addresses and unsafe values as permanent failures, sending nothing', async () => {
    const before = server.messages.length;
    const cases: Partial<OutgoingEmail>[] = [
      { to: { address: 'zoe@customer.example\r\nRCPT TO:<x@evil.example>', name: null } },
      { to: { address: 'not-an-address', name: null } },
      { from: { address: 'a@b@c.example', name: 'x' } },
      { replyTo: { address: 'support@acme example', name: null } },
      { unsubscribe: { url: 'ftp://acme.example/u/1', mailto: null } },
      { unsubscribe: { url: 'https://acme.example/u/1', mailto: 'mailto:a@b.example>, <https://evil' } },
      { messageId: '<no-domain>' },
      { listId: 'no identifier here' },
    ];
    for (const overrides of cases) {
      const failure = await failureOf(mailer.send(email(overrides)));
      expect(failure.kind).toBe('permanent');
      expect(failure.fix).toBeTruthy();
      expect(failure.message).not.toMatch(/[\r\n]/);
    }
    expect(server.messages.length).toBe(before);
  });
});

describe('SMTP mailer: failures', () => {
  it.each([
    { fault: '451', at: 'rcpt', kind: 'retryable', status: 451 },
    // 421 closes the connection: on a reused pooled connection with no data sent yet, nodemailer's pool
    // turns that into a plain "connection closed" (pool-resource.js:210), so the code is not kept.
    { fault: '421', at: 'rcpt', kind: 'retryable', status: null },
    { fault: '451', at: 'data', kind: 'retryable', status: 451 },
    { fault: '421', at: 'data', kind: 'retryable', status: 421 },
    { fault: '550', at: 'rcpt', kind: 'permanent', status: 550 },
    { fault: 'drop-before-data', at: undefined, kind: 'retryable', status: null },
  ] as const)('$fault at $at is $kind, and nothing is stored', async ({ fault, at, kind, status }) => {
    await mailer.send(email()); // a pooled connection that has already been used
    const before = server.messages.length;
    server.failNext(1, fault, at);
    const failure = await failureOf(mailer.send(email()));
    expect({ kind: failure.kind, status: failure.status }).toEqual({ kind, status });
    expect(server.messages.length).toBe(before);
    if (fault === '550') {
      expect(failure.message).toContain('No such user here');
      expect(failure.fix).toMatch(/receiving server refused the address/);
    }
    // The pool recovers: the next message goes through.
    await mailer.send(email());
    expect(server.messages.length).toBe(before + 1);
  });

  it('is ambiguous when the connection drops after the data: the server kept the message', async () => {
    const sent = email();
    server.failNext(1, 'drop-after-data');
    const failure = await failureOf(mailer.send(sent));
    expect(failure.kind).toBe('ambiguous');
    expect(failure.message).toMatch(/may have accepted/);
    expect(header(last(), 'message-id')).toEqual([sent.messageId]);
  });

  it('is retryable when a fresh connection drops before the data', async () => {
    const fresh = createSmtpMailer({ url: server.url, maxConnections: 1, timeoutMs: 2000 });
    try {
      server.failNext(1, 'drop-before-data');
      expect((await failureOf(fresh.send(email()))).kind).toBe('retryable');
      await fresh.send(email());
    } finally {
      await fresh.close();
    }
  });

  it('times out as retryable before the data and ambiguous after it', async () => {
    const quick = createSmtpMailer({ url: server.url, maxConnections: 1, timeoutMs: 300 });
    try {
      server.failNext(1, 'stall-before-data');
      const before = await failureOf(quick.send(email()));
      expect(before.kind).toBe('retryable');
      expect(before.message).toMatch(/no answer within 300 ms/);

      const sent = email();
      server.failNext(1, 'stall-after-data');
      const after = await failureOf(quick.send(sent));
      expect(after.kind).toBe('ambiguous');
      expect(header(last(), 'message-id')).toEqual([sent.messageId]);
    } finally {
      await quick.close();
    }
  });

  it('is retryable, with a fix, when nothing listens', async () => {
    const port = await closedPort();
    const down = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, timeoutMs: 2000 });
    try {
      const failure = await failureOf(down.send(email()));
      expect(failure.kind).toBe('retryable');
      expect(failure.message).toContain(`127.0.0.1:${port}`);
      expect(failure.fix).toMatch(/SMTP_URL/);
      const [finding] = await down.verify();
      expect(finding).toMatchObject({ ok: false, check: 'SMTP relay' });
      expect(finding?.fix).toMatch(/SMTP_URL/);
    } finally {
      await down.close();
    }
  });

  it('is retryable when cancelled before sending', async () => {
    const controller = new AbortController();
    controller.abort();
    const failure = await failureOf(mailer.send(email(), controller.signal));
    expect(failure.kind).toBe('retryable');
  });
});

describe('SMTP mailer: credentials and the pool', () => {
  const password = 'S3cret:p@ss/wörd%';
  let authServer: TestSmtpServer;
  beforeAll(async () => {
    authServer = await startSmtpServer({ auth: { user: 'herald', pass: password } });
  });
  afterAll(async () => {
    await authServer?.close();
  });
  const urlWith = (pass: string) =>
    authServer.url.replace('smtp://', `smtp://herald:${encodeURIComponent(pass)}@`);

  it('logs in with the SMTP_URL credentials, and never shows the password', async () => {
    const good = createSmtpMailer({ url: urlWith(password), timeoutMs: 2000 });
    const shown: string[] = [good.description];
    try {
      expect(good.description).toBe(
        `SMTP relay ${authServer.url.replace('smtp://', 'smtp://herald:[redacted]@')}`,
      );
      expect(await good.verify()).toMatchObject([{ ok: true, check: 'SMTP relay' }, { check: 'DKIM' }]);
      await good.send(email());
      expect(authServer.messages).toHaveLength(1);
      for (const fault of ['550', '451', 'drop-before-data', 'drop-after-data'] as const) {
        authServer.failNext(1, fault);
        const failure = await failureOf(good.send(email()));
        shown.push(failure.message, failure.fix ?? '');
      }
    } finally {
      await good.close();
    }

    const bad = createSmtpMailer({ url: urlWith(`${password}-old`), timeoutMs: 2000 });
    try {
      const failure = await failureOf(bad.send(email()));
      expect(failure.kind).toBe('permanent');
      expect(failure.status).toBe(535);
      expect(failure.fix).toMatch(/SMTP_URL/);
      const findings = await bad.verify();
      expect(findings).toMatchObject([{ ok: false, check: 'SMTP relay' }, { check: 'DKIM' }]);
      shown.push(bad.description, failure.message, failure.fix ?? '', JSON.stringify(findings));
    } finally {
      await bad.close();
    }
    const secrets = [password, encodeURIComponent(password), `${password}-old`, 'S3cret'];
    for (const text of shown) for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('never opens more than maxConnections sessions, and delivers all 40', async () => {
    const pooled = createSmtpMailer({ url: server.url, maxConnections: 3, timeoutMs: 5000 });
    expect(pooled.concurrency).toBe(3);
    const pool = await startSmtpServer();
    const mailerOnPool = createSmtpMailer({ url: pool.url, maxConnections: 3, timeoutMs: 5000 });
    try {
      const sent = Array.from({ length: 40 }, () => email());
      await Promise.all(sent.map((message) => mailerOnPool.send(message)));
      expect(pool.maxConcurrentSessions()).toBeLessThanOrEqual(3);
      expect(pool.maxConcurrentSessions()).toBeGreaterThan(1);
      expect(pool.messages.map((m) => m.parsed.messageId).sort()).toEqual(
        sent.map((m) => m.messageId).sort(),
      );
    } finally {
      await mailerOnPool.close();
      await pooled.close();
      await pool.close();
    }
  });

  it('rejects an SMTP_URL it cannot use without echoing it', () => {
    for (const url of ['http://u:hunter22@host', 'smtp://u:hunter22@host?tls=maybe', 'not a url hunter22']) {
      let message = '';
      try {
        createSmtpMailer({ url });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain('hunter22');
    }
  });
});

describe('email outbox', () => {
  let dir: string;
  beforeAll(async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'herald-eml-')), 'outbox');
  });
  afterAll(async () => {
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('writes the same message as SMTP carries, overwriting on a resend', async () => {
    const outbox = createEmlOutbox(dir);
    expect(outbox.description).toBe(`email outbox in ${dir}`);
    expect(outbox.concurrency).toBe(4);
    expect(await outbox.verify()).toMatchObject([{ ok: true }]);

    const sent = email({
      unsubscribe: { url: 'https://acme.example/u/tok', mailto: 'mailto:u@acme.example' },
    });
    await mailer.send(sent);
    const viaSmtp = last();
    const receipt = await outbox.send(sent);
    const file = path.join(dir, emlFileName(sent.messageId));
    expect(receipt.response).toContain(file);
    const raw = await readFile(file);
    expect(raw.includes('\r\n')).toBe(true);
    const parsed = await PostalMime.parse(raw);

    expect(headerKeys({ parsed })).toEqual(headerKeys(viaSmtp));
    for (const key of ALL_HEADERS.filter((k) => !['date', 'content-type'].includes(k)))
      expect({ key, values: header({ parsed }, key) }).toEqual({ key, values: header(viaSmtp, key) });
    expect(parsed.subject).toBe(sent.subject);
    expect(parsed.from).toEqual(viaSmtp.parsed.from);
    expect(parsed.to).toEqual(viaSmtp.parsed.to);
    expect(parsed.text).toBe(viaSmtp.parsed.text);
    expect(parsed.html).toBe(viaSmtp.parsed.html);

    await outbox.send({ ...sent, subject: 'Corrected subject' });
    expect(await readdir(dir)).toEqual([path.basename(file)]);
    expect((await PostalMime.parse(await readFile(file))).subject).toBe('Corrected subject');
    await outbox.close();
  });

  it('names files safely and distinctly', () => {
    expect(emlFileName('<2.0.0.1.zoe@herald.acme.example>')).toBe('2.0.0.1.zoe@herald.acme.example.eml');
    expect(emlFileName('<../../etc/passwd@x>')).toBe('%2E.%2F..%2Fetc%2Fpasswd@x.eml');
    expect(emlFileName('<a/b@x>')).not.toBe(emlFileName('<a_b@x>'));
    expect(emlFileName(`<${'a'.repeat(900)}@x>`).length).toBeLessThan(220);
  });
});
