import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TokenPurpose, TokenSigner } from '../ports/index.js';

export interface SigningKey {
  /** Short key id carried in every token, so old keys can keep verifying after a rotation. */
  id: string;
  secret: string;
}

/** Confirmation links expire; unsubscribe links must work for as long as the email exists. */
const CONFIRM_DAYS = 7;
const DAY = 86_400_000;

/**
 * `HERALD_EMAIL_SECRET` → keys: `secret`, or `kid:secret,kid2:secret2` (the first signs, all
 * verify). Null when a key is too short to be a secret.
 */
export function parseSigningKeys(value: string): SigningKey[] | null {
  const keys = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(':');
      return colon > 0 && /^[A-Za-z0-9]{1,8}$/.test(part.slice(0, colon))
        ? { id: part.slice(0, colon), secret: part.slice(colon + 1) }
        : { id: '1', secret: part };
    });
  // Two keys with one id: only the first would ever verify, silently breaking links signed by the other.
  const unique = new Set(keys.map((k) => k.id)).size === keys.length;
  return keys.length > 0 && unique && keys.every((k) => k.secret.length >= 16) ? keys : null;
}

/**
 * Tokens `v1.<kid>.<subscriber id, base 36>.<issued day, base 36>.<mac>` where mac is
 * base64url(HMAC-SHA256(key, "herald|v1|kid|purpose|id|day[|binding]")), compared in constant time.
 * The purpose is in the MAC, not the token: an unsubscribe token does not confirm.
 */
export function createTokenSigner(keys: SigningKey[], now: () => number = Date.now): TokenSigner {
  if (keys.length === 0) throw new Error('at least one signing key is needed');
  // Without a binding the MAC input is what it always was, so links already sent keep working.
  const mac = (key: SigningKey, purpose: TokenPurpose, id: string, day: string, binding?: string | null) =>
    createHmac('sha256', key.secret)
      .update(`herald|v1|${key.id}|${purpose}|${id}|${day}${binding ? `|${binding}` : ''}`)
      .digest();
  return {
    sign(purpose, subscriberId, binding) {
      if (!Number.isSafeInteger(subscriberId) || subscriberId <= 0)
        throw new Error(`subscriber ids are positive integers, not ${subscriberId}`);
      const key = keys[0]!;
      const id = subscriberId.toString(36);
      const day = Math.floor(now() / DAY).toString(36);
      return `v1.${key.id}.${id}.${day}.${mac(key, purpose, id, day, binding).toString('base64url')}`;
    },
    subjectOf(token) {
      const id = token.split('.')[2] ?? '';
      const subscriber = /^[0-9a-z]{1,11}$/.test(id) ? Number.parseInt(id, 36) : 0;
      return Number.isSafeInteger(subscriber) && subscriber > 0 ? subscriber : null;
    },
    verify(purpose, token, binding) {
      const parts = token.split('.');
      if (parts.length !== 5 || parts[0] !== 'v1') return null;
      const [, kid, id, day, given] = parts as [string, string, string, string, string];
      const key = keys.find((k) => k.id === kid);
      if (!key || !/^[0-9a-z]{1,11}$/.test(id) || !/^[0-9a-z]{1,8}$/.test(day)) return null;
      // Compared as canonical text: Node's base64url decoding is lenient, and an altered token must fail.
      if (!/^[A-Za-z0-9_-]{43}$/.test(given)) return null;
      const expected = Buffer.from(mac(key, purpose, id, day, binding).toString('base64url'));
      if (!timingSafeEqual(Buffer.from(given), expected)) return null;
      if (purpose === 'confirm' && Math.floor(now() / DAY) - Number.parseInt(day, 36) > CONFIRM_DAYS)
        return null;
      const subscriber = Number.parseInt(id, 36);
      return Number.isSafeInteger(subscriber) && subscriber > 0 ? subscriber : null;
    },
  };
}
