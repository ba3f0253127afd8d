import { type Insertable, type Kysely, sql } from 'kysely';
import {
  SUBSCRIBER_STATUSES,
  type Subscriber,
  type SubscriberImportResult,
  type SubscriberInput,
  type SubscriberStatus,
} from '../../model/index.js';
import type { SubscriberStorePort } from '../../ports/subscribers.js';
import { createKyselySignups } from './kysely-signups.js';
import {
  type Database,
  type DialectOps,
  inChunks,
  readStoreClock,
  type StoreTx,
  type SubscribersTable,
  subscriberLockKey,
  subscriberOf,
  topicsOf,
  topicsText,
} from './schema.js';

/**
 * Addresses per statement: each inserted row binds 10 parameters, well under SQLite's 32,766 and
 * Postgres's 65,535 per statement.
 */
const CHUNK = 500;

/**
 * The subscriber lists over Kysely. Upserts of one product serialise on the product's write lock
 * (SQLite: the one writer; Postgres: an advisory lock) and still insert with ON CONFLICT, so two
 * processes importing the same address never fail; status changes are single conditional UPDATEs.
 */
export function createKyselySubscribers(db: Kysely<Database>, ops: DialectOps): SubscriberStorePort {
  const clockOf = (trx: StoreTx) => readStoreClock(trx, ops);
  const postgres = ops.dialect === 'postgres';

  return {
    ...createKyselySignups(db, ops),

    async upsertSubscribers(product, inputs, status) {
      // The last row for an address wins (a later line of a file corrects an earlier one).
      const latest = new Map<string, SubscriberInput>();
      for (const input of inputs) latest.set(input.email, input);
      const result: SubscriberImportResult = { created: 0, updated: 0, unchanged: 0, kept: [] };
      if (latest.size === 0) return result;
      return ops.writeTransaction(db, subscriberLockKey(product), async (trx) => {
        const now = await clockOf(trx);
        await inChunks([...latest.values()], CHUNK, (chunk) =>
          upsertChunk(trx, { product, chunk, status, now, postgres, result }),
        );
        return result;
      });
    },

    async findSubscriber(product, email) {
      const row = await db
        .selectFrom('subscribers')
        .selectAll()
        .where('product', '=', product)
        .where('email', '=', email)
        .executeTakeFirst();
      return row ? subscriberOf(row) : null;
    },

    async getSubscriber(id) {
      const row = await db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? subscriberOf(row) : null;
    },

    setSubscriberStatus: (id, from, to) => ops.transaction(db, (trx) => setStatus(trx, ops, id, from, to)),

    async removeSubscriber(product, email) {
      return ops.transaction(db, async (trx) => {
        const result = await trx
          .deleteFrom('subscribers')
          .where('product', '=', product)
          .where('email', '=', email)
          .executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },

    async listSubscribers(product, { statuses, afterId, limit }) {
      if (statuses?.length === 0 || !(limit > 0)) return [];
      let query = db.selectFrom('subscribers').selectAll().where('product', '=', product);
      if (statuses) query = query.where('status', 'in', statuses);
      if (afterId !== undefined) query = query.where('id', '>', afterId);
      const rows = await query.orderBy('id').limit(Math.floor(limit)).execute();
      return rows.map(subscriberOf);
    },

    async countSubscribers(product) {
      const rows = await db
        .selectFrom('subscribers')
        .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
        .where('product', '=', product)
        .groupBy('status')
        .execute();
      const counts = Object.fromEntries(SUBSCRIBER_STATUSES.map((s) => [s, 0])) as Record<
        SubscriberStatus,
        number
      >;
      for (const row of rows) counts[row.status] = Number(row.count);
      return counts;
    },
  };
}

/**
 * One chunk of an import: unsubscribed and bounced rows are kept as they are, unchanged rows
 * counted, the rest inserted or updated in one statement. Counts go into `result`.
 */
async function upsertChunk(
  trx: StoreTx,
  {
    product,
    chunk,
    status,
    now,
    postgres,
    result,
  }: {
    product: string;
    chunk: SubscriberInput[];
    status: SubscriberStatus;
    now: number;
    postgres: boolean;
    result: SubscriberImportResult;
  },
): Promise<void> {
  let read = trx
    .selectFrom('subscribers')
    .selectAll()
    .where('product', '=', product)
    .where(
      'email',
      'in',
      chunk.map((input) => input.email),
    );
  // Holds the rows against a concurrent status change until the import commits.
  if (postgres) read = read.forUpdate();
  const existing = new Map((await read.execute()).map((row) => [row.email, row]));
  const writes: Insertable<SubscribersTable>[] = [];
  for (const input of chunk) {
    const row = existing.get(input.email);
    const topics = topicsText(input.topics);
    if (row?.status === 'unsubscribed' || row?.status === 'bounced') {
      result.kept.push({ email: input.email, status: row.status });
      continue;
    }
    if (row) {
      const same =
        row.name === input.name &&
        row.locale === input.locale &&
        topicsText(topicsOf(row.topics)) === topics &&
        (row.status === 'confirmed' || row.status === status);
      if (same) {
        result.unchanged += 1;
        continue;
      }
      result.updated += 1;
    } else {
      result.created += 1;
    }
    writes.push({
      product,
      email: input.email,
      name: input.name,
      locale: input.locale,
      topics,
      status,
      source: input.source,
      created_at: now,
      updated_at: now,
      confirmed_at: status === 'confirmed' ? now : null,
      unsubscribed_at: null,
    });
  }
  if (writes.length === 0) return;
  // Existing rows: new name, locale and topics; the original source and creation time; a
  // confirmed import confirms a pending row, a pending one never unconfirms. The WHERE
  // repeats the rule that unsubscribed and bounced rows are never touched.
  await trx
    .insertInto('subscribers')
    .values(writes)
    .onConflict((oc) =>
      oc
        .columns(['product', 'email'])
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          locale: eb.ref('excluded.locale'),
          topics: eb.ref('excluded.topics'),
          status: sql<SubscriberStatus>`CASE WHEN subscribers.status = 'confirmed' THEN 'confirmed' ELSE excluded.status END`,
          confirmed_at: sql<
            number | null
          >`CASE WHEN subscribers.status = 'pending' AND excluded.status = 'confirmed' THEN excluded.confirmed_at ELSE subscribers.confirmed_at END`,
          updated_at: eb.ref('excluded.updated_at'),
          // A confirmed import makes a queued confirmation email pointless.
          confirm_due_at: sql<
            number | null
          >`CASE WHEN excluded.status = 'confirmed' THEN NULL ELSE subscribers.confirm_due_at END`,
        }))
        .where('subscribers.status', 'in', ['pending', 'confirmed']),
    )
    .execute();
}

/** A status change from one of `from` to `to`; the row after (unchanged when it was in none). */
async function setStatus(
  trx: StoreTx,
  ops: DialectOps,
  id: number,
  from: SubscriberStatus[],
  to: SubscriberStatus,
): Promise<Subscriber | null> {
  // Only a real transition writes (and stamps its time): repeating a call changes nothing.
  const allowed = from.filter((s) => s !== to);
  const updated =
    allowed.length === 0
      ? undefined
      : await trx
          .updateTable('subscribers')
          .set({
            status: to,
            updated_at: ops.now,
            ...(to === 'confirmed' ? { confirmed_at: ops.now, confirm_due_at: null } : {}),
            ...(to === 'unsubscribed' ? { unsubscribed_at: ops.now } : {}),
            // Leaving forgets the sign-up: its confirmation links stop working, its email is not sent.
            ...(to === 'unsubscribed' || to === 'bounced'
              ? { signup_nonce: null, signup_request: null, confirm_due_at: null }
              : {}),
          })
          .where('id', '=', id)
          .where('status', 'in', allowed)
          .returningAll()
          .executeTakeFirst();
  if (updated) return subscriberOf(updated);
  const row = await trx.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? subscriberOf(row) : null;
}
