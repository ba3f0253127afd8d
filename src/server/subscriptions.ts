import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  clientOf(req: IncomingMessage): string;
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

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'The request is too large.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  if (type === 'application/json') {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Falls through to the error below.
    }
    throw new HttpError(400, 'The body is not a JSON object.');
  }
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

/**
 * The subscription endpoints of `herald serve`:
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
export function createSubscriptionHandler(settings: SubscriptionSettings) {
  const { store, tokens, product, limits } = settings;
  const now = settings.now ?? Date.now;
  const title = `${product} release notes`;
  const perClient = createRateLimiter({ count: limits.perClientPerHour, perMs: HOUR });
  const overall = createRateLimiter({ count: limits.perHour, perMs: HOUR });

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

  const subscribe = async (req: IncomingMessage): Promise<PageAnswer> => {
    const read = readSignup(await readBody(req), settings.topics);
    if ('problem' in read)
      return {
        status: 400,
        heading: 'Subscribe',
        body: signupForm(settings.topics, `<p><strong>${escapeHtml(read.problem)}</strong></p>`),
      };
    const at = now();
    const clientWait = perClient.take(settings.clientOf(req), at);
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

  const route = async (req: IncomingMessage, url: URL): Promise<PageAnswer> => {
    const token = url.searchParams.get('token');
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /':
      case 'GET /subscribe':
        return { status: 200, heading: `Subscribe to the ${title}`, body: signupForm(settings.topics) };
      case 'POST /subscribe':
        return subscribe(req);
      case 'GET /confirm': {
        const { subscriber } = await verified('confirm', token);
        if (subscriber.status === 'confirmed') return subscribed(subscriber);
        return {
          status: 200,
          heading: 'Confirm your subscription',
          body: `<p>Send the ${escapeHtml(title)} to ${escapeHtml(subscriber.email)}?</p>
${buttonForm('confirm', token!, 'Confirm the subscription')}`,
        };
      }
      case 'POST /confirm': {
        await readBody(req);
        const signup = await verified('confirm', token);
        const after = await store.confirmSignup(signup.subscriber.id, signup.nonce);
        if (after?.status !== 'confirmed')
          throw new HttpError(
            400,
            'This address is not waiting for a confirmation: subscribe again if you want the emails.',
          );
        return subscribed(after);
      }
      case 'GET /unsubscribe': {
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
      }
      case 'POST /unsubscribe': {
        await readBody(req);
        const { subscriber } = await verified('unsubscribe', token);
        await store.setSubscriberStatus(subscriber.id, ['pending', 'confirmed', 'bounced'], 'unsubscribed');
        return {
          status: 200,
          heading: 'Unsubscribed',
          body: `<p>${escapeHtml(subscriber.email)} will get no more emails from us.</p>`,
        };
      }
      default:
        throw new HttpError(
          ['/', '/subscribe', '/confirm', '/unsubscribe', '/healthz'].includes(url.pathname) ? 405 : 404,
          'There is nothing here.',
        );
    }
  };

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://herald.invalid');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
      return;
    }
    let answer: PageAnswer;
    try {
      answer = await route(req, url);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      answer = {
        status: error.status,
        headers: error.headers,
        heading: error.status === 404 ? 'Not found' : 'Sorry',
        body: `<p>${escapeHtml(error.message)}</p>`,
      };
    }
    const page = renderPage(answer, title);
    res.writeHead(page.status, page.headers);
    res.end(page.html);
  };
}
