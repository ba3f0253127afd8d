import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDkimDns, dkimPublicKey } from '../../src/adapters/dkim.js';
import { createSmtpMailer } from '../../src/adapters/smtp-mailer.js';
import type { OutgoingEmail } from '../../src/ports/mailer.js';
import { verifyDkim } from '../helpers/dkim-verify.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const DKIM = { domainName: 'acme.example', keySelector: 'herald2026', privateKey: PRIVATE };

const email: OutgoingEmail = {
  messageId: '<2.0.0.1.zoe@herald.acme.example>',
  from: { address: 'releases@acme.example', name: 'Acme Releases' },
  to: { address: 'zoe@customer.example', name: 'Zoë Quinn' },
  replyTo: null,
  subject: 'Acme Cloud 2.0 🚀 is out',
  text: 'Hello Zoë,\n\nAcme Cloud 2.0 is out:   faster search.   \n\n\n',
  html: '<p>Hello Zoë,</p><p>Acme Cloud 2.0 is out.</p>',
  unsubscribe: { url: 'https://acme.example/unsubscribe/tok_123', mailto: null },
  listId: 'Acme Cloud release notes <releases.acme.example>',
};

let server: TestSmtpServer;
beforeAll(async () => {
  server = await startSmtpServer();
});
afterAll(async () => {
  await server.close();
});

describe('DKIM signing (RFC 8058 one-click needs List-Unsubscribe and -Post signed)', () => {
  it('signs every message; the received one verifies and covers both unsubscribe headers', async () => {
    const mailer = createSmtpMailer({ url: `${server.url}?tls=off`, dkim: DKIM });
    try {
      await mailer.send(email);
    } finally {
      await mailer.close?.();
    }
    const received = server.messages.at(-1)!;
    const result = verifyDkim(received.raw, PUBLIC);
    expect(result.problem).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.domain).toBe('acme.example');
    expect(result.selector).toBe('herald2026');
    expect(result.signedHeaders).toEqual(
      expect.arrayContaining([
        'from',
        'to',
        'subject',
        'date',
        'message-id',
        'list-unsubscribe',
        'list-unsubscribe-post',
      ]),
    );
    // A changed unsubscribe header breaks the signature: it is really covered.
    const tampered = Buffer.from(received.raw.toString('latin1').replace('tok_123', 'tok_999'), 'latin1');
    expect(verifyDkim(tampered, PUBLIC).ok).toBe(false);
  });

  it('refuses a key that cannot sign, before anything is sent', () => {
    expect(() => createSmtpMailer({ url: server.url, dkim: { ...DKIM, privateKey: 'not a key' } })).toThrow(
      /DKIM private key is not a PEM private key/,
    );
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => createSmtpMailer({ url: server.url, dkim: { ...DKIM, privateKey: ed } })).toThrow(
      /needs RSA/,
    );
  });

  it('doctor: the selector record matches, differs, is missing, or DNS cannot be asked', async () => {
    const record = `v=DKIM1; k=rsa; p=${dkimPublicKey(PRIVATE)}`;
    const answering = (records: string[][]) => async (name: string) => {
      expect(name).toBe('herald2026._domainkey.acme.example');
      return records;
    };
    // TXT records over 255 characters come back in chunks.
    const chunks = [record.slice(0, 255), record.slice(255)];
    expect(await checkDkimDns(DKIM, answering([chunks]))).toMatchObject({ ok: true });
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const wrong = await checkDkimDns(DKIM, answering([[`v=DKIM1; p=${dkimPublicKey(other.toString())}`]]));
    expect(wrong).toMatchObject({ ok: false });
    expect(wrong.detail).toContain('another key');
    const notFound = () => Object.assign(new Error('queryTxt ENOTFOUND'), { code: 'ENOTFOUND' });
    // The selector has no record, the domain has (an SPF record): the key is really not published.
    const missing = await checkDkimDns(DKIM, async (name) => {
      if (name === 'acme.example') return [['v=spf1 -all']];
      throw notFound();
    });
    expect(missing).toMatchObject({
      ok: false,
      detail: 'no TXT record at herald2026._domainkey.acme.example',
    });
    expect(missing.fix).toContain(record);
    // A resolver that knows nothing (a machine without DNS here answers ENOTFOUND for every name).
    const blind = await checkDkimDns(DKIM, async () => {
      throw notFound();
    });
    expect(blind).toMatchObject({ ok: true });
    expect(blind.detail).toBe(
      'could not check herald2026._domainkey.acme.example: DNS does not know acme.example (offline, or not a public domain)',
    );
    const offline = await checkDkimDns(DKIM, async () => {
      throw Object.assign(new Error('queryTxt ECONNREFUSED'), { code: 'ECONNREFUSED' });
    });
    expect(offline).toMatchObject({ ok: true });
    expect(offline.detail).toMatch(/^could not check/);
  });

  it('doctor without a key says the relay must sign both headers', async () => {
    const mailer = createSmtpMailer({ url: `${server.url}?tls=off` });
    try {
      const findings = await mailer.verify();
      const dkim = findings.find((f) => f.check === 'DKIM')!;
      expect(dkim.detail).toContain(
        'the relay must sign with DKIM covering List-Unsubscribe and List-Unsubscribe-Post',
      );
    } finally {
      await mailer.close?.();
    }
  });
});
