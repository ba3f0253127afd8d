import type { AddressInfo } from 'node:net';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import session from '@fastify/session';
import Fastify from 'fastify';
import { type DashboardOptions, dashboardPlugin } from '../../src/server/dashboard/plugin.js';
import { DASHBOARD_ROLES, type DashboardRole } from '../../src/server/viewer.js';

/** The test-only identity cookie: `<name>:<role>`. */
export const TEST_VIEWER_COOKIE = 'test-viewer';

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The dashboard on a real Fastify server with the official plugins it runs with in `herald serve`
 * (cookies, sessions, CSRF bound to the session, form bodies, security headers with a CSP that
 * allows no inline script and no framing), and a test-only login: the `test-viewer` cookie says
 * who is looking. Anonymous requests get a stand-in login page.
 */
export async function startDashboardServer(options: DashboardOptions): Promise<DashboardServer> {
  const app = Fastify();
  await app.register(cookie);
  await app.register(session, {
    secret: 'a test-only session secret of more than 32 characters',
    cookie: { secure: false, httpOnly: true, sameSite: 'strict' },
  });
  await app.register(csrf, { sessionPlugin: '@fastify/session' });
  await app.register(formbody);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { 'script-src': ["'self'"], 'frame-ancestors': ["'none'"] },
    },
  });
  app.decorateRequest('viewer', null);
  app.addHook('onRequest', async (request) => {
    const [name, role] = (request.cookies[TEST_VIEWER_COOKIE] ?? '').split(':');
    request.viewer =
      name && DASHBOARD_ROLES.includes(role as DashboardRole) ? { name, role: role as DashboardRole } : null;
  });
  app.get('/login', async (_request, reply) =>
    reply.type('text/html').send('<!doctype html><title>Log in</title><h1>Log in</h1>'),
  );
  await app.register(dashboardPlugin, options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
