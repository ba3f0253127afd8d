import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import session from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StorePort } from '../../ports/index.js';
import type { Viewer } from '../viewer.js';
import { LOGIN_CSS, loginPage } from './login-page.js';
import { verifyPassword } from './passwords.js';
import { createSessionStore } from './session-store.js';

/** Limits on sign-in attempts (the config's `server.login`). */
export interface LoginLimits {
  /** Attempts one client address (an IPv6 /64) may make per hour, counted in each process. */
  perClientPerHour: number;
  /** Failed attempts per account name within `accountWindowMinutes`, counted in the store. */
  failuresPerAccount: number;
  accountWindowMinutes: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perClientPerHour: 30,
  failuresPerAccount: 10,
  accountWindowMinutes: 15,
};

export interface AuthSettings {
  store: StorePort;
  product: string;
  /** Signs the session cookie; shared by every process that serves the same store. */
  sessionSecret: string;
  login: LoginLimits;
  /** A header naming the user, believed only on requests whose peer `isProxy` accepts. */
  trustedIdentityHeader: string | null;
  isProxy(peer: string | undefined): boolean;
  /** The client's address, for the per-client limit. */
  clientOf(request: FastifyRequest): string;
}

export const SESSION_COOKIE = 'herald_session';

/** Where to go after signing in: a path on this site only (never `//evil.example`). */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000) return '/';
  return /^\/(?![/\\])[^\s\\]*$/.test(value) ? value : '/';
}

const retryAfter = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

/** Cookies, sessions in the store, CSRF and the rate limiter, registered on the server itself. */
async function registerSessionPlugins(fastify: FastifyInstance, settings: AuthSettings): Promise<void> {
  await fastify.register(cookie);
  await fastify.register(session, {
    secret: settings.sessionSecret,
    cookieName: SESSION_COOKIE,
    store: createSessionStore(settings.store),
    // Nothing is stored for a visitor until something is put in the session (a form's CSRF
    // secret), and a session is written when it changes, not on every request.
    saveUninitialized: false,
    rolling: false,
    // No Max-Age: the cookie ends with the browser; the store ends the session sooner.
    cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure: false },
  });
  await fastify.register(csrf, { sessionPlugin: '@fastify/session' });
  await fastify.register(rateLimit, { global: false });
  fastify.decorateRequest('viewer', null);
}

/** `request.viewer` on every request: the trusted proxy's header, else the session's user. */
function attachViewer(fastify: FastifyInstance, settings: AuthSettings): void {
  const { store } = settings;
  const viewerNamed = async (name: string): Promise<Viewer | null> => {
    const user = await store.findUser(name);
    return user ? { name: user.name, role: user.role } : null;
  };
  const header = settings.trustedIdentityHeader?.toLowerCase() ?? null;

  fastify.addHook('onRequest', async (request) => {
    // Secure when the request came over https (directly, or per X-Forwarded-Proto from a
    // trusted proxy): the cookie is then never sent over plain http.
    if (request.protocol === 'https') request.session.options({ secure: true });
    const named =
      header && settings.isProxy(request.socket.remoteAddress) ? request.headers[header] : undefined;
    if (typeof named === 'string' && named !== '') {
      // The proxy vouches for the name; it must still be a user here, with their role.
      request.viewer = await viewerNamed(named);
      return;
    }
    const user: unknown = request.session.user;
    request.viewer = typeof user === 'string' ? await viewerNamed(user) : null;
  });
}

/** The sign-in page, sign-in (limited per client and per account name) and sign-out. */
function registerSignIn(fastify: FastifyInstance, settings: AuthSettings): void {
  const { store, login } = settings;
  const perClient = (max: number, what: string) => ({
    max,
    timeWindow: 3_600_000,
    keyGenerator: settings.clientOf,
    errorResponseBuilder: (_request: FastifyRequest, context: { after: string }) =>
      Object.assign(new Error(`Too many ${what} from your network: try again in ${context.after}.`), {
        statusCode: 429,
      }),
  });

  const showLogin = (reply: FastifyReply, next: string, status = 200, message?: string, username?: string) =>
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(loginPage({ product: settings.product, csrf: reply.generateCsrf(), next, message, username }));

  fastify.get('/login.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(LOGIN_CSS),
  );

  // Each sign-in page stores a visitor session (its CSRF secret): limited per client like the attempts.
  fastify.get(
    '/login',
    { config: { rateLimit: perClient(login.perClientPerHour * 4, 'sign-in pages') } },
    async (request, reply) => {
      const next = safeNext((request.query as Record<string, unknown>).next);
      if (request.viewer) return reply.redirect(next, 303);
      return showLogin(reply, next);
    },
  );

  fastify.post(
    '/login',
    {
      bodyLimit: 8 * 1024,
      config: {
        rateLimit: perClient(login.perClientPerHour, 'sign-in attempts'),
      },
      preHandler: fastify.csrfProtection,
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const next = safeNext(body.next);
      const username = typeof body.username === 'string' ? body.username.trim().slice(0, 64) : '';
      const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
      const client = settings.clientOf(request);
      const windowMs = login.accountWindowMinutes * 60_000;
      const user = username ? await store.findUser(username) : null;
      // Too many failures for this name: refused without looking at the password, except from
      // an address this user signed in from before, so nobody can lock the real user out.
      const wait = username ? await store.loginWait(username, login.failuresPerAccount, windowMs) : 0;
      if (wait > 0 && !user?.knownClients.includes(client)) {
        reply.header('retry-after', retryAfter(wait));
        return showLogin(
          reply,
          next,
          429,
          `Too many failed sign-ins for this name: try again in ${Math.ceil(wait / 60_000)} minute(s).`,
          username,
        );
      }
      if (!(await verifyPassword(password, user?.passwordHash ?? null)) || !user) {
        if (username) await store.recordLoginFailure(username, windowMs);
        return showLogin(reply, next, 401, 'The user name or the password is wrong.', username);
      }
      await store.recordLoginSuccess(user.name, client);
      // A new session id at sign-in: an id planted before (session fixation) signs nobody in.
      await request.session.regenerate();
      request.session.set('user', user.name);
      return reply.redirect(next, 303);
    },
  );

  fastify.post('/logout', { preHandler: fastify.csrfProtection }, async (request, reply) => {
    await request.session.destroy();
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/login', 303);
  });
}

/**
 * Sessions, CSRF, sign-in and sign-out, and `request.viewer` on every request. Registered on the
 * server itself (not encapsulated), so the dashboard's pages see the same session, viewer and
 * `csrfProtection`.
 */
export async function installAuth(fastify: FastifyInstance, settings: AuthSettings): Promise<void> {
  await registerSessionPlugins(fastify, settings);
  attachViewer(fastify, settings);
  registerSignIn(fastify, settings);
}
