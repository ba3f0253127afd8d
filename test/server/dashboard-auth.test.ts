import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import type { StorePort } from '../../src/ports/index.js';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import { requireManager, requireViewer } from '../../src/server/auth/guards.js';
import { hashPassword } from '../../src/server/auth/passwords.js';
import { sessionIdHash } from '../../src/server/auth/session-store.js';

const PASSWORD = 'correct horse battery staple';
const PROXY = '10.9.0.1';
let dir: string;
let store: StorePort;
/** What the manager-only action below did: a forged request must leave it at 0. */
let actions = 0;

/** A stand-in for the pages plugin: a page for viewers and an action for managers. */
const pages: FastifyPluginAsync = async (fastify) => {
  fastify.get('/releases', { preHandler: requireViewer }, async (request, reply) =>
    reply.type('text/html').send(`<p>Hello ${request.viewer!.name} (${request.viewer!.role})</p>`),
  );
  fastify.get('/form', { preHandler: requireViewer }, async (_request, reply) =>
    reply.send({ csrf: reply.generateCsrf() }),
  );
  fastify.post('/act', { preHandler: [requireManager, fastify.csrfProtection] }, async () => {
    actions++;
    return { ok: true };
  });
};

const servers: FastifyInstance[] = [];
async function server(extra: Partial<ServerOptions> = {}): Promise<FastifyInstance> {
  const app = buildServer({
    store,
    product: 'Acme Cloud',
    trustedProxies: [PROXY],
    plugins: [{ plugin: pages }],
    ...extra,
  });
  await app.ready();
  servers.push(app);
  return app;
}

/** The cookie header a browser would send back: name=value of each Set-Cookie. */
const cookieOf = (setCookie: string | string[] | undefined) =>
  [setCookie ?? []]
    .flat()
    .map((c) => c.split(';')[0])
    .join('; ');
const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const form = (fields: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Opens the login form, then posts it: the response, and the cookie the browser then holds. */
async function signIn(
  app: FastifyInstance,
  username: string,
  password: string,
  options: { remoteAddress?: string; next?: string } = {},
) {
  const page = await app.inject({ url: `/login?next=${encodeURIComponent(options.next ?? '/releases')}` });
  const before = cookieOf(page.headers['set-cookie']);
  const response = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { ...FORM, cookie: before },
    remoteAddress: options.remoteAddress ?? '127.0.0.1',
    payload: form({ _csrf: csrfIn(page.body), username, password, next: options.next ?? '/releases' }),
  });
  return { response, before, cookie: cookieOf(response.headers['set-cookie']) || before };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-dashboard-auth-'));
  store = await openSqliteStore(path.join(dir, 'state.db'));
  const hash = await hashPassword(PASSWORD);
  await store.addUser('ada', 'manager', hash);
  await store.addUser('vic', 'viewer', hash);
  await store.addUser('lou', 'manager', hash);
}, 60_000);

