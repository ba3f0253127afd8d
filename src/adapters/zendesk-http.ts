import { DeliveryFailure, parseRetryAfter } from '../errors/delivery-failure.js';
import { createPacer } from './pacer.js';

/**
 * Every request Herald sends to Zendesk, node-zendesk's included (through its `transportFn`):
 * paced under the account's per-minute limit, held back while a Retry-After runs, timed out,
 * redirects followed only where the credentials may go, and every answer outside 2xx thrown as a
 * `ZendeskHttpError`. node-zendesk itself throws only for 400/401/403/404/405/409/422/429/500/503:
 * a 502 or 504 page from the CDN in front of Zendesk, a 402, 410 or 413 would otherwise resolve as
 * a normal result `{}`, and a write answered so would look done.
 */

/** An answer outside 2xx; `result` is the parsed JSON body when there was one. */
export class ZendeskHttpError extends Error {
  override readonly name = 'ZendeskHttpError';
  constructor(
    readonly statusCode: number,
    readonly result: unknown,
    /** A non-JSON body in one short line (a CDN's HTML page: its title), or ''. */
    readonly text: string,
  ) {
    super(`HTTP ${statusCode}${text ? `: ${text}` : ''}`);
  }
}

export interface ZendeskTransportOptions {
  /** The configured site root (ZENDESK_URL or https://<subdomain>.zendesk.com). */
  base: string;
  requestsPerMinute: number | null;
  timeoutMs: number;
  /** Origins besides https://*.zendesk.com and `base` that may receive the credentials on a redirect. */
  trustedOrigins?: string[];
}

export interface ZendeskTransport {
  send(uri: string, init: RequestInit): Promise<Response>;
  /** The Retry-After pause still running, for a failure's retry floor. */
  pausedFor(): number | null;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Where the Authorization header may follow a redirect: Zendesk's own hosts, over https. */
export function isZendeskOrigin(url: URL): boolean {
  return url.protocol === 'https:' && /^[a-z0-9][a-z0-9-]*\.zendesk\.com$/i.test(url.hostname);
}

export function createZendeskTransport(options: ZendeskTransportOptions): ZendeskTransport {
  const pacer = createPacer(options.requestsPerMinute);
  const trusted = new Set([new URL(options.base).origin, ...(options.trustedOrigins ?? [])]);
  const mayFollow = (to: URL) => trusted.has(to.origin) || isZendeskOrigin(to);

  /** One request, no redirects followed; a Retry-After seen on any answer holds every request back. */
  const once = async (uri: string, init: RequestInit) => {
    await pacer.wait();
    const response = await fetch(uri, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    if (retryAfter !== null) pacer.pause(retryAfter);
    return response;
  };

  const send = async (uri: string, init: RequestInit): Promise<Response> => {
    let url = new URL(uri);
    let response = await once(url.href, init);
    for (let hops = 0; REDIRECTS.has(response.status); hops++) {
      const location = response.headers.get('location');
      if (!location || hops >= MAX_REDIRECTS) break;
      const to = new URL(location, url);
      const method = (init.method ?? 'GET').toUpperCase();
      // fetch drops Authorization on a cross-origin redirect, so the next hop would be refused:
      // follow it ourselves, credentials included, but only to Zendesk (a brand's account-level
      // calls such as permission groups redirect to the primary subdomain).
      if (!mayFollow(to) || (method !== 'GET' && ![307, 308].includes(response.status)))
        throw redirectRefused(url, to, method);
      await response.body?.cancel();
      url = to;
      response = await once(url.href, init);
    }
    if (response.status >= 200 && response.status < 300) return response;
    const text = await response.text().catch(() => '');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {}
    throw new ZendeskHttpError(response.status, body, body === null ? describeText(text) : '');
  };

  return { send, pausedFor: () => pacer.pausedFor() };
}

/** An HTML error page (a CDN's) as one short line: its title, else its text. */
function describeText(text: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
  return (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim().slice(0, 120);
}

function redirectRefused(from: URL, to: URL, method: string): DeliveryFailure {
  const zendesk = /^([a-z0-9-]+)\.zendesk\.com$/i.exec(to.hostname)?.[1];
  return new DeliveryFailure({
    kind: 'permanent',
    message: `Zendesk redirected ${method} ${from.pathname} to ${to.origin}, where Herald does not send the credentials`,
    fix: zendesk
      ? `Set ZENDESK_SUBDOMAIN=${zendesk} (the account's primary subdomain answers these calls).`
      : `If ${to.origin} is your Zendesk, set ZENDESK_URL=${to.origin}; Herald follows redirects with credentials only to https://*.zendesk.com.`,
  });
}
