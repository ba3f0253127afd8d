import { type Kysely, type Selectable, sql } from 'kysely';
import type { DashboardUser, UserCredentials, UserStorePort } from '../../ports/users.js';
import { type Database, type DialectOps, readStoreClock, type StoreTx } from './schema.js';

/** How stale `last_seen_at` may get before a read moves it (and the idle expiry) on. */
const TOUCH_MS = 60_000;

/** Addresses remembered per user: enough for home, office and phone. */
const KNOWN_CLIENTS = 5;

function userOf(
  row: Pick<Selectable<Database['users']>, 'name' | 'role' | 'created_at' | 'updated_at'>,
): DashboardUser {
  return {
    name: row.name,
    role: row.role,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function clientsOf(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}

function dataOf(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * The store's clock, and its write transaction: on SQLite that waits for the lock without
 * stalling the event loop, where a bare statement would sleep in SQLite's busy handler.
 */
function storeAccess(db: Kysely<Database>, ops: DialectOps) {
  return {
    clock: () => readStoreClock(db, ops),
    write: <T>(work: (trx: StoreTx) => Promise<T>) => ops.transaction(db, work),
  };
}

/** The users themselves: added, removed, listed, found, reset. */
function kyselyAccounts(
  db: Kysely<Database>,
  ops: DialectOps,
): Pick<UserStorePort, 'addUser' | 'removeUser' | 'listUsers' | 'findUser' | 'resetUser'> {
  const { clock, write } = storeAccess(db, ops);
  return {
    async addUser(name, role, passwordHash) {
      const now = await clock();
      const added = await write((trx) =>
        trx
          .insertInto('users')
          .values({ name, role, password_hash: passwordHash, created_at: now, updated_at: now })
          .onConflict((oc) => oc.column('name').doNothing())
          .executeTakeFirst(),
      );
      return Number(added.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async removeUser(name) {
      return ops.transaction(db, async (trx) => {
        await trx.deleteFrom('sessions').where('user_name', '=', name).execute();
        await trx.deleteFrom('login_attempts').where('name', '=', name).execute();
        const removed = await trx.deleteFrom('users').where('name', '=', name).executeTakeFirst();
        return Number(removed.numDeletedRows) > 0;
      });
    },

    async listUsers() {
      return (await db.selectFrom('users').selectAll().orderBy('name').execute()).map(userOf);
    },

    async findUser(name) {
      const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      if (!row) return null;
      const user: UserCredentials = {
        ...userOf(row),
        passwordHash: row.password_hash,
        knownClients: clientsOf(row.known_clients),
      };
      return user;
    },

    async resetUser(name, passwordHash, role) {
      return ops.transaction(db, async (trx) => {
        const now = await readStoreClock(trx, ops);
        const updated = await trx
          .updateTable('users')
          .set({ password_hash: passwordHash, updated_at: now, ...(role ? { role } : {}) })
          .where('name', '=', name)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return false;
        // A reset is how a leaked password is dealt with: whoever holds a session is out.
        await trx.deleteFrom('sessions').where('user_name', '=', name).execute();
        await trx.deleteFrom('login_attempts').where('name', '=', name).execute();
        return true;
      });
    },
  };
}

/** Sessions, with their sliding idle expiry capped by an absolute one. */
function kyselySessions(
  db: Kysely<Database>,
  ops: DialectOps,
): Pick<UserStorePort, 'readSession' | 'writeSession' | 'deleteSession' | 'pruneSessions'> {
  const { clock, write } = storeAccess(db, ops);
  return {
    async readSession(idHash, lifetime) {
      // A read per request; the sliding expiry is written at most once a minute per session, so
      // pages do not queue for the store's write lock behind an announce run.
      const row = await db
        .selectFrom('sessions')
        .select(['user_name', 'data', sql<number>`${ops.now} - last_seen_at`.as('unseen')])
        .where('id_hash', '=', idHash)
        .where('expires_at', '>', ops.now)
        .where(sql<number>`created_at + ${lifetime.absoluteMs}`, '>', ops.now)
        .executeTakeFirst();
      if (!row) return null;
      if (Number(row.unseen) >= TOUCH_MS)
        await write((trx) =>
          trx
            .updateTable('sessions')
            .set({
              last_seen_at: ops.now,
              expires_at: sql<number>`CASE WHEN created_at + ${lifetime.absoluteMs} < ${ops.now} + ${lifetime.idleMs} THEN created_at + ${lifetime.absoluteMs} ELSE ${ops.now} + ${lifetime.idleMs} END`,
            })
            .where('id_hash', '=', idHash)
            .execute(),
        );
      return { userName: row.user_name, data: dataOf(row.data) };
    },

    async writeSession(idHash, session, lifetime) {
      const now = await clock();
      const values = {
        id_hash: idHash,
        user_name: session.userName,
        data: JSON.stringify(session.data),
        created_at: now,
        last_seen_at: now,
        expires_at: now + Math.min(lifetime.idleMs, lifetime.absoluteMs),
      };
      await write((trx) =>
        trx
          .insertInto('sessions')
          .values(values)
          .onConflict((oc) =>
            oc.column('id_hash').doUpdateSet({
              user_name: values.user_name,
              data: values.data,
              last_seen_at: now,
              expires_at: sql<number>`CASE WHEN sessions.created_at + ${lifetime.absoluteMs} < ${now + lifetime.idleMs} THEN sessions.created_at + ${lifetime.absoluteMs} ELSE ${now + lifetime.idleMs} END`,
            }),
          )
          .execute(),
      );
    },

    async deleteSession(idHash) {
      await write((trx) => trx.deleteFrom('sessions').where('id_hash', '=', idHash).execute());
    },

    async pruneSessions() {
      const deleted = await write(async (trx) => {
        // Failure counts a day old belong to windows long ended (a window is minutes).
        await trx
          .deleteFrom('login_attempts')
          .where('window_start', '<', sql<number>`${ops.now} - ${86_400_000}`)
          .execute();
        return trx.deleteFrom('sessions').where('expires_at', '<=', ops.now).executeTakeFirst();
      });
      return Number(deleted.numDeletedRows);
    },
  };
}

/** Sign-in failure counters per name, the clients a user signed in from, shared secrets. */
function kyselySignIns(
  db: Kysely<Database>,
  ops: DialectOps,
): Pick<UserStorePort, 'loginWait' | 'recordLoginFailure' | 'recordLoginSuccess' | 'sharedSecret'> {
  const { clock, write } = storeAccess(db, ops);
  return {
    async loginWait(name, max, windowMs) {
      const row = await db
        .selectFrom('login_attempts')
        .select(['failures', 'window_start', sql<number>`${ops.now}`.as('now')])
        .where('name', '=', name)
        .executeTakeFirst();
      if (!row) return 0;
      const ends = Number(row.window_start) + windowMs;
      const now = Number(row.now);
      return Number(row.failures) >= max && ends > now ? ends - now : 0;
    },

    async recordLoginFailure(name, windowMs) {
      const now = await clock();
      // A window that has ended starts again at 1; one inside it counts up.
      await write((trx) =>
        trx
          .insertInto('login_attempts')
          .values({ name, failures: 1, window_start: now })
          .onConflict((oc) =>
            oc.column('name').doUpdateSet({
              failures: sql<number>`CASE WHEN login_attempts.window_start + ${windowMs} <= ${now} THEN 1 ELSE login_attempts.failures + 1 END`,
              window_start: sql<number>`CASE WHEN login_attempts.window_start + ${windowMs} <= ${now} THEN ${now} ELSE login_attempts.window_start END`,
            }),
          )
          .execute(),
      );
    },

    async recordLoginSuccess(name, client) {
      await ops.transaction(db, async (trx) => {
        await trx.deleteFrom('login_attempts').where('name', '=', name).execute();
        const row = await trx
          .selectFrom('users')
          .select('known_clients')
          .where('name', '=', name)
          .executeTakeFirst();
        if (!row) return;
        const known = [client, ...clientsOf(row.known_clients).filter((c) => c !== client)];
        await trx
          .updateTable('users')
          .set({ known_clients: JSON.stringify(known.slice(0, KNOWN_CLIENTS)) })
          .where('name', '=', name)
          .execute();
      });
    },

    async sharedSecret(name, make) {
      const value = make();
      await write(async (trx) =>
        trx
          .insertInto('server_secrets')
          .values({ name, value, created_at: await readStoreClock(trx, ops) })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute(),
      );
      const row = await db
        .selectFrom('server_secrets')
        .select('value')
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      return row.value;
    },
  };
}

/** Dashboard users, sessions and sign-in counters over Kysely (see `UserStorePort`). */
export function createKyselyUsers(db: Kysely<Database>, ops: DialectOps): UserStorePort {
  return { ...kyselyAccounts(db, ops), ...kyselySessions(db, ops), ...kyselySignIns(db, ops) };
}
