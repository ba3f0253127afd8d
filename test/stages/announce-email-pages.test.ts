import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsTemplates } from '../../src/adapters/fs-templates.js';
import { createTokenSigner, parseSigningKeys } from '../../src/adapters/hmac-tokens.js';
import { createSmtpMailer } from '../../src/adapters/smtp-mailer.js';
import { createEmailChannel } from '../../src/channels/email.js';
import type { StorePort } from '../../src/ports/index.js';
import { announce } from '../../src/stages/announce.js';
import { createEmailTemplates } from '../../src/stages/email-templates.js';
import { keyOf, prepare } from '../helpers/bundles.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { storeDialects } from '../helpers/stores.js';

// The email plan is read and recorded a page (1,000 subscribers) at a time: every confirmed
// subscriber is mailed exactly once across page boundaries, whoever leaves meanwhile is not.

let postgres: TestPostgres;
let smtp: TestSmtpServer;
beforeAll(async () => {
  [postgres, smtp] = await Promise.all([startPostgres(), startSmtpServer()]);
}, 120_000);
afterAll(async () => {
  await smtp?.close();
  await postgres?.stop();
});

const SUBSCRIBERS = 2_500;
const PLANNER_PAGE = 1_000;
const address = (i: number) => `reader${i}@example.com`;

function emailChannel(store: StorePort) {
  const keys = parseSigningKeys('pages-test-secret-0123456789')!;
  return createEmailChannel(
    createSmtpMailer({ url: `${smtp.url}?tls=off`, maxConnections: 4 }),
    store,
    async () => createTokenSigner(keys),
    createEmailTemplates(createFsTemplates(null)),
    {
      audience: 'customer',
      from: { address: 'releases@acme.example', name: null },
      replyTo: null,
      publicUrl: 'https://releases.acme.test/',
      unsubscribeMailbox: null,
      unknown: 'resend',
      helpCenterSite: null,
    },
  );
}

describe.each(storeDialects(() => postgres))('email plan in pages on $name', (dialect) => {
  it('records each page before reading the next, and mails every confirmed subscriber once, whoever leaves mid-run', async () => {
    const store = await dialect.open(await dialect.fresh());
    try {
      await prepare(store, '1.0.0', { schedule: { at: 'now', zone: 'UTC' } });
      const bundle = (await store.findBundle(keyOf('1.0.0')))!;
      await store.upsertSubscribers(
        'Acme',
        Array.from({ length: SUBSCRIBERS }, (_, i) => ({
          email: address(i),
          name: null,
          locale: null,
          topics: 'all' as const,
          source: 'test',
        })),
        'confirmed',
      );
      const ids = new Map(
        (await store.listSubscribers('Acme', { afterId: 0, limit: SUBSCRIBERS })).map((s) => [s.email, s.id]),
      );
      const leave = (i: number) =>
        store.setSubscriberStatus(ids.get(address(i))!, ['confirmed'], 'unsubscribed');

      // The planner's reads (a page of 1,000; sending reads ahead 100 at a time): when it asks for
      // the second page, the first must be in the ledger already; two subscribers leave then, one
      // already planned (page 1), one not yet read (page 3).
      let rowsBeforeSecondPage: number | null = null;
      const watched: StorePort = Object.create(store);
      watched.listSubscribers = async (product, options) => {
        if (options.limit === PLANNER_PAGE && options.afterId && rowsBeforeSecondPage === null) {
          rowsBeforeSecondPage = (await store.listDeliveries(bundle.id)).length;
          await leave(10);
          await leave(2_200);
        }
        return store.listSubscribers(product, options);
      };

      // Mid-delivery: once 1,000 messages are in, one more subscriber leaves before their turn
      // (at most 4 connections x 100 claimed rows are ahead of the last message received).
      const since = smtp.messages.length;
      const paused = smtp.pauseAfter(since + 1_000);
      const running = announce({
        store: watched,
        channels: [emailChannel(watched)],
        owner: `pages-${dialect.name}`,
        actor: 'tester',
        dryRun: false,
        maxWaitMs: 10_000,
      });
      await paused.reached;
      await leave(2_400);
      paused.resume();
      const report = await running;

      expect(rowsBeforeSecondPage).toBe(PLANNER_PAGE);
      expect(report.planned[0]!.counts).toEqual({ email: SUBSCRIBERS - 1 });
      const received = smtp.messages.slice(since).map((m) => m.envelope.to[0]!);
      const expected = Array.from({ length: SUBSCRIBERS }, (_, i) => i)
        .filter((i) => ![10, 2_200, 2_400].includes(i))
        .map(address);
      expect(received.length).toBe(expected.length);
      expect(new Set(received)).toEqual(new Set(expected));

      const rows = await store.listDeliveries(bundle.id);
      expect(rows.length).toBe(SUBSCRIBERS - 1);
      expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
      const stateOf = (i: number) => rows.find((r) => r.key === `to:${ids.get(address(i))}`)?.state;
      expect([stateOf(10), stateOf(2_200), stateOf(2_400), stateOf(0), stateOf(2_499)]).toEqual([
        'skipped',
        undefined,
        'skipped',
        'sent',
        'sent',
      ]);
      expect(rows.filter((r) => r.state === 'sent').length).toBe(expected.length);
      expect((await store.findBundle(keyOf('1.0.0')))!.status).toBe('announced');
    } finally {
      await store.close();
    }
  }, 180_000);
});
