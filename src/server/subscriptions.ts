import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerText, normaliseEmail } from '../core/email-address.js';
import { escapeHtml } from '../core/html-text.js';
import { isDeliveryFailure } from '../errors/delivery-failure.js';
import type { Subscriber } from '../model/index.js';
import type { EmailAddress, MailerPort, SubscriberStorePort, TokenSigner } from '../ports/index.js';

export interface SubscriptionSettings {
  store: SubscriberStorePort;
  tokens: TokenSigner;
  mailer: MailerPort;
  product: string;
  /** Where `herald serve` is reachable from mail clients, ending in "/". */
  publicUrl: string;
  from: EmailAddress;
  replyTo: EmailAddress | null;
  /** Components a subscriber may pick (from the notes' scope mapping); empty: every change only. */
  topics: string[];
  /** Clock for tests. */
  now?: () => number;
}

const MAX_BODY = 16 * 1024;
/** A pending address gets at most one confirmation email per this long. */
const RESEND_AFTER_MS = 10 * 60_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The subscription endpoints of `herald serve`:
 * - `GET /subscribe` a form; `POST /subscribe` (form or JSON) adds a pending address and sends a
 *   confirmation email with a signed link (double opt-in). The answer is the same whether or not
 *   the address was known, so the form cannot be used to find out who subscribes.
 * - `GET /confirm?token=` confirms a pending address.
 * - `GET /unsubscribe?token=` shows a button and changes nothing (link scanners follow GETs);
 *   `POST /unsubscribe?token=` (RFC 8058 one-click, or the button) unsubscribes at once, idempotently.
 * Tokens are HMAC-signed per subscriber and purpose; nothing here needs a cookie or a login.
 */
export function createSubscriptionHandler(settings: SubscriptionSettings) {
  const now = settings.now ?? Date.now;
  const link = (path: string, token: string) =>
    `${settings.publicUrl}${path}?token=${encodeURIComponent(token)}`;
  const title = `${settings.product} release notes`;

  const page = (res: ServerResponse, status: number, heading: string, body: string) => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Tokens are in the URL: never send it elsewhere.
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    });
    res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(heading)} · ${escapeHtml(title)}</title>
<style>:root{color-scheme:light dark}body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}
input,button{font:inherit;padding:.4rem .6rem}label{display:block;margin:.6rem 0}button{cursor:pointer}.muted{opacity:.75}</style></head>
<body><h1>${escapeHtml(heading)}</h1>
${body}
</body></html>
`);
  };

  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
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
  };

  const subscriberOf = async (
    purpose: 'confirm' | 'unsubscribe',
    token: string | null,
  ): Promise<Subscriber> => {
    const id = token ? settings.tokens.verify(purpose, token) : null;
    const subscriber = id === null ? null : await settings.store.getSubscriber(id);
    if (!subscriber || subscriber.product !== settings.product)
      throw new HttpError(
        400,
        purpose === 'confirm'
          ? 'This confirmation link is not valid (it may have expired): subscribe again to get a new one.'
          : 'This unsubscribe link is not valid. Use the link in the latest email, or reply to it.',
      );
    return subscriber;
  };

  const sendConfirmation = async (subscriber: Subscriber) => {
    const url = link('confirm', settings.tokens.sign('confirm', subscriber.id));
    const domain = settings.from.address.split('@')[1] ?? 'localhost';
    await settings.mailer.send({
      messageId: `<confirm.${subscriber.id}.${now()}@${domain}>`,
      from: settings.from,
      to: { address: subscriber.email, name: subscriber.name },
      replyTo: settings.replyTo,
      subject: headerText(`Confirm your subscription to ${title}`),
      text: `Someone, hopefully you, asked to get the ${title} by email at ${subscriber.email}.\n\nConfirm here: ${url}\n\nIf it was not you, ignore this email: nothing will be sent.\n`,
      html: `<p>Someone, hopefully you, asked to get the ${escapeHtml(title)} by email at ${escapeHtml(subscriber.email)}.</p>
<p><a href="${escapeHtml(url)}">Confirm the subscription</a></p>
<p style="opacity:.75">If it was not you, ignore this email: nothing will be sent.</p>`,
      unsubscribe: null,
      listId: null,
    });
  };

  const form = (message = '') => `${message}
