import { createHash } from 'node:crypto';
import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import type { SessionLifetime, UserStorePort } from '../../ports/users.js';

declare module 'fastify' {
  interface Session {
    /** The signed-in user's name; absent before sign-in. */
    user?: string;
  }
}

/** Signed in, a session lasts 12 hours unused and 7 days at most; then the user signs in again. */
export const SESSION_LIFETIME: SessionLifetime = { idleMs: 12 * 3_600_000, absoluteMs: 7 * 86_400_000 };
/**
 * A visitor's session (the sign-in form's CSRF secret) is written with an hour to live: a flood
 * of sign-in pages leaves rows that go soon (each one is extended only when it is used again).
 */
const VISITOR_LIFETIME: SessionLifetime = { idleMs: 3_600_000, absoluteMs: 7 * 86_400_000 };

/** The session id in the cookie is random (192 bits); the store keeps only its SHA-256. */
export const sessionIdHash = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * @fastify/session's store interface over the store's sessions table, so every `herald serve`
 * process sees every session and a restart signs nobody out. The cookie's settings are not
 * stored: they come from the server's options on each request (Secure follows the request's
 * protocol), and expiry is the table's, judged by the store's clock.
 */
export function createSessionStore(store: UserStorePort, lifetime = SESSION_LIFETIME): SessionStore {
  return {
    get(id, callback) {
      store.readSession(sessionIdHash(id), lifetime).then(
        // The cookie's settings are not stored: @fastify/session takes the server's.
        (session) => callback(null, session ? ({ ...session.data } as unknown as Session) : null),
        (error: Error) => callback(error),
      );
    },
    set(id, session, callback) {
      const data: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(session)) if (key !== 'cookie') data[key] = value;
      const userName = typeof data.user === 'string' ? data.user : null;
      store.writeSession(sessionIdHash(id), { userName, data }, userName ? lifetime : VISITOR_LIFETIME).then(
        () => callback(null),
        (error: Error) => callback(error),
      );
    },
    destroy(id, callback) {
      store.deleteSession(sessionIdHash(id)).then(
        () => callback(null),
        (error: Error) => callback(error),
      );
    },
  };
}
