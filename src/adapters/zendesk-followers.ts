import { cleanName, normaliseEmail } from '../core/email-address.js';
import { subscriberLocale } from '../core/subscriber-import.js';
import { errors } from '../errors/index.js';
import type { SubscriberInput } from '../model/index.js';
import type { FollowerSource } from '../ports/index.js';
import { createJsonClient, type JsonResult, readRecord, readString } from './http-json.js';
import { type ZendeskCredentials, zendeskAuthorization } from './zendesk-auth.js';

/** Users per users/show_many request, and subscriptions per page: Zendesk's maximum for both. */
const PAGE = 100;

/**
 * The followers of a Guide section: `GET /api/v2/help_center/sections/{id}/subscriptions`
 * (cursor pages of `{user_id, locale}`), then their addresses from the Support API's
 * `GET /api/v2/users/show_many?ids=…`. Reads only; rate limits (429 + Retry-After) are waited
 * for and transient failures retried by the JSON client. An end-user's token sees only its own
 * subscriptions, so the credentials must be an agent's or admin's.
 */
export function createZendeskFollowers(credentials: ZendeskCredentials): FollowerSource {
  const base = credentials.baseUrl.replace(/\/+$/, '');
  const client = createJsonClient({
    headers: { accept: 'application/json', authorization: zendeskAuthorization(credentials) },
  });
  const where = `Zendesk Guide at ${base}`;

  const read = async (url: string, sectionId: number, first: boolean): Promise<Record<string, unknown>> => {
    const result: JsonResult = await client.get(url);
    if (result.kind === 'ok') return readRecord(result.body) ?? {};
    throw readFailure(result, { url, sectionId, first, where });
  };

  return {
    description: where,
    async *followers(sectionId) {
      let next: string | null =
        `${base}/api/v2/help_center/sections/${sectionId}/subscriptions.json?page%5Bsize%5D=${PAGE}`;
      const seen = new Set<string>();
      while (next) {
        const page = await read(next, sectionId, seen.size === 0);
        seen.add(next);
        const subscriptions = (Array.isArray(page.subscriptions) ? page.subscriptions : [])
          .map(readRecord)
          .filter((s): s is Record<string, unknown> => s !== null && Number.isInteger(s.user_id));
        const users = await readUsers(read, base, subscriptions, sectionId);
        const { subscribers, skipped } = toSubscribers(subscriptions, users, sectionId);
        yield { subscribers, skipped };
        next = nextPage(page, base, where, seen);
      }
    },
  };
}

/** Why a read failed, for the person importing: a wrong section, refused credentials, an outage. */
function readFailure(
  result: Exclude<JsonResult, { kind: 'ok' }>,
  { url, sectionId, first, where }: { url: string; sectionId: number; first: boolean; where: string },
) {
  switch (result.kind) {
    case 'not-found':
      return first
        ? errors.followersUnreadable(
            where,
            `section ${sectionId} does not exist`,
            'Pass the id of a Guide section (the number at the end of its URL, /hc/…/sections/<id>), e.g. helpCenter.releaseNotesSectionId.',
            2,
          )
        : errors.followersUnreadable(
            where,
            `${new URL(url).pathname} answered 404 partway through`,
            'Run the import again: followers already imported are kept as they are.',
            1,
          );
    case 'auth':
      throw errors.followersUnreadable(
        where,
        `HTTP ${result.status}: the credentials were refused`,
        'Use ZENDESK_EMAIL + ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN) of an agent or admin: an end user sees only their own subscriptions.',
        2,
      );
    case 'rate-limit':
      throw errors.followersUnreadable(
        where,
        'the account rate limit was reached for longer than Herald waits',
        'Run the import again later: followers already imported are kept as they are.',
        1,
      );
    default:
      throw errors.followersUnreadable(
        where,
        result.reason,
        'Check ZENDESK_URL or ZENDESK_SUBDOMAIN and that Zendesk answers, then run the import again.',
        1,
      );
  }
}

type Read = (url: string, sectionId: number, first: boolean) => Promise<Record<string, unknown>>;

/** The users behind the subscriptions, by id, PAGE ids per users/show_many request. */
async function readUsers(
  read: Read,
  base: string,
  subscriptions: Record<string, unknown>[],
  sectionId: number,
): Promise<Map<number, Record<string, unknown>>> {
  const ids = [...new Set(subscriptions.map((s) => Number(s.user_id)))];
  const users = new Map<number, Record<string, unknown>>();
  for (let i = 0; i < ids.length; i += PAGE) {
    const found = await read(
      `${base}/api/v2/users/show_many.json?ids=${ids.slice(i, i + PAGE).join(',')}`,
      sectionId,
      false,
    );
    for (const user of Array.isArray(found.users) ? found.users : []) {
      const record = readRecord(user);
      if (record && Number.isInteger(record.id)) users.set(Number(record.id), record);
    }
  }
  return users;
}

/** Subscribers from one page of subscriptions; those without a usable address are counted as skipped. */
function toSubscribers(
  subscriptions: Record<string, unknown>[],
  users: Map<number, Record<string, unknown>>,
  sectionId: number,
): { subscribers: SubscriberInput[]; skipped: number } {
  let skipped = 0;
  const subscribers: SubscriberInput[] = [];
  for (const subscription of subscriptions) {
    const user = users.get(Number(subscription.user_id));
    const email = normaliseEmail(readString(user?.email) ?? '');
    if (!user || !email) {
      skipped++;
      continue;
    }
    subscribers.push({
      email,
      // Anyone can set their Zendesk name: escapes and bidi controls never reach a terminal.
      name: cleanName(readString(user.name) ?? ''),
      // The locale they follow the section in; the user's own as a fallback.
      locale: subscriberLocale(readString(subscription.locale) ?? readString(user.locale) ?? ''),
      topics: 'all',
      source: `zendesk:section:${sectionId}`,
    });
  }
  return { subscribers, skipped };
}

/** The next page's URL, or null; it must be on the same site (the request carries the credentials), and new. */
function nextPage(
  page: Record<string, unknown>,
  base: string,
  where: string,
  seen: Set<string>,
): string | null {
  const meta = readRecord(page.meta);
  const links = readRecord(page.links);
  const link = meta?.has_more === true ? readString(links?.next) : null;
  const next = link === null ? null : new URL(link, base).href;
  if (next && new URL(next).origin !== new URL(base).origin)
    throw errors.followersUnreadable(
      where,
      `the next page points at another site (${new URL(next).origin})`,
      'Check ZENDESK_URL: a proxy in front of Zendesk must rewrite pagination links to itself.',
      1,
    );
  if (next && seen.has(next))
    throw errors.followersUnreadable(
      where,
      'the pages go round in a circle',
      'Run the import again later: followers already imported are kept as they are.',
      1,
    );
  return next;
}