afterAll(async () => {
  for (const app of servers) await app.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard sign-in layer', () => {
  it('shows anonymous visitors only the sign-in page, with security headers and labelled fields', async () => {
    const app = await server();
    const page = await app.inject({ url: '/releases?product=x' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Freleases%3Fproduct%3Dx');
    expect((await app.inject({ method: 'POST', url: '/act' })).statusCode).toBe(303);
    const login = await app.inject({ url: '/login' });
    expect(login.statusCode).toBe(200);
    // The visitor's session (the form's CSRF secret) is stored hashed, with an hour to live.
    const id = decodeURIComponent(cookieOf(login.headers['set-cookie']).split('=')[1]!).replace(
      /\.[^.]*$/,
      '',
    );
    const db = new Sqlite(path.join(dir, 'state.db'), { readonly: true });
    const row = db
      .prepare('SELECT user_name, expires_at - created_at AS ttl FROM sessions WHERE id_hash = ?')
      .get(sessionIdHash(id)) as { user_name: string | null; ttl: number } | undefined;
    expect(db.prepare('SELECT count(*) AS n FROM sessions WHERE id_hash = ?').get(id)).toEqual({ n: 0 });
    db.close();
    expect(row).toEqual({ user_name: null, ttl: 3_600_000 });
    expect(login.body).toContain('<label for="username">');
    expect(login.body).toContain('<input id="password" name="password" type="password"');
    expect(login.body).not.toMatch(/<script|<style|style=/);
    const csp = String(login.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(login.headers['x-content-type-options']).toBe('nosniff');
    expect(actions).toBe(0);
  });

  it('signs in with a new session id and HttpOnly SameSite=Strict cookies; a wrong password does not', async () => {
    const app = await server();
    const wrong = await signIn(app, 'ada', 'not the password');
    expect(wrong.response.statusCode).toBe(401);
    expect(wrong.response.body).toContain('The user name or the password is wrong.');
    expect((await app.inject({ url: '/releases', headers: { cookie: wrong.cookie } })).statusCode).toBe(303);
    const unknown = await signIn(app, 'nobody', PASSWORD);
    expect(unknown.response.statusCode).toBe(401);
    expect(unknown.response.body).toContain('The user name or the password is wrong.');

    const { response, before, cookie } = await signIn(app, 'ada', PASSWORD);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/releases');
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    // Plain http from a browser on this machine: Secure would make the cookie unusable.
    expect(setCookie).not.toMatch(/Secure/);
    // Rotated at sign-in: the anonymous session's id does not become the signed-in one.
    expect(cookie).not.toBe(before);
    expect((await app.inject({ url: '/releases', headers: { cookie: before } })).statusCode).toBe(303);
    const page = await app.inject({ url: '/releases', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Hello ada (manager)');
    // The session is in the store: another process (another server instance) knows it.
    const other = await server();
    expect((await other.inject({ url: '/releases', headers: { cookie } })).body).toContain('Hello ada');
  });

  it('marks the cookie Secure behind a trusted TLS proxy, and only then', async () => {
    const app = await server();
    for (const [remoteAddress, secure] of [
      [PROXY, true],
      ['192.0.2.7', false],
    ] as const) {
      const page = await app.inject({
        url: '/login',
        remoteAddress,
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(/;\s*Secure/i.test(String(page.headers['set-cookie'])), remoteAddress).toBe(secure);
    }
  });

  it('lets a viewer read but not act (403), and a manager act with a valid CSRF token only', async () => {
    const app = await server();
    const viewer = (await signIn(app, 'vic', PASSWORD)).cookie;
    expect((await app.inject({ url: '/releases', headers: { cookie: viewer } })).body).toContain(
      'vic (viewer)',
    );
    const viewerToken = JSON.parse(
      (await app.inject({ url: '/form', headers: { cookie: viewer } })).body,
    ).csrf;
    const refused = await app.inject({
      method: 'POST',
      url: '/act',
      headers: { ...FORM, cookie: viewer },
      payload: form({ _csrf: viewerToken }),
    });
    expect(refused.statusCode).toBe(403);
    expect(actions).toBe(0);

    const manager = (await signIn(app, 'ada', PASSWORD)).cookie;
    const token = JSON.parse((await app.inject({ url: '/form', headers: { cookie: manager } })).body).csrf;
    const otherToken = JSON.parse(
      (await app.inject({ url: '/form', headers: { cookie: (await signIn(app, 'lou', PASSWORD)).cookie } }))
        .body,
    ).csrf;
    for (const payload of [
      {},
      { _csrf: '' },
      { _csrf: 'forged-token' },
      { _csrf: `${token}x` },
      { _csrf: otherToken },
    ]) {
      const forged = await app.inject({
        method: 'POST',
        url: '/act',
        headers: { ...FORM, cookie: manager },
        payload: form(payload),
      });
      expect(forged.statusCode, JSON.stringify(payload)).toBe(403);
      expect(forged.body).toContain('This form has expired');
    }
    expect(actions).toBe(0);
    const done = await app.inject({
      method: 'POST',
      url: '/act',
      headers: { ...FORM, cookie: manager },
      payload: form({ _csrf: token }),
    });
    expect(done.statusCode).toBe(200);
    expect(actions).toBe(1);
  });

  it('refuses a sign-in without the form CSRF token, and signs out only with one', async () => {
    const app = await server();
    const page = await app.inject({ url: '/login' });
    const cookie = cookieOf(page.headers['set-cookie']);
    const forged = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { ...FORM, cookie },
      payload: form({ username: 'ada', password: PASSWORD }),
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['set-cookie']).toBeUndefined();

    const session = (await signIn(app, 'ada', PASSWORD)).cookie;
    const noToken = await app.inject({
      method: 'POST',
      url: '/logout',
      headers: { ...FORM, cookie: session },
    });
    expect(noToken.statusCode).toBe(403);
    expect((await app.inject({ url: '/releases', headers: { cookie: session } })).statusCode).toBe(200);
    const token = JSON.parse((await app.inject({ url: '/form', headers: { cookie: session } })).body).csrf;
    const out = await app.inject({
      method: 'POST',
      url: '/logout',
      headers: { ...FORM, cookie: session },
      payload: form({ _csrf: token }),
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login');
    // The session is gone from the store: the old cookie signs nobody in.
    expect((await app.inject({ url: '/releases', headers: { cookie: session } })).statusCode).toBe(303);
  });

  it('limits sign-in attempts per address with 429 and Retry-After', async () => {
    const app = await server({ login: { perClientPerHour: 3 } });
    for (let i = 0; i < 3; i++)
      expect((await signIn(app, 'ada', 'wrong', { remoteAddress: '198.51.100.9' })).response.statusCode).toBe(
        401,
      );
    const refused = (await signIn(app, 'ada', PASSWORD, { remoteAddress: '198.51.100.9' })).response;
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signIn(app, 'ada', PASSWORD, { remoteAddress: '198.51.100.10' })).response.statusCode).toBe(
      303,
    );
  });

  it('limits failures per account, except from an address the user signed in from before', async () => {
    const app = await server({ login: { failuresPerAccount: 2, accountWindowMinutes: 10 } });
    // Lou signs in from home once: that address is remembered.
    expect((await signIn(app, 'lou', PASSWORD, { remoteAddress: '203.0.113.50' })).response.statusCode).toBe(
      303,
    );
    // An attacker spreads guesses over addresses.
    for (const address of ['192.0.2.1', '192.0.2.2'])
      expect((await signIn(app, 'lou', 'guess', { remoteAddress: address })).response.statusCode).toBe(401);
    const locked = (await signIn(app, 'lou', PASSWORD, { remoteAddress: '192.0.2.3' })).response;
    expect(locked.statusCode).toBe(429);
    const wait = Number(locked.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(600);
    // Lou, at home, is not locked out.
    expect((await signIn(app, 'lou', PASSWORD, { remoteAddress: '203.0.113.50' })).response.statusCode).toBe(
      303,
    );
  });

  it('believes the identity header only from a trusted proxy, and only for an existing user', async () => {
    const app = await server({ trustedIdentityHeader: 'X-Forwarded-User' });
    const asked = (remoteAddress: string, user: string) =>
      app.inject({ url: '/releases', remoteAddress, headers: { 'x-forwarded-user': user } });
    const trusted = await asked(PROXY, 'vic');
    expect(trusted.statusCode).toBe(200);
    expect(trusted.body).toContain('Hello vic (viewer)');
    expect((await asked('192.0.2.44', 'ada')).statusCode).toBe(303);
    expect((await asked(PROXY, 'mallory')).statusCode).toBe(303);
    // Without the option, the same header from the proxy means nothing.
    expect(
      (
        await (
          await server()
        ).inject({ url: '/releases', remoteAddress: PROXY, headers: { 'x-forwarded-user': 'vic' } })
      ).statusCode,
    ).toBe(303);
  });

  it('keeps the subscription endpoints public beside the signed-in-only pages', async () => {
    const app = await server({
      subscriptions: {
        tokens: { sign: () => '', verify: () => null, subjectOf: () => null } as never,
        topics: [],
        limits: { perAddressPerDay: 3, perClientPerHour: 10, perHour: 100 },
        queued: () => {},
      },
    });
    const form = await app.inject({ url: '/subscribe' });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('action="subscribe"');
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/releases' })).statusCode).toBe(303);
  });
});
