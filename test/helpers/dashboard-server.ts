import type { AddressInfo } from 'node:net';
import { buildServer } from '../../src/server/app.js';
import { SESSION_COOKIE } from '../../src/server/auth/install.js';
import { hashPassword } from '../../src/server/auth/passwords.js';
import { type DashboardOptions, dashboardPlugin } from '../../src/server/dashboard/plugin.js';
import type { DashboardRole } from '../../src/server/viewer.js';

/** The password of every user the helper creates (test-only). */
const PASSWORD = 'correct horse battery staple';

/** The users of the browser tests: a manager who acts and a viewer who only looks. */
export const TEST_USERS: Record<string, DashboardRole> = { ada: 'manager', vic: 'viewer' };

export { SESSION_COOKIE };

export interface DashboardServer {
  url: string;
  /**
   * Signs `name` in through the real login form (GET /login for its CSRF token, then POST) and
   * returns the session cookie's value. The password check is scrypt: slow on purpose, so sign
   * each user in once and reuse the cookie.
   */
  signIn(name: string): Promise<string>;
  close(): Promise<void>;
}

/** name=value of each Set-Cookie, as a browser sends them back. */
const cookiesOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');

/**
 * The dashboard on the server `herald serve` runs (src/server/app.ts buildServer with the
 * dashboard plugin registered the same way): sessions in the store, CSRF, rate limits, security
 * headers, the real login form. `users` are created in the store first (if absent).
 */
export async function startDashboardServer(
  options: DashboardOptions,
  users: Record<string, DashboardRole> = TEST_USERS,
): Promise<DashboardServer> {
  const { store } = options;
  for (const [name, role] of Object.entries(users))
    if (!(await store.findUser(name))) await store.addUser(name, role, await hashPassword(PASSWORD));
  const app = buildServer({
    store,
    product: options.runtime.product,
    trustedProxies: [],
    plugins: [{ plugin: dashboardPlugin, options }],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async signIn(name) {
      const form = await fetch(`${url}/login`);
      const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
      if (!token) throw new Error('the login page has no CSRF token');
      const response = await fetch(`${url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(form) },
        body: new URLSearchParams({ _csrf: token, username: name, password: PASSWORD, next: '/releases' }),
      });
      const session = new RegExp(`(?:^|; )${SESSION_COOKIE}=([^;]+)`).exec(cookiesOf(response))?.[1];
      if (response.status !== 303 || !session)
        throw new Error(`${name} could not sign in: ${response.status}`);
      return session;
    },
    close: () => app.close(),
  };
}