<form method="post" action="subscribe">
<label>Email <input type="email" name="email" required maxlength="254" autocomplete="email"></label>
<label>Name (optional) <input name="name" maxlength="100" autocomplete="name"></label>
${
  settings.topics.length > 0
    ? `<fieldset><legend>Send me changes to (none ticked: everything)</legend>${settings.topics
        .map(
          (t) =>
            `<label><input type="checkbox" name="topics" value="${escapeHtml(t)}"> ${escapeHtml(t)}</label>`,
        )
        .join('')}</fieldset>`
    : ''
}
<button type="submit">Subscribe</button>
</form>`;

  const subscribe = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const email = typeof body.email === 'string' ? normaliseEmail(body.email) : null;
    if (!email) {
      page(res, 400, 'Subscribe', form('<p><strong>Please enter one valid email address.</strong></p>'));
      return;
    }
    const picked = (Array.isArray(body.topics) ? body.topics : body.topics ? [body.topics] : []).map(String);
    const topics = settings.topics.filter((t) => picked.includes(t));
    const name = typeof body.name === 'string' && body.name.trim() ? headerText(body.name, 100) : null;
    const locale =
      typeof body.locale === 'string' && /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i.test(body.locale)
        ? body.locale.toLowerCase()
        : null;
    const existing = await settings.store.findSubscriber(settings.product, email);
    let subscriber = existing;
    if (!existing) {
      await settings.store.upsertSubscribers(
        settings.product,
        [{ email, name, locale, topics: topics.length > 0 ? topics : 'all', source: 'web' }],
        'pending',
      );
      subscriber = await settings.store.findSubscriber(settings.product, email);
    } else if (existing.status === 'unsubscribed' || existing.status === 'bounced') {
      // Coming back is allowed, with a fresh confirmation: the address must prove it is theirs.
      subscriber = await settings.store.setSubscriberStatus(existing.id, [existing.status], 'pending');
    }
    const due =
      subscriber?.status === 'pending' &&
      (subscriber !== existing ||
        now() - subscriber.updatedAt >= RESEND_AFTER_MS ||
        existing.status !== 'pending');
    if (subscriber && due) {
      try {
        await sendConfirmation(subscriber);
      } catch (error) {
        const reason =
          isDeliveryFailure(error) && error.kind === 'permanent' ? 'was refused' : 'could not be sent';
        throw new HttpError(503, `The confirmation email ${reason}. Please try again later.`);
      }
    }
    page(
      res,
      202,
      'Check your inbox',
      `<p>If ${escapeHtml(email)} is not subscribed yet, an email with a confirmation link is on its way. Nothing is sent until you confirm.</p>`,
    );
  };

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://herald.invalid');
    const route = `${req.method} ${url.pathname}`;
    const token = url.searchParams.get('token');
    try {
      switch (route) {
        case 'GET /healthz':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"ok":true}');
          return;
        case 'GET /':
        case 'GET /subscribe':
          page(res, 200, `Subscribe to the ${title}`, form());
          return;
        case 'POST /subscribe':
          await subscribe(req, res);
          return;
        case 'GET /confirm': {
          const subscriber = await subscriberOf('confirm', token);
          const after = await settings.store.setSubscriberStatus(subscriber.id, ['pending'], 'confirmed');
          if (after?.status !== 'confirmed')
            throw new HttpError(
              400,
              'This address is not waiting for a confirmation: subscribe again if you want the emails.',
            );
          page(
            res,
            200,
            'You are subscribed',
            `<p>${escapeHtml(after.email)} will get the ${escapeHtml(title)}.</p>`,
          );
          return;
        }
        case 'GET /unsubscribe': {
          const subscriber = await subscriberOf('unsubscribe', token);
          page(
            res,
            200,
            'Unsubscribe',
            subscriber.status === 'unsubscribed'
              ? `<p>${escapeHtml(subscriber.email)} is unsubscribed: no more emails.</p>`
              : `<p>Stop sending the ${escapeHtml(title)} to ${escapeHtml(subscriber.email)}?</p>
<form method="post" action="unsubscribe?token=${escapeHtml(encodeURIComponent(token ?? ''))}"><button type="submit">Unsubscribe</button></form>`,
          );
          return;
        }
        case 'POST /unsubscribe': {
          await readBody(req);
          const subscriber = await subscriberOf('unsubscribe', token);
          await settings.store.setSubscriberStatus(
            subscriber.id,
            ['pending', 'confirmed', 'bounced'],
            'unsubscribed',
          );
          page(
            res,
            200,
            'Unsubscribed',
            `<p>${escapeHtml(subscriber.email)} will get no more emails from us.</p>`,
          );
          return;
        }
        default:
          throw new HttpError(
            ['/', '/subscribe', '/confirm', '/unsubscribe', '/healthz'].includes(url.pathname) ? 405 : 404,
            'There is nothing here.',
          );
      }
    } catch (error) {
      if (error instanceof HttpError) {
        page(
          res,
          error.status,
          error.status === 404 ? 'Not found' : 'Sorry',
          `<p>${escapeHtml(error.message)}</p>`,
        );
        return;
      }
      throw error;
    }
  };
}
