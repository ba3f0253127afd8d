import { type Kysely, sql } from 'kysely';
import type { Subscriber, SubscriberInput, SubscriberStatus } from '../../model/index.js';
import type { ConfirmationJob, SignupQuota, SignupStorePort } from '../../ports/subscribers.js';
import {
  type Database,
  type DialectOps,
  readStoreClock,
  type StoreTx,
  type SubscriberRow,
  subscriberLockKey,
  subscriberOf,
  topicsOf,
  topicsText,
} from './schema.js';

const DAY = 86_400_000;
/** Statuses a sign-up can be waiting for a confirmation in. */
const AWAITING: SubscriberStatus[] = ['pending', 'unsubscribed', 'bounced'];

function jobOf(row: SubscriberRow): ConfirmationJob {
  return { subscriber: subscriberOf(row), nonce: row.signup_nonce, attempts: Number(row.confirm_attempts) };
}

/** The preferences a sign-up asked for, as kept until it is confirmed. */
function requestText(input: SubscriberInput): string {
  return JSON.stringify({ name: input.name, locale: input.locale, topics: topicsText(input.topics) });
}

function requestOf(
  text: string | null,
): (Pick<SubscriberInput, 'name' | 'locale'> & { topics: string }) | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as { name?: unknown; locale?: unknown; topics?: unknown };
    return {
      name: typeof value.name === 'string' ? value.name : null,
      locale: typeof value.locale === 'string' ? value.locale : null,
      topics: topicsText(topicsOf(typeof value.topics === 'string' ? value.topics : '[]')),
    };
  } catch {
    return null;
  }
}

