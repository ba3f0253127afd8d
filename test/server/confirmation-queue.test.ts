import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenSigner, parseSigningKeys } from '../../src/adapters/hmac-tokens.js';
import { createSmtpMailer } from '../../src/adapters/smtp-mailer.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import type { MailerPort, StorePort } from '../../src/ports/index.js';
import { startConfirmationQueue } from '../../src/server/confirmation-queue.js';
import { createConfirmationSender } from '../../src/server/subscriptions.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

const PRODUCT = 'Acme Cloud';
let store: StorePort;
let smtp: TestSmtpServer;
let mailer: MailerPort;
let lines: string[];

const sender = () =>
  createConfirmationSender({
    tokens: createTokenSigner(parseSigningKeys('test-secret-0123456789abcdef')!),
    mailer,
    product: PRODUCT,
    publicUrl: 'https://releases.acme.example/',
    from: { address: 'releases@acme.example', name: null },
    replyTo: null,
  });

const signUp = (email: string) =>
  store.recordSignup(
    PRODUCT,
    { email, name: null, locale: null, topics: 'all', source: 'web' },
    `n-${email}`,
  );

const received = (count: number) =>
  vi.waitFor(() => expect(smtp.messages).toHaveLength(count), { timeout: 20_000, interval: 20 });

beforeEach(async () => {
  store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'herald-queue-')), 'state.db'));
  smtp = await startSmtpServer();
  mailer = createSmtpMailer({ url: smtp.url, maxConnections: 1, timeoutMs: 5_000 });
  lines = [];
});
afterEach(async () => {
  await mailer.close();
  await smtp.close();
  await store.close();
});

describe('the confirmation email queue', () => {
  it('retries a temporary failure with backoff, logging it, until the email goes', async () => {
    smtp.failNext(2, '451');
    await signUp('ada@example.com');
    const queue = startConfirmationQueue({
      store,
      product: PRODUCT,
      send: sender(),
      log: (line) => lines.push(line),
      retryDelayMs: () => 0,
    });
    try {
      await received(1);
      expect(smtp.messages[0]!.envelope.to).toEqual(['ada@example.com']);
      expect(smtp.messages[0]!.parsed.text).toMatch(/https:\/\/releases\.acme\.example\/confirm\?token=v1\./);
      expect(lines.filter((l) => /failed \(attempt \d\), retried/.test(l))).toHaveLength(2);
    } finally {
      await queue.stop();
    }
    // Sent: nothing left to take.
    expect(await store.claimConfirmations(PRODUCT, 10, 60_000)).toEqual([]);
  });

  it('gives up on an address the server refuses, saying so', async () => {
    smtp.failNext(1, '550');
    await signUp('nobody@example.com');
    const queue = startConfirmationQueue({
      store,
      product: PRODUCT,
      send: sender(),
      log: (l) => lines.push(l),
    });
    try {
      await vi.waitFor(() => expect(lines.some((l) => l.includes('given up after 1 attempt'))).toBe(true), {
        timeout: 20_000,
        interval: 20,
      });
    } finally {
      await queue.stop();
    }
    expect(smtp.messages).toHaveLength(0);
    expect(await store.claimConfirmations(PRODUCT, 10, 60_000)).toEqual([]);
  });

  it('at stop, finishes the email in flight and leaves the rest queued for the next start', async () => {
    for (let i = 0; i < 4; i++) await signUp(`user${i}@example.com`);
    const send = sender();
    let stopping: Promise<void> | null = null;
    const queue = startConfirmationQueue({
      store,
      product: PRODUCT,
      log: (l) => lines.push(l),
      // Stops while the first email is being sent.
      send: async (job) => {
        stopping ??= queue.stop();
        await send(job);
      },
    });
    await vi.waitFor(() => expect(stopping).not.toBeNull(), { timeout: 20_000, interval: 5 });
    await stopping;
    expect(smtp.messages).toHaveLength(1);

    const next = startConfirmationQueue({
      store,
      product: PRODUCT,
      send: sender(),
      log: (l) => lines.push(l),
    });
    try {
      await received(4);
    } finally {
      await next.stop();
    }
    expect(smtp.messages.flatMap((m) => m.envelope.to).sort()).toEqual([
      'user0@example.com',
      'user1@example.com',
      'user2@example.com',
      'user3@example.com',
    ]);
  });
});
