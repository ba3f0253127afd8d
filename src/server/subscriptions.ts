import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { mailboxKey } from '../core/email-address.js';
import { escapeHtml } from '../core/html-text.js';
import type { Subscriber } from '../model/index.js';
import type {
  ConfirmationJob,
  EmailAddress,
  MailerPort,
  SubscriberStorePort,
  TokenSigner,
} from '../ports/index.js';
import { createRateLimiter } from './rate-limit.js';
import { readSignup } from './signup-request.js';
import {
  buttonForm,
  confirmationEmail,
  type PageAnswer,
  renderPage,
  signupForm,
} from './subscription-pages.js';

/** Limits on POST /subscribe (the config's `server.signups`). */
export interface SignupLimits {
  perAddressPerDay: number;
  perClientPerHour: number;
  perHour: number;
}

export interface SubscriptionSettings {
  store: SubscriberStorePort;
  tokens: TokenSigner;
  product: string;
  /** Components a subscriber may pick (from the notes' scope mapping); empty: every change only. */
  topics: string[];
  limits: SignupLimits;
  /** Who sent a request, for the per-client limit (`createClientAddress`). */
  clientOf(request: FastifyRequest): string;
  /** A sign-up was recorded: the confirmation queue should look at the store. */
  queued(): void;
  /** Clock of the in-memory limits, for tests. */
  now?: () => number;
}

const MAX_BODY = 16 * 1024;
const HOUR = 3_600_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const tooMany = (waitMs: number, message: string) =>
  new HttpError(429, message, { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) });

/**
 * A body as the routes read it: a JSON object, or form fields (repeated ones as arrays). Any
 * other type is read as form fields too: RFC 8058 one-click POSTs come as form or multipart, and
 * only the token in the URL matters to them.
 */
function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null || body === '') return {};
  if (typeof body === 'string') return formFields(body);
  if (typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new HttpError(400, 'The body is not a JSON object.');
}

function formFields(text: string): Record<string, unknown> {
  const form = new URLSearchParams(text);
  const values: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    const all = form.getAll(key);
    values[key] = all.length > 1 ? all : all[0];
  }
  return values;
}

export interface ConfirmationSenderSettings {
  tokens: TokenSigner;
  mailer: MailerPort;
  product: string;
  /** Where `herald serve` is reachable from mail clients, ending in "/". */
  publicUrl: string;
  from: EmailAddress;
  replyTo: EmailAddress | null;
}

/** Sends one queued confirmation email: a link to the confirmation page, bound to the sign-up. */
export function createConfirmationSender(s: ConfirmationSenderSettings) {
  const domain = s.from.address.split('@')[1] ?? 'localhost';
  return async (job: ConfirmationJob): Promise<void> => {
    const { subscriber } = job;
    const token = s.tokens.sign('confirm', subscriber.id, job.nonce);
    await s.mailer.send(
      confirmationEmail({
        product: s.product,
        from: s.from,
        replyTo: s.replyTo,
        to: { address: subscriber.email, name: subscriber.name },
        url: `${s.publicUrl}confirm?token=${encodeURIComponent(token)}`,
        messageId: `<confirm.${subscriber.id}.${Date.now()}.${job.attempts}@${domain}>`,
      }),
    );
  };
}

type Answers = Record<string, (request: FastifyRequest) => Promise<PageAnswer>>;