/** Sign-ups and the confirmation email queue over Kysely (see `SignupStorePort`). */
export function createKyselySignups(db: Kysely<Database>, ops: DialectOps): SignupStorePort {
  const clockOf = (trx: StoreTx) => readStoreClock(trx, ops);
  const postgres = ops.dialect === 'postgres';

  return {
    countSignup: (product, mailbox, perDay) =>
      ops.transaction(db, async (trx) => countSignup(trx, await clockOf(trx), { product, mailbox, perDay })),

    recordSignup: (product, input, nonce) =>
      ops.writeTransaction(db, subscriberLockKey(product), async (trx) =>
        recordSignup(trx, await clockOf(trx), { product, input, nonce }),
      ),

    async signupOf(id) {
      const row = await db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? jobOf(row) : null;
    },

    confirmSignup: (id, nonce) => ops.transaction(db, (trx) => confirmSignup(trx, ops, id, nonce)),

    async claimConfirmations(product, limit, leaseMs) {
      return ops.transaction(db, async (trx) => {
        const now = await clockOf(trx);
        let due = trx
          .selectFrom('subscribers')
          .select('id')
          .where('product', '=', product)
          .where('confirm_due_at', '<=', now)
          .where('status', 'in', AWAITING)
          .orderBy('confirm_due_at')
          .limit(limit);
        if (postgres) due = due.forUpdate().skipLocked();
        const ids = (await due.execute()).map((r) => r.id);
        if (ids.length === 0) return [];
        const rows = await trx
          .updateTable('subscribers')
          .set({ confirm_due_at: now + leaseMs })
          .where('id', 'in', ids)
          .returningAll()
          .execute();
        return rows.sort((a, b) => Number(a.id) - Number(b.id)).map(jobOf);
      });
    },

    async settleConfirmation(id, outcome) {
      const now = await clockOf(db);
      await db
        .updateTable('subscribers')
        .set(
          outcome === 'sent'
            ? { confirm_due_at: null, confirm_attempts: 0, confirm_sent_at: now }
            : outcome === 'released'
              ? { confirm_due_at: now }
              : outcome === 'abandoned'
                ? { confirm_due_at: null, confirm_attempts: sql<number>`confirm_attempts + 1` }
                : {
                    confirm_due_at: now + outcome.retryInMs,
                    confirm_attempts: sql<number>`confirm_attempts + 1`,
                  },
        )
        .where('id', '=', id)
        .execute();
    },

    async resumeConfirmations(product) {
      const now = await clockOf(db);
      const result = await db
        .updateTable('subscribers')
        .set({ confirm_due_at: now })
        .where('product', '=', product)
        .where('confirm_due_at', '>', now)
        .where('confirm_attempts', '>', 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

/** Counts one sign-up of a mailbox today; refused (with when to try again) over `perDay`. */
async function countSignup(
  trx: StoreTx,
  now: number,
  { product, mailbox, perDay }: { product: string; mailbox: string; perDay: number },
): Promise<SignupQuota> {
  const day = Math.floor(now / DAY);
  // Yesterday's counts are kept (a day boundary is not a reset an attacker can time twice).
  await trx
    .deleteFrom('signup_quota')
    .where('product', '=', product)
    .where('day', '<', day - 1)
    .execute();
  // One statement: a new day starts at 1, the same day counts up only while under the cap.
  const counted = await trx
    .insertInto('signup_quota')
    .values({ product, mailbox, day, count: 1, last_at: now })
    .onConflict((oc) =>
      oc
        .columns(['product', 'mailbox'])
        .doUpdateSet({
          count: sql<number>`CASE WHEN signup_quota.day = excluded.day THEN signup_quota.count + 1 ELSE 1 END`,
          day: sql<number>`excluded.day`,
          last_at: sql<number>`excluded.last_at`,
        })
        .where((eb) =>
          eb.or([
            eb('signup_quota.day', '<>', sql<number>`excluded.day`),
            eb('signup_quota.count', '<', perDay),
          ]),
        ),
    )
    .returning('count')
    .executeTakeFirst();
  return counted && perDay >= 1
    ? { accepted: true as const }
    : { accepted: false as const, retryAfterMs: (day + 1) * DAY - now };
}

/** A new address becomes pending; one awaiting confirmation keeps what it asked for until it confirms. */
async function recordSignup(
  trx: StoreTx,
  now: number,
  { product, input, nonce }: { product: string; input: SubscriberInput; nonce: string },
): Promise<void> {
  const row = await trx
    .selectFrom('subscribers')
    .selectAll()
    .where('product', '=', product)
    .where('email', '=', input.email)
    .executeTakeFirst();
  if (!row) {
    await trx
      .insertInto('subscribers')
      .values({
        product,
        email: input.email,
        name: input.name,
        locale: input.locale,
        topics: topicsText(input.topics),
        status: 'pending',
        source: input.source,
        created_at: now,
        updated_at: now,
        confirmed_at: null,
        unsubscribed_at: null,
        signup_nonce: nonce,
        signup_request: null,
        confirm_due_at: now,
        confirm_attempts: 0,
        confirm_sent_at: null,
      })
      .execute();
    return;
  }
  if (!AWAITING.includes(row.status)) return;
  await trx
    .updateTable('subscribers')
    .set({
      signup_request: requestText(input),
      signup_nonce: row.signup_nonce ?? nonce,
      // Queued (or being sent) already: one email covers both sign-ups.
      ...(row.confirm_due_at === null ? { confirm_due_at: now, confirm_attempts: 0 } : {}),
    })
    .where('id', '=', row.id)
    .execute();
}

/** The sign-up `nonce` names becomes confirmed, with the preferences it asked for. */
async function confirmSignup(
  trx: StoreTx,
  ops: DialectOps,
  id: number,
  nonce: string | null,
): Promise<Subscriber | null> {
  let read = trx.selectFrom('subscribers').selectAll().where('id', '=', id);
  if (ops.dialect === 'postgres') read = read.forUpdate();
  const row = await read.executeTakeFirst();
  if (!row) return null;
  // A link from before nonces confirms only a pending address; any other needs this sign-up's.
  const current =
    nonce === null ? row.signup_nonce === null && row.status === 'pending' : row.signup_nonce === nonce;
  if (!current || !AWAITING.includes(row.status)) return subscriberOf(row);
  const asked = requestOf(row.signup_request);
  const updated = await trx
    .updateTable('subscribers')
    .set({
      status: 'confirmed',
      confirmed_at: ops.now,
      updated_at: ops.now,
      signup_request: null,
      confirm_due_at: null,
      ...(asked ?? {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return subscriberOf(updated);
}
