import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscriber, SubscriberInput } from '../../src/model/index.js';
import type { StorePort } from '../../src/ports/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { storeDialects } from '../helpers/stores.js';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

const dialects = storeDialects(() => postgres);

const input = (email: string, over: Partial<SubscriberInput> = {}): SubscriberInput => ({
  email,
  name: null,
  locale: null,
  topics: 'all',
  source: 'import:list.csv',
  ...over,
});

const addresses = (n: number, prefix = 'user') =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(dialects)('subscriber store: $name', (dialect) => {
  // One database per dialect; every test works in a product of its own.
  let where: string;
  let store: StorePort;
  let products = 0;
  const newProduct = () => `product-${++products}`;

  beforeAll(async () => {
    where = await dialect.fresh();
    store = await dialect.open(where);
  });
  afterAll(async () => {
    await store?.close();
  });

  /** Every subscriber of a product, paging as a mailer would. */
  async function everyone(product: string, pageSize = 500, statuses?: Subscriber['status'][]) {
    const all: Subscriber[] = [];
    for (;;) {
      const page = await store.listSubscribers(product, {
        statuses,
        afterId: all.at(-1)?.id,
        limit: pageSize,
      });
      expect(page.length).toBeLessThanOrEqual(pageSize);
      all.push(...page);
      if (page.length < pageSize) return all;
    }
  }

  it('creates new addresses and updates or leaves existing ones, with exact counts', async () => {
    const product = newProduct();
    const first = await store.upsertSubscribers(
      product,
      [
        input('ada@example.com', { name: 'Ada', topics: ['api', 'ui'] }),
        input('bob@example.com', { locale: 'de' }),
        input('cy@example.com'),
      ],
      'confirmed',
    );
    expect(first).toEqual({ created: 3, updated: 0, unchanged: 0, kept: [] });
    const ada = (await store.findSubscriber(product, 'ada@example.com'))!;
    expect(ada).toMatchObject({
      product,
      email: 'ada@example.com',
      name: 'Ada',
      locale: null,
      topics: ['api', 'ui'],
      status: 'confirmed',
      source: 'import:list.csv',
      unsubscribedAt: null,
    });
    expect(ada.confirmedAt).toBe(ada.createdAt);
    expect(ada.updatedAt).toBe(ada.createdAt);
    expect(Math.abs(ada.createdAt - (await store.now()))).toBeLessThan(5_000);
    expect(await store.getSubscriber(ada.id)).toEqual(ada);

    await pause(5);
    const second = await store.upsertSubscribers(
      product,
      [
        // Same topics in another order: unchanged.
        input('ada@example.com', { name: 'Ada', topics: ['ui', 'api', 'ui'], source: 'cli' }),
        input('bob@example.com', { locale: 'en-gb', topics: ['billing'], source: 'cli' }),
        input('cy@example.com', { name: 'Cy', source: 'cli' }),
        input('dee@example.com', { source: 'cli' }),
      ],
      'confirmed',
    );
    expect(second).toEqual({ created: 1, updated: 2, unchanged: 1, kept: [] });
    expect(await store.findSubscriber(product, 'ada@example.com')).toEqual(ada);
    const bob = (await store.findSubscriber(product, 'bob@example.com'))!;
    expect(bob).toMatchObject({ locale: 'en-gb', topics: ['billing'], source: 'import:list.csv' });
    expect(bob.updatedAt).toBeGreaterThan(bob.createdAt);
    expect(bob.confirmedAt).toBe(bob.createdAt);
    expect(await store.findSubscriber(product, 'cy@example.com')).toMatchObject({
      name: 'Cy',
      source: 'import:list.csv',
    });
    expect(await store.findSubscriber(product, 'dee@example.com')).toMatchObject({ source: 'cli' });
    expect(await store.findSubscriber(product, 'nobody@example.com')).toBeNull();
    expect(await store.upsertSubscribers(product, [], 'pending')).toEqual({
      created: 0,
      updated: 0,
      unchanged: 0,
      kept: [],
    });
  });

  it('changes nothing when the same rows are imported again', async () => {
    const product = newProduct();
    const rows = addresses(1_200).map((email, i) =>
      input(email, { name: `User ${i}`, topics: i % 2 ? ['api'] : 'all' }),
    );
    expect(await store.upsertSubscribers(product, rows, 'confirmed')).toMatchObject({ created: 1_200 });
    const before = await everyone(product);
    await pause(5);
    expect(await store.upsertSubscribers(product, rows, 'confirmed')).toEqual({
      created: 0,
      updated: 0,
      unchanged: 1_200,
      kept: [],
    });
    expect(await store.upsertSubscribers(product, rows, 'pending')).toMatchObject({ unchanged: 1_200 });
    expect(await everyone(product)).toEqual(before);
  });

  it('never brings back an unsubscribed or bounced address, and reports it', async () => {
    const product = newProduct();
    await store.upsertSubscribers(
      product,
      [input('gone@example.com'), input('bounced@example.com'), input('here@example.com')],
      'confirmed',
    );
    const gone = (await store.findSubscriber(product, 'gone@example.com'))!;
    const bounced = (await store.findSubscriber(product, 'bounced@example.com'))!;
    const left = (await store.setSubscriberStatus(gone.id, ['confirmed'], 'unsubscribed'))!;
    const dead = (await store.setSubscriberStatus(bounced.id, ['confirmed'], 'bounced'))!;
    for (const status of ['confirmed', 'pending'] as const) {
      const result = await store.upsertSubscribers(
        product,
        [
          input('gone@example.com', { name: `Back ${status}` }),
          input('here@example.com', { name: `Here ${status}` }),
          input('bounced@example.com', { topics: ['api'] }),
        ],
        status,
      );
      expect(result).toEqual({
        created: 0,
        updated: 1,
        unchanged: 0,
        kept: [
          { email: 'gone@example.com', status: 'unsubscribed' },
          { email: 'bounced@example.com', status: 'bounced' },
        ],
      });
      expect(await store.findSubscriber(product, 'gone@example.com')).toEqual(left);
      expect(await store.findSubscriber(product, 'bounced@example.com')).toEqual(dead);
    }
    expect(left.status).toBe('unsubscribed');
    expect(dead.status).toBe('bounced');
  });

  it('confirms a pending address on a confirmed import, and never unconfirms one', async () => {
    const product = newProduct();
    expect(await store.upsertSubscribers(product, [input('ann@example.com')], 'pending')).toMatchObject({
      created: 1,
    });
    const pending = (await store.findSubscriber(product, 'ann@example.com'))!;
    expect(pending).toMatchObject({ status: 'pending', confirmedAt: null });
    expect(await store.upsertSubscribers(product, [input('ann@example.com')], 'pending')).toMatchObject({
      unchanged: 1,
    });
    await pause(5);
    expect(await store.upsertSubscribers(product, [input('ann@example.com')], 'confirmed')).toMatchObject({
      updated: 1,
    });
    const confirmed = (await store.findSubscriber(product, 'ann@example.com'))!;
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.confirmedAt).toBe(confirmed.updatedAt);
    expect(confirmed.confirmedAt).toBeGreaterThan(pending.createdAt);
    expect(await store.upsertSubscribers(product, [input('ann@example.com')], 'pending')).toEqual({
      created: 0,
      updated: 0,
      unchanged: 1,
      kept: [],
    });
    await pause(5);
    expect(
      await store.upsertSubscribers(product, [input('ann@example.com', { name: 'Ann' })], 'pending'),
    ).toMatchObject({ updated: 1 });
    const renamed = (await store.findSubscriber(product, 'ann@example.com'))!;
    expect(renamed).toMatchObject({ name: 'Ann', status: 'confirmed', confirmedAt: confirmed.confirmedAt });
    expect(renamed.updatedAt).toBeGreaterThan(confirmed.updatedAt);
  });

  it('lets the last row for an address win within one call', async () => {
    const product = newProduct();
    const result = await store.upsertSubscribers(
      product,
      [
        input('dup@example.com', { name: 'First' }),
        input('one@example.com'),
        input('dup@example.com', { name: 'Last', topics: ['api'] }),
      ],
      'confirmed',
    );
    expect(result).toEqual({ created: 2, updated: 0, unchanged: 0, kept: [] });
    expect(await store.findSubscriber(product, 'dup@example.com')).toMatchObject({
      name: 'Last',
      topics: ['api'],
    });
    // An existing address: a change followed by the original row is no change at all.
    const again = await store.upsertSubscribers(
      product,
      [
        input('dup@example.com', { name: 'Other' }),
        input('dup@example.com', { name: 'Last', topics: ['api'] }),
      ],
      'confirmed',
    );
    expect(again).toEqual({ created: 0, updated: 0, unchanged: 1, kept: [] });
    expect((await store.countSubscribers(product)).confirmed).toBe(2);
  });

  it('keeps one list per product', async () => {
    const [p1, p2] = [newProduct(), newProduct()];
    await store.upsertSubscribers(p1, [input('both@example.com', { name: 'One' })], 'confirmed');
    expect(
      await store.upsertSubscribers(p2, [input('both@example.com', { name: 'Two' })], 'pending'),
    ).toEqual({ created: 1, updated: 0, unchanged: 0, kept: [] });
    const one = (await store.findSubscriber(p1, 'both@example.com'))!;
    const two = (await store.findSubscriber(p2, 'both@example.com'))!;
    expect(one.id).not.toBe(two.id);
    expect(one).toMatchObject({ product: p1, name: 'One', status: 'confirmed' });
    expect(two).toMatchObject({ product: p2, name: 'Two', status: 'pending' });
    expect(await store.removeSubscriber(p1, 'both@example.com')).toBe(true);
    expect(await store.findSubscriber(p2, 'both@example.com')).toEqual(two);
    expect((await everyone(p1)).length).toBe(0);
    expect((await everyone(p2)).map((s) => s.id)).toEqual([two.id]);
  });

  it('changes status only from the given ones, stamping the time of each transition once', async () => {
    const product = newProduct();
    await store.upsertSubscribers(product, [input('sam@example.com')], 'pending');
    const pending = (await store.findSubscriber(product, 'sam@example.com'))!;

    // Not in `from`: nothing changes.
    expect(await store.setSubscriberStatus(pending.id, ['confirmed'], 'unsubscribed')).toEqual(pending);
    expect(await store.setSubscriberStatus(pending.id, [], 'confirmed')).toEqual(pending);

    await pause(5);
    const before = await store.now();
    const confirmed = (await store.setSubscriberStatus(pending.id, ['pending'], 'confirmed'))!;
    const after = await store.now();
    expect(confirmed).toMatchObject({ id: pending.id, status: 'confirmed', unsubscribedAt: null });
    expect(confirmed.confirmedAt).toBeGreaterThanOrEqual(before);
    expect(confirmed.confirmedAt).toBeLessThanOrEqual(after);
    expect(confirmed.confirmedAt).toBeGreaterThan(pending.createdAt);
    expect(confirmed.updatedAt).toBe(confirmed.confirmedAt);
    expect(await store.findSubscriber(product, 'sam@example.com')).toEqual(confirmed);

    // Again, and with the target among `from`: idempotent, the time of the transition stays.
    await pause(5);
    expect(await store.setSubscriberStatus(pending.id, ['pending'], 'confirmed')).toEqual(confirmed);
    expect(await store.setSubscriberStatus(pending.id, ['pending', 'confirmed'], 'confirmed')).toEqual(
      confirmed,
    );

    await pause(5);
    const unsubscribed = (await store.setSubscriberStatus(
      pending.id,
      ['pending', 'confirmed'],
      'unsubscribed',
    ))!;
    expect(unsubscribed).toMatchObject({ status: 'unsubscribed', confirmedAt: confirmed.confirmedAt });
    expect(unsubscribed.unsubscribedAt).toBeGreaterThan(confirmed.confirmedAt!);
    expect(unsubscribed.updatedAt).toBe(unsubscribed.unsubscribedAt);
    await pause(5);
    expect(
      await store.setSubscriberStatus(pending.id, ['confirmed', 'unsubscribed'], 'unsubscribed'),
    ).toEqual(unsubscribed);
    // A late confirmation link does not resubscribe.
    expect(await store.setSubscriberStatus(pending.id, ['pending'], 'confirmed')).toEqual(unsubscribed);

    const bounced = (await store.setSubscriberStatus(pending.id, ['unsubscribed'], 'bounced'))!;
    expect(bounced).toMatchObject({
      status: 'bounced',
      confirmedAt: confirmed.confirmedAt,
      unsubscribedAt: unsubscribed.unsubscribedAt,
    });
    expect(bounced.updatedAt).toBeGreaterThan(unsubscribed.updatedAt);

    expect(await store.setSubscriberStatus(999_999_999, ['pending'], 'confirmed')).toBeNull();
  });

  it('forgets an address completely, and never gives its id to another', async () => {
    const product = newProduct();
    await store.upsertSubscribers(
      product,
      [input('keep@example.com'), input('forget@example.com')],
      'pending',
    );
    const forget = (await store.findSubscriber(product, 'forget@example.com'))!;
    const keep = (await store.findSubscriber(product, 'keep@example.com'))!;
    expect(await store.removeSubscriber(product, 'other@example.com')).toBe(false);
    expect(await store.removeSubscriber(product, 'forget@example.com')).toBe(true);
    expect(await store.removeSubscriber(product, 'forget@example.com')).toBe(false);
    expect(await store.findSubscriber(product, 'forget@example.com')).toBeNull();
    expect(await store.getSubscriber(forget.id)).toBeNull();
    expect(await store.findSubscriber(product, 'keep@example.com')).toEqual(keep);
    expect(await store.countSubscribers(product)).toEqual({
      pending: 1,
      confirmed: 0,
      unsubscribed: 0,
      bounced: 0,
    });
    // Ids end up in links: a link to the forgotten address must not reach whoever comes next.
    await store.upsertSubscribers(product, [input('forget@example.com')], 'pending');
    const back = (await store.findSubscriber(product, 'forget@example.com'))!;
    expect(back.id).toBeGreaterThan(forget.id);
    expect(await store.setSubscriberStatus(forget.id, ['pending'], 'confirmed')).toBeNull();
  });

  it('pages through 5,000 addresses by id, each exactly once, with a status filter', async () => {
    const product = newProduct();
    const emails = addresses(5_000);
    await store.upsertSubscribers(
      product,
      emails.map((e) => input(e)),
      'pending',
    );
    await store.upsertSubscribers(
      newProduct(),
      emails.slice(0, 100).map((e) => input(e)),
      'confirmed',
    );
    // Every third one confirmed, every 100th of those unsubscribed afterwards.
    const confirmedEmails = emails.filter((_, i) => i % 3 === 0);
    expect(
      await store.upsertSubscribers(
        product,
        confirmedEmails.map((e) => input(e)),
        'confirmed',
      ),
    ).toMatchObject({ updated: confirmedEmails.length });
    const unsubscribedEmails = confirmedEmails.filter((_, i) => i % 100 === 0);
    for (const email of unsubscribedEmails) {
      const { id } = (await store.findSubscriber(product, email))!;
      await store.setSubscriberStatus(id, ['confirmed'], 'unsubscribed');
    }

    const all = await everyone(product, 500);
    expect(all.map((s) => s.email)).toEqual(emails);
    const ids = all.map((s) => s.id);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(all.every((s) => s.product === product)).toBe(true);

    const confirmed = await everyone(product, 500, ['confirmed']);
    const stillConfirmed = confirmedEmails.filter((e) => !unsubscribedEmails.includes(e));
    expect(confirmed.map((s) => s.email)).toEqual(stillConfirmed);
    const mailable = await everyone(product, 500, ['pending', 'confirmed']);
    expect(mailable.length).toBe(5_000 - unsubscribedEmails.length);
    expect(new Set(mailable.map((s) => s.id)).size).toBe(mailable.length);

    const tail = await store.listSubscribers(product, { afterId: ids[4_990], limit: 500 });
    expect(tail.map((s) => s.id)).toEqual(ids.slice(4_991));
    expect(await store.listSubscribers(product, { statuses: [], limit: 500 })).toEqual([]);
    expect(await store.listSubscribers(product, { statuses: ['bounced'], limit: 500 })).toEqual([]);

    expect(await store.countSubscribers(product)).toEqual({
      pending: 5_000 - confirmedEmails.length,
      confirmed: stillConfirmed.length,
      unsubscribed: unsubscribedEmails.length,
      bounced: 0,
    });
  });

  it('counts every status, zero when there are none', async () => {
    const product = newProduct();
    expect(await store.countSubscribers(product)).toEqual({
      pending: 0,
      confirmed: 0,
      unsubscribed: 0,
      bounced: 0,
    });
    await store.upsertSubscribers(
      product,
      addresses(3, 'p').map((e) => input(e)),
      'pending',
    );
    await store.upsertSubscribers(
      product,
      addresses(2, 'c').map((e) => input(e)),
      'confirmed',
    );
    const bounce = (await store.findSubscriber(product, 'c0@example.com'))!;
    await store.setSubscriberStatus(bounce.id, ['confirmed'], 'bounced');
    expect(await store.countSubscribers(product)).toEqual({
      pending: 3,
      confirmed: 1,
      unsubscribed: 0,
      bounced: 1,
    });
  });

  it('leaves one row per address when two processes import overlapping lists at once', async () => {
    const product = newProduct();
    const other = await dialect.open(where);
    try {
      const emails = addresses(1_500, 'race');
      const a = emails.slice(0, 1_000).map((e) => input(e, { name: 'A' }));
      const b = emails.slice(500).map((e) => input(e, { name: 'B' }));
      const [ra, rb] = await Promise.all([
        store.upsertSubscribers(product, a, 'confirmed'),
        other.upsertSubscribers(product, b, 'confirmed'),
      ]);
      expect(ra.created + ra.updated + ra.unchanged).toBe(1_000);
      expect(rb.created + rb.updated + rb.unchanged).toBe(1_000);
      expect(ra.created + rb.created).toBe(1_500);
      expect(ra.updated + rb.updated).toBe(500);
      const all = await everyone(product);
      expect(all.map((s) => s.email).sort()).toEqual([...emails].sort());
      expect((await store.countSubscribers(product)).confirmed).toBe(1_500);
      // Whichever ran second wrote the overlap.
      const overlap = new Set(all.slice(500, 1_000).map((s) => s.name));
      expect(overlap.size).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('imports 20,000 addresses in one call', async () => {
    const product = newProduct();
    const rows = addresses(20_000, 'bulk').map((e, i) => input(e, { name: `Bulk ${i}`, locale: 'en' }));
    const result = await store.upsertSubscribers(product, rows, 'confirmed');
    expect(result).toEqual({ created: 20_000, updated: 0, unchanged: 0, kept: [] });
    expect(await store.countSubscribers(product)).toEqual({
      pending: 0,
      confirmed: 20_000,
      unsubscribed: 0,
      bounced: 0,
    });
    const last = await store.findSubscriber(product, 'bulk19999@example.com');
    expect(last).toMatchObject({ name: 'Bulk 19999', locale: 'en', status: 'confirmed' });
  });

  it('counts sign-ups per mailbox and day, refusing past the cap until the next day', async () => {
    const product = newProduct();
    for (let i = 0; i < 3; i++)
      expect(await store.countSignup(product, 'victim@gmail.com', 3)).toEqual({ accepted: true });
    const refused = await store.countSignup(product, 'victim@gmail.com', 3);
    expect(refused.accepted).toBe(false);
    const wait = refused.accepted ? 0 : refused.retryAfterMs;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(86_400_000);
    // Refusals count nothing; other mailboxes and products have their own counts.
    expect((await store.countSignup(product, 'victim@gmail.com', 4)).accepted).toBe(true);
    expect((await store.countSignup(product, 'other@gmail.com', 1)).accepted).toBe(true);
    expect((await store.countSignup(newProduct(), 'victim@gmail.com', 1)).accepted).toBe(true);
    // Two processes counting at once never let more through than the cap.
    const other = await dialect.open(where);
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).countSignup(product, 'race@x.com', 4)),
      );
      expect(results.filter((r) => r.accepted)).toHaveLength(4);
    } finally {
      await other.close();
    }
  });

  it('records a sign-up: new addresses pending with a nonce and a queued email; nobody moved back', async () => {
    const product = newProduct();
    await store.upsertSubscribers(product, [input('known@example.com')], 'confirmed');
    await store.upsertSubscribers(product, [input('left@example.com')], 'confirmed');
    const left = (await store.findSubscriber(product, 'left@example.com'))!;
    await store.setSubscriberStatus(left.id, ['confirmed'], 'unsubscribed');
    const web = (email: string, over: Partial<SubscriberInput> = {}) =>
      input(email, { source: 'web', topics: ['api'], name: 'Web', ...over });
    for (const email of ['new@example.com', 'known@example.com', 'left@example.com'])
      await store.recordSignup(product, web(email), `nonce-${email}`);
    await store.recordSignup(product, web('new@example.com', { name: 'Again' }), 'nonce-second');

    const fresh = (await store.findSubscriber(product, 'new@example.com'))!;
    expect(fresh).toMatchObject({ status: 'pending', name: 'Web', topics: ['api'], source: 'web' });
    expect((await store.signupOf(fresh.id))!.nonce).toBe('nonce-new@example.com');
    expect((await store.findSubscriber(product, 'known@example.com'))!.status).toBe('confirmed');
    expect(await store.findSubscriber(product, 'left@example.com')).toMatchObject({
      status: 'unsubscribed',
      topics: 'all',
    });
    // One queued email each for the new and the unsubscribed address, none for the confirmed one.
    const jobs = await store.claimConfirmations(product, 10, 60_000);
    expect(jobs.map((j) => j.subscriber.email).sort()).toEqual(['left@example.com', 'new@example.com']);
    // Taken: nobody else gets them during the lease.
    expect(await store.claimConfirmations(product, 10, 60_000)).toEqual([]);
  });

  it('confirms only with the current sign-up nonce; leaving voids it, and a new sign-up brings a new one', async () => {
    const product = newProduct();
    await store.recordSignup(product, input('ada@example.com', { source: 'web' }), 'first');
    const ada = (await store.findSubscriber(product, 'ada@example.com'))!;
    expect((await store.confirmSignup(ada.id, 'forged'))!.status).toBe('pending');
    expect((await store.confirmSignup(ada.id, null))!.status).toBe('pending');
    expect((await store.confirmSignup(ada.id, 'first'))!.status).toBe('confirmed');
    // Again: harmless.
    expect((await store.confirmSignup(ada.id, 'first'))!.status).toBe('confirmed');

    await store.setSubscriberStatus(ada.id, ['confirmed'], 'unsubscribed');
    expect((await store.signupOf(ada.id))!.nonce).toBeNull();
    expect((await store.confirmSignup(ada.id, 'first'))!.status).toBe('unsubscribed');

    await store.recordSignup(
      product,
      input('ada@example.com', { source: 'web', topics: ['ui'], locale: 'de' }),
      'second',
    );
    expect((await store.findSubscriber(product, 'ada@example.com'))!.status).toBe('unsubscribed');
    expect((await store.confirmSignup(ada.id, 'first'))!.status).toBe('unsubscribed');
    // The preferences this sign-up asked for apply once it is confirmed.
    expect(await store.confirmSignup(ada.id, 'second')).toMatchObject({
      status: 'confirmed',
      topics: ['ui'],
      locale: 'de',
    });
  });

  it('keeps the confirmation queue: retries later, releases, gives up, resumes', async () => {
    const product = newProduct();
    await store.recordSignup(product, input('a@example.com', { source: 'web' }), 'n');
    const [job] = await store.claimConfirmations(product, 10, 60_000);
    expect(job!.attempts).toBe(0);
    await store.settleConfirmation(job!.subscriber.id, { retryInMs: 3_600_000 });
    expect(await store.claimConfirmations(product, 10, 60_000)).toEqual([]);
    expect(await store.resumeConfirmations(product)).toBe(1);
    const [retried] = await store.claimConfirmations(product, 10, 60_000);
    expect(retried!.attempts).toBe(1);
    await store.settleConfirmation(retried!.subscriber.id, 'released');
    const [released] = await store.claimConfirmations(product, 10, 60_000);
    expect(released!.attempts).toBe(1);
    await store.settleConfirmation(released!.subscriber.id, 'abandoned');
    expect(await store.resumeConfirmations(product)).toBe(0);
    expect(await store.claimConfirmations(product, 10, 60_000)).toEqual([]);
    // A new sign-up queues one again; a confirmed import makes it pointless.
    await store.recordSignup(product, input('a@example.com', { source: 'web' }), 'n');
    await store.upsertSubscribers(product, [input('a@example.com')], 'confirmed');
    expect(await store.claimConfirmations(product, 10, 60_000)).toEqual([]);
  });
});
