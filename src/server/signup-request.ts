import { cleanName, MAX_NAME, normaliseEmail } from '../core/email-address.js';
import { MAX_LOCALE, MAX_TOPIC, MAX_TOPICS, subscriberLocale } from '../core/subscriber-import.js';
import type { SubscriberInput } from '../model/index.js';

/**
 * A sign-up form or JSON body → the subscriber it asks for, or what is wrong with it (a 400).
 * Only strings (or, for topics, an array of strings) are read: an object or number where text
 * belongs is refused, never turned into text. Unknown topics are dropped (the form offers only
 * known ones); none left means every change.
 */
export function readSignup(
  body: Record<string, unknown>,
  knownTopics: readonly string[],
): { input: SubscriberInput } | { problem: string } {
  const email = typeof body.email === 'string' ? normaliseEmail(body.email) : null;
  if (!email) return { problem: 'Please enter one valid email address.' };
  const { name, locale, topics } = body;
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_NAME))
    return { problem: `The name must be text of at most ${MAX_NAME} characters.` };
  if (locale !== undefined && (typeof locale !== 'string' || (locale !== '' && !subscriberLocale(locale))))
    return {
      problem: `The locale must be a language tag of at most ${MAX_LOCALE} characters, e.g. en or pt-br.`,
    };
  const picked = topics === undefined ? [] : Array.isArray(topics) ? topics : [topics];
  if (
    picked.length > MAX_TOPICS ||
    !picked.every((t): t is string => typeof t === 'string' && t.length <= MAX_TOPIC)
  )
    return { problem: `Topics must be up to ${MAX_TOPICS} names of at most ${MAX_TOPIC} characters each.` };
  const chosen = knownTopics.filter((t) => picked.includes(t));
  return {
    input: {
      email,
      name: typeof name === 'string' ? cleanName(name) : null,
      locale: typeof locale === 'string' && locale !== '' ? subscriberLocale(locale) : null,
      topics: chosen.length > 0 ? chosen : 'all',
      source: 'web',
    },
  };
}