/** `GET /subscribe` (the form) and `POST /subscribe` (a sign-up, within its limits). */
function signupAnswers(settings: SubscriptionSettings, title: string): Answers {
  const { store, product, limits } = settings;
  const now = settings.now ?? Date.now;
  const perClient = createRateLimiter({ count: limits.perClientPerHour, perMs: HOUR });
  const overall = createRateLimiter({ count: limits.perHour, perMs: HOUR });

  const subscribe = async (request: FastifyRequest): Promise<PageAnswer> => {
    const read = readSignup(bodyOf(request), settings.topics);
    if ('problem' in read)
      return {
        status: 400,
        heading: 'Subscribe',
        body: signupForm(settings.topics, `<p><strong>${escapeHtml(read.problem)}</strong></p>`),
      };
    const at = now();
    const clientWait = perClient.take(settings.clientOf(request), at);
    if (clientWait > 0)
      throw tooMany(clientWait, 'Too many sign-ups from your network. Please try again later.');
    const overallWait = overall.take('*', at);
    if (overallWait > 0) throw tooMany(overallWait, 'Too many sign-ups right now. Please try again later.');
    // Counted per mailbox whatever its status, so a refusal says nothing about who subscribes.
    const quota = await store.countSignup(product, mailboxKey(read.input.email), limits.perAddressPerDay);
    if (!quota.accepted)
      throw tooMany(
        quota.retryAfterMs,
        'This address was signed up too often today. Please try again tomorrow.',
      );
    await store.recordSignup(product, read.input, randomBytes(16).toString('base64url'));
    settings.queued();
    return {
      status: 202,
      heading: 'Check your inbox',
      body: '<p>If this address is not subscribed yet, an email with a confirmation link is on its way. Nothing is sent until you confirm.</p>',
    };
  };

  return {
    'GET /subscribe': async () => ({
      status: 200,
      heading: `Subscribe to the ${title}`,
      body: signupForm(settings.topics),
    }),
    'POST /subscribe': subscribe,
  };
}

const tokenOf = (request: FastifyRequest) => {
  const token = (request.query as Record<string, unknown>).token;
  return typeof token === 'string' ? token : Array.isArray(token) ? String(token[0]) : null;
};

/** The confirm and unsubscribe links: a GET shows a button, a POST acts. */
function linkAnswers(settings: SubscriptionSettings, title: string): Answers {
  const { store, tokens, product } = settings;
  const verified = async (purpose: 'confirm' | 'unsubscribe', token: string | null) => {
    const id = token ? tokens.subjectOf(token) : null;
    const signup = id === null ? null : await store.signupOf(id);
    const binding = purpose === 'confirm' ? signup?.nonce : null;
    if (!signup || signup.subscriber.product !== product || tokens.verify(purpose, token!, binding) !== id)
      throw new HttpError(
        400,
        purpose === 'confirm'
          ? 'This confirmation link is not valid (it may have expired): subscribe again to get a new one.'
          : 'This unsubscribe link is not valid. Use the link in the latest email, or reply to it.',
      );
    return signup;
  };

  const subscribed = (s: Subscriber): PageAnswer => ({
    status: 200,
    heading: 'You are subscribed',
    body: `<p>${escapeHtml(s.email)} will get the ${escapeHtml(title)}.</p>`,
  });

  return {
    'GET /confirm': async (request) => {
      const token = tokenOf(request);
      const { subscriber } = await verified('confirm', token);
      if (subscriber.status === 'confirmed') return subscribed(subscriber);
      return {
        status: 200,
        heading: 'Confirm your subscription',
        body: `<p>Send the ${escapeHtml(title)} to ${escapeHtml(subscriber.email)}?</p>
${buttonForm('confirm', token!, 'Confirm the subscription')}`,
      };
    },
    'POST /confirm': async (request) => {
      const signup = await verified('confirm', tokenOf(request));
      const after = await store.confirmSignup(signup.subscriber.id, signup.nonce);
      if (after?.status !== 'confirmed')
        throw new HttpError(
          400,
          'This address is not waiting for a confirmation: subscribe again if you want the emails.',
        );
      return subscribed(after);
    },
    'GET /unsubscribe': async (request) => {
      const token = tokenOf(request);
      const { subscriber } = await verified('unsubscribe', token);
      return {
        status: 200,
        heading: 'Unsubscribe',
        body:
          subscriber.status === 'unsubscribed'
            ? `<p>${escapeHtml(subscriber.email)} is unsubscribed: no more emails.</p>`
            : `<p>Stop sending the ${escapeHtml(title)} to ${escapeHtml(subscriber.email)}?</p>
${buttonForm('unsubscribe', token!, 'Unsubscribe')}`,
      };
    },
    'POST /unsubscribe': async (request) => {
      const { subscriber } = await verified('unsubscribe', tokenOf(request));
      await store.setSubscriberStatus(subscriber.id, ['pending', 'confirmed', 'bounced'], 'unsubscribed');
      return {
        status: 200,
        heading: 'Unsubscribed',
        body: `<p>${escapeHtml(subscriber.email)} will get no more emails from us.</p>`,
      };
    },
  };
}

