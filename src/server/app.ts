import { randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import type { StorePort } from '../ports/index.js';
import { errorPage } from './auth/error-page.js';
import { DEFAULT_LOGIN_LIMITS, installAuth, type LoginLimits } from './auth/install.js';
import { createClientAddress, createProxyCheck } from './client-address.js';
import { type SubscriptionSettings, subscriptionRoutes } from './subscriptions.js';

export interface ServerOptions {
  store: StorePort;
  product: string;
  /** Addresses or CIDR ranges of the proxies in front (X-Forwarded-For/-Proto believed from them). */
  trustedProxies: readonly string[];
  /** A header an authenticating proxy sets to the signed-in user's name (SSO), or null. */
  trustedIdentityHeader?: string | null;
  login?: Partial<LoginLimits>;
  /** The public subscription endpoints; without them, only the dashboard is served. */
  subscriptions?: Omit<SubscriptionSettings, 'store' | 'product' | 'clientOf'>;
  /** Registered after the auth layer: they see `request.viewer`, sessions and CSRF (the pages). */
  // biome-ignore lint/suspicious/noExplicitAny: each plugin has options of its own type
  plugins?: Array<{ plugin: FastifyPluginAsync<any>; options?: unknown }>;
  /** Where unexpected errors are reported (never to the visitor). */
  log?(line: string): void;
}

/** The signing key of session cookies, made once and kept in the store for every process. */
const SESSION_SECRET = 'session-cookie';

/** fastify-plugin's marker: what the plugin registers belongs to the server, not to a child. */
const unencapsulated = <T extends FastifyPluginAsync>(plugin: T): T =>
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });

/**
 * `herald serve`'s HTTP server: the public subscription endpoints, the sign-in layer (sessions
 * in the store, CSRF, rate limits, security headers) and, through `plugins`, the dashboard's
 * pages. Nothing is listening yet: call `listen`, or `inject` in tests.
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { store, product } = options;
  const log = options.log ?? (() => {});
  const fastify = Fastify({
    // Fastify hands X-Forwarded-For/-Proto only from these peers to request.ip/protocol.
    trustProxy: options.trustedProxies.length > 0 ? [...options.trustedProxies] : false,
    // Slow clients must not hold connections for ever; a stop closes idle keep-alives.
    requestTimeout: 30_000,
    forceCloseConnections: true,
    logger: false,
  });
  fastify.server.headersTimeout = 10_000;
  const clientAddress = createClientAddress(options.trustedProxies);
  const clientOf = (request: FastifyRequest) =>
    clientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for']);

  fastify.register(
    unencapsulated(async (app) => {
      await app.register(formbody);
      await app.register(helmet, {
        contentSecurityPolicy: {
          useDefaults: false,
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'"],
            imgSrc: ["'self'", 'data:'],
            objectSrc: ["'none'"],
            formAction: ["'self'"],
            frameAncestors: ["'none'"],
            baseUri: ["'none'"],
          },
        },
      });
      await installAuth(app, {
        store,
        product,
        sessionSecret: await store.sharedSecret(SESSION_SECRET, () => randomBytes(32).toString('base64url')),
        login: { ...DEFAULT_LOGIN_LIMITS, ...options.login },
        trustedIdentityHeader: options.trustedIdentityHeader ?? null,
        isProxy: createProxyCheck(options.trustedProxies),
        clientOf,
      });
      app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
        const status = error.statusCode ?? 500;
        if (status >= 500) {
          log(`${request.method} ${request.url.split('?')[0]}: ${error.message}`);
          return reply
            .code(500)
            .type('text/plain; charset=utf-8')
            .send('Something went wrong on our side. Please try again later.');
        }
        const [heading, message] = error.code?.startsWith('FST_CSRF')
          ? [
              'This form has expired',
              'It was open too long, or was not sent from this site. Go back, reload the page and try again: nothing was changed.',
            ]
          : status === 429
            ? ['Too many attempts', error.message]
            : ['Sorry', status === 413 ? 'The request is too large.' : 'The request could not be read.'];
        return reply.code(status).type('text/html; charset=utf-8').send(errorPage(heading, message));
      });
      app.setNotFoundHandler((_request, reply) =>
        reply
          .code(404)
          .type('text/html; charset=utf-8')
          .send(errorPage('Not found', 'There is nothing here.')),
      );
      if (options.subscriptions)
        await app.register(subscriptionRoutes, { ...options.subscriptions, store, product, clientOf });
      for (const { plugin, options: pluginOptions } of options.plugins ?? [])
        await app.register(plugin, pluginOptions ?? {});
    }),
  );
  return fastify;
}