/** Each answer as its route, refusals as pages, `/healthz`, and 405 for other methods. */
function registerAnswers(fastify: FastifyInstance, answers: Answers, title: string): void {
  const send = (reply: FastifyReply, answer: PageAnswer) => {
    const page = renderPage(answer, title);
    return reply.code(page.status).headers(page.headers).send(page.html);
  };

  // Expected refusals (and the framework's: a body too large, unreadable JSON) are pages.
  fastify.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error instanceof HttpError ? error.status : (error.statusCode ?? 500);
    if (status >= 500) throw error;
    const message =
      error instanceof HttpError
        ? error.message
        : status === 413
          ? 'The request is too large.'
          : 'The body is not a JSON object.';
    return send(reply.headers(error instanceof HttpError ? error.headers : {}), {
      status,
      heading: 'Sorry',
      body: `<p>${escapeHtml(message)}</p>`,
    });
  });

  for (const [route, answer] of Object.entries(answers)) {
    const [method, url] = route.split(' ') as ['GET' | 'POST', string];
    fastify.route({
      method,
      url,
      bodyLimit: MAX_BODY,
      handler: async (request, reply) => send(reply, await answer(request)),
    });
  }
  fastify.get('/healthz', async (_request, reply) => reply.type('application/json').send('{"ok":true}'));
  // These paths exist: another method is refused as such, not as "not found".
  for (const url of ['/subscribe', '/confirm', '/unsubscribe', '/healthz'])
    fastify.route({
      method: ['PUT', 'DELETE', 'PATCH'],
      url,
      handler: async (_request, reply) =>
        send(reply, { status: 405, heading: 'Sorry', body: '<p>There is nothing here.</p>' }),
    });
}

/**
 * The subscription endpoints of `herald serve`, a Fastify plugin:
 * - `GET /subscribe` a form; `POST /subscribe` (form or JSON) records the sign-up and queues a
 *   confirmation email (double opt-in). Every accepted sign-up gets the same 202 and body at
 *   once, whether the address is new, pending, confirmed or unsubscribed, and whether or not
 *   mail can be sent: nothing tells who subscribes. Limits per mailbox and day (in the store),
 *   per client and overall (in memory) answer 429 with Retry-After.
 * - `GET /confirm?token=` shows a button; `POST /confirm?token=` confirms. The token is bound to
 *   the sign-up: after leaving, an old link confirms nothing.
 * - `GET /unsubscribe?token=` shows a button and changes nothing (link scanners follow GETs);
 *   `POST /unsubscribe?token=` (RFC 8058 one-click, or the button) unsubscribes at once, idempotently.
 * Tokens are HMAC-signed per subscriber and purpose; nothing here needs a cookie or a login.
 */
export const subscriptionRoutes: FastifyPluginAsync<SubscriptionSettings> = async (fastify, settings) => {
  const title = `${settings.product} release notes`;
  // Forms are parsed by @fastify/formbody (registered by the server), JSON by Fastify; other
  // types are read as text (see bodyOf). Each route takes at most MAX_BODY.
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY }, (_request, body, done) =>
    done(null, body),
  );
  registerAnswers(fastify, { ...signupAnswers(settings, title), ...linkAnswers(settings, title) }, title);
};
