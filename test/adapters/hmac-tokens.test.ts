import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTokenSigner, parseSigningKeys, type SigningKey } from '../../src/adapters/hmac-tokens.js';
import type { TokenPurpose } from '../../src/ports/index.js';

const DAY = 86_400_000;
/** A fixed instant in the middle of a day, so a few hours either way stay on the same day. */
const T0 = 19_700 * DAY + 12 * 3_600_000;

const KEY_A: SigningKey = { id: 'a1', secret: 'secret-number-one-0123456789' };
const KEY_B: SigningKey = { id: 'b2', secret: 'secret-number-two-0123456789' };

const signerAt = (keys: SigningKey[], at = T0) => createTokenSigner(keys, () => at);

const purposes: TokenPurpose[] = ['confirm', 'unsubscribe'];
const other = (purpose: TokenPurpose): TokenPurpose => (purpose === 'confirm' ? 'unsubscribe' : 'confirm');

const kidArb = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const secretArb = fc.string({ minLength: 16, maxLength: 64, unit: 'grapheme' });
const keyArb = fc.record({ id: kidArb, secret: secretArb });
const idArb = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const purposeArb = fc.constantFrom<TokenPurpose>('confirm', 'unsubscribe');
/** Any instant from 1970 to about 2300. */
const nowArb = fc.integer({ min: 0, max: 10_500_000_000_000 });

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Every printable ASCII character, plus the whitespace a link or a mail client might add. */
const PRINTABLE = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\t', '\n', '\r'];

const fields = (token: string) => token.split('.');
const withField = (token: string, index: number, value: string) => {
  const parts = fields(token);
  parts[index] = value;
  return parts.join('.');
};

describe('parseSigningKeys', () => {
  it('reads one bare secret as key "1"', () => {
    expect(parseSigningKeys('abcdefghijklmnop')).toEqual([{ id: '1', secret: 'abcdefghijklmnop' }]);
  });

  it('refuses secrets shorter than 16 characters, wherever they are in the list', () => {
    expect(parseSigningKeys('abcdefghijklmno')).toBeNull();
    expect(parseSigningKeys('k1:abcdefghijklmno')).toBeNull();
    // The kid does not count towards the length of the secret.
    expect(parseSigningKeys('kid12345:abcdefghij')).toBeNull();
    expect(parseSigningKeys('k1:abcdefghijklmnopqr,k2:short')).toBeNull();
    expect(parseSigningKeys('k1:short,k2:abcdefghijklmnopqr')).toBeNull();
  });

  it('refuses an empty value or one with only separators and spaces', () => {
    expect(parseSigningKeys('')).toBeNull();
    expect(parseSigningKeys('   ')).toBeNull();
    expect(parseSigningKeys(',,')).toBeNull();
    expect(parseSigningKeys(' , , ')).toBeNull();
  });

  it('reads kid:secret pairs in order, ignoring spaces around commas and empty entries', () => {
    expect(parseSigningKeys(' k2:bbbbbbbbbbbbbbbb ,  k1:aaaaaaaaaaaaaaaa , ')).toEqual([
      { id: 'k2', secret: 'bbbbbbbbbbbbbbbb' },
      { id: 'k1', secret: 'aaaaaaaaaaaaaaaa' },
    ]);
  });

  it('keeps everything after the first colon as the secret', () => {
    expect(parseSigningKeys('k1:abc:def:0123456789')).toEqual([{ id: 'k1', secret: 'abc:def:0123456789' }]);
  });

  it('treats a "kid" with characters outside [A-Za-z0-9]{1,8} as part of a bare secret', () => {
    for (const value of [
      'bad-kid:0123456789abcdef',
      'bad_kid:0123456789abcdef',
      'k 1:0123456789abcdef',
      'abcdefghi:0123456789abcdef',
      ':0123456789abcdef',
      'kïd:0123456789abcdef',
    ])
      expect(parseSigningKeys(value), value).toEqual([{ id: '1', secret: value }]);
  });

  it('uses the longest kid allowed (8 characters) as a kid', () => {
    expect(parseSigningKeys('abcdefgh:0123456789abcdef')).toEqual([
      { id: 'abcdefgh', secret: '0123456789abcdef' },
    ]);
  });

  it('accepts no key set in which a key could never verify (duplicate key ids)', () => {
    for (const value of [
      'newsecret-0123456789,oldsecret-0123456789',
      'k1:newsecret-0123456789,k1:oldsecret-0123456789',
    ]) {
      const keys = parseSigningKeys(value);
      if (keys === null) continue;
      const all = signerAt(keys);
      for (const key of keys)
        expect(all.verify('unsubscribe', signerAt([key]).sign('unsubscribe', 7))).toBe(7);
    }
  });
});

describe('createTokenSigner', () => {
  it('needs at least one key', () => {
    expect(() => createTokenSigner([])).toThrow(/at least one signing key/);
  });

  it('makes tokens of the documented shape', () => {
    const token = signerAt([KEY_A]).sign('unsubscribe', 12345);
    const [version, kid, id, day, mac] = fields(token);
    expect(fields(token)).toHaveLength(5);
    expect(version).toBe('v1');
    expect(kid).toBe('a1');
    expect(id).toBe((12345).toString(36));
    expect(day).toBe(Math.floor(T0 / DAY).toString(36));
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('round-trips any positive safe id, for either purpose, any key and any clock', () => {
    fc.assert(
      fc.property(
        fc.array(keyArb, { minLength: 1, maxLength: 3 }),
        idArb,
        purposeArb,
        nowArb,
        (keys, id, purpose, now) => {
          // Distinct kids: a duplicate kid is a separate finding (see parseSigningKeys above).
          fc.pre(new Set(keys.map((k) => k.id)).size === keys.length);
          const signer = createTokenSigner(keys, () => now);
          expect(signer.verify(purpose, signer.sign(purpose, id))).toBe(id);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips the edges of the id range', () => {
    const signer = signerAt([KEY_A]);
    for (const id of [1, 35, 36, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER])
      for (const purpose of purposes) expect(signer.verify(purpose, signer.sign(purpose, id))).toBe(id);
  });

  it('never verifies a token for the other purpose', () => {
    fc.assert(
      fc.property(idArb, purposeArb, nowArb, (id, purpose, now) => {
        const signer = createTokenSigner([KEY_A], () => now);
        expect(signer.verify(other(purpose), signer.sign(purpose, id))).toBeNull();
      }),
    );
  });

  it('never verifies when the id field names another subscriber', () => {
    fc.assert(
      fc.property(idArb, idArb, purposeArb, (id, otherId, purpose) => {
        fc.pre(id !== otherId);
        const signer = signerAt([KEY_A]);
        const token = signer.sign(purpose, id);
        expect(signer.verify(purpose, withField(token, 2, otherId.toString(36)))).toBeNull();
      }),
    );
    const signer = signerAt([KEY_A]);
    const token = signer.sign('unsubscribe', 1000);
    expect(signer.verify('unsubscribe', token)).toBe(1000);
    // The same number spelled differently ("rs" in base 36) is another id string, so another MAC.
    expect(signer.verify('unsubscribe', withField(token, 2, '0rs'))).toBeNull();
    expect(signer.verify('unsubscribe', withField(token, 2, 'RS'))).toBeNull();
    expect(signer.verify('unsubscribe', withField(token, 2, '1000'))).toBeNull();
  });

  it('never verifies with another key set', () => {
    fc.assert(
      fc.property(keyArb, secretArb, idArb, purposeArb, (key, secret, id, purpose) => {
        fc.pre(secret !== key.secret);
        const token = signerAt([key]).sign(purpose, id);
        // Same kid, another secret: the MAC does not match.
        expect(signerAt([{ id: key.id, secret }]).verify(purpose, token)).toBeNull();
      }),
    );
    const token = signerAt([KEY_A]).sign('unsubscribe', 9);
    // Same secret, another kid: the kid is unknown (and is inside the MAC anyway).
    expect(signerAt([{ id: 'zz', secret: KEY_A.secret }]).verify('unsubscribe', token)).toBeNull();
    expect(signerAt([KEY_B]).verify('unsubscribe', token)).toBeNull();
  });

  it('never verifies a token whose kid is unknown, even with a valid MAC under another kid', () => {
    const signer = signerAt([KEY_A, KEY_B]);
    const token = signer.sign('confirm', 5);
    expect(signer.verify('confirm', withField(token, 1, 'b2'))).toBeNull();
    expect(signer.verify('confirm', withField(token, 1, 'zz'))).toBeNull();
    expect(signer.verify('confirm', withField(token, 1, ''))).toBeNull();
    expect(signer.verify('confirm', withField(token, 1, 'A1'))).toBeNull();
  });

  it('never verifies after a single-character change outside the MAC, or to another base64url character inside it (but the last)', () => {
    fc.assert(
      fc.property(
        idArb,
        purposeArb,
        fc.nat(),
        fc.oneof(fc.constantFrom(...PRINTABLE), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })),
        fc.constantFrom(...BASE64URL),
        (id, purpose, at, anyChar, macChar) => {
          const signer = signerAt([KEY_A]);
          const token = signer.sign(purpose, id);
          const macStart = token.lastIndexOf('.') + 1;
          // Positions before the MAC take any character; positions in the MAC (the last excepted,
          // see the test below) take a character of the MAC's own alphabet.
          const position = at % (token.length - 1);
          const replacement = position < macStart ? anyChar : macChar;
          fc.pre(replacement !== token[position]);
          const changed = token.slice(0, position) + replacement + token.slice(position + 1);
          expect(signer.verify(purpose, changed)).toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never verifies a token with any single character removed', () => {
    const signer = signerAt([KEY_A]);
    for (const purpose of purposes) {
      const token = signer.sign(purpose, 123_456);
      for (let i = 0; i < token.length; i++)
        expect(signer.verify(purpose, token.slice(0, i) + token.slice(i + 1)), `without ${i}`).toBeNull();
    }
  });

  it('never verifies after changing the last MAC character to any other character', () => {
    const signer = signerAt([KEY_A]);
    const token = signer.sign('unsubscribe', 42);
    const last = token.length - 1;
    for (const c of PRINTABLE) {
      if (c === token[last]) continue;
      expect(
        signer.verify('unsubscribe', token.slice(0, last) + c),
        `last → ${JSON.stringify(c)}`,
      ).toBeNull();
    }
  });

  it('never verifies after a MAC character is replaced by its standard-base64 alias (- → +, _ → /)', () => {
    const signer = signerAt([KEY_A]);
    let id = 1;
    // Deterministic: the first id whose MAC (without its last character) has a - or a _.
    while (!/[-_]/.test(fields(signer.sign('unsubscribe', id))[4]!.slice(0, -1))) id++;
    const token = signer.sign('unsubscribe', id);
    const aliased = token.replace(/[-_](?=[^.]*$)/, (c) => (c === '-' ? '+' : '/'));
    expect(aliased).not.toBe(token);
    expect(signer.verify('unsubscribe', aliased)).toBeNull();
  });

  it('never verifies with junk inserted in or appended to the MAC (space, newline, *, =)', () => {
    const signer = signerAt([KEY_A]);
    const token = signer.sign('unsubscribe', 42);
    const middle = token.length - 20;
    for (const junk of [' ', '\n', '*', '=', '==', '!!!'])
      for (const changed of [token + junk, token.slice(0, middle) + junk + token.slice(middle)])
        expect(signer.verify('unsubscribe', changed), JSON.stringify(changed)).toBeNull();
  });

  it('never verifies a truncated token', () => {
    const signer = signerAt([KEY_A]);
    for (const purpose of purposes) {
      const token = signer.sign(purpose, 99_999);
      for (let length = 0; length < token.length; length++)
        expect(signer.verify(purpose, token.slice(0, length)), `first ${length}`).toBeNull();
    }
  });

  it('never verifies with extra dots or fields', () => {
    const signer = signerAt([KEY_A]);
    const token = signer.sign('unsubscribe', 77);
    const [v, kid, id, day, mac] = fields(token) as [string, string, string, string, string];
    for (const changed of [
      `${token}.`,
      `.${token}`,
      `${token}.x`,
      `x.${token}`,
      `${v}..${kid}.${id}.${day}.${mac}`,
      `${v}.${kid}.${id}.${day}..${mac}`,
      `${v}.${kid}.${id}.${id}.${day}.${mac}`,
      `${v}.${kid}.${id}.${day}.${mac}.${mac}`,
      `${v}.${kid}.${id}.${mac}`,
      `${kid}.${id}.${day}.${mac}`,
      `v2.${kid}.${id}.${day}.${mac}`,
      `V1.${kid}.${id}.${day}.${mac}`,
    ])
      expect(signer.verify('unsubscribe', changed), changed).toBeNull();
  });

  it('returns null for empty and garbage tokens', () => {
    const signer = signerAt([KEY_A]);
    for (const token of ['', '.', '....', 'v1....', 'v1.a1.1.1.', 'v1.a1.1.1.x', 'null', 'undefined'])
      for (const purpose of purposes) expect(signer.verify(purpose, token), token).toBeNull();
  });

  it('returns null quickly for a 100 KB token', () => {
    const signer = signerAt([KEY_A]);
    const token = signer.sign('unsubscribe', 3);
    const huge = 100_000;
    for (const candidate of [
      'a'.repeat(huge),
      '.'.repeat(huge),
      'v1.'.repeat(huge / 3),
      `${token}${'A'.repeat(huge)}`,
      `v1.a1.1.1.${'A'.repeat(huge)}`,
      `v1.a1.${'1'.repeat(huge)}.1.${fields(token)[4]}`,
      `v1.a1.1.${'1'.repeat(huge)}.${fields(token)[4]}`,
      `v1.${'a'.repeat(huge)}.1.1.${fields(token)[4]}`,
    ]) {
      const started = performance.now();
      for (const purpose of purposes) expect(signer.verify(purpose, candidate)).toBeNull();
      expect(performance.now() - started).toBeLessThan(200);
    }
  });

  it('accepts a confirm token through day 7 after the day it was issued and refuses it from day 8', () => {
    let now = 0;
    const signer = createTokenSigner([KEY_A], () => now);
    const issuedDay = 19_700;
    // Issued in the last millisecond of its day.
    now = issuedDay * DAY + DAY - 1;
    const late = signer.sign('confirm', 5);
    // Issued in the first millisecond of its day.
    now = issuedDay * DAY;
    const early = signer.sign('confirm', 6);
    expect(fields(late)[3]).toBe(fields(early)[3]);

    for (const [at, expected] of [
      [issuedDay * DAY, true],
      [(issuedDay + 1) * DAY, true],
      [(issuedDay + 7) * DAY, true],
      [(issuedDay + 8) * DAY - 1, true],
      [(issuedDay + 8) * DAY, false],
      [(issuedDay + 9) * DAY, false],
      [(issuedDay + 3650) * DAY, false],
    ] as const) {
      now = at;
      expect(signer.verify('confirm', late), `day +${Math.floor(at / DAY) - issuedDay}`).toBe(
        expected ? 5 : null,
      );
      expect(signer.verify('confirm', early)).toBe(expected ? 6 : null);
    }
  });

  it('keeps an unsubscribe token valid for ten years and more', () => {
    let now = T0;
    const signer = createTokenSigner([KEY_A], () => now);
    const token = signer.sign('unsubscribe', 31_337);
    for (const days of [0, 8, 365, 3653, 36_525]) {
      now = T0 + days * DAY;
      expect(signer.verify('unsubscribe', token), `after ${days} days`).toBe(31_337);
    }
  });

  it('rotates: the first key signs, every key verifies, a removed key no longer verifies', () => {
    const oldSigner = signerAt(parseSigningKeys('old1:the-old-secret-0123456789')!);
    const oldToken = oldSigner.sign('unsubscribe', 8);
    const oldConfirm = oldSigner.sign('confirm', 8);

    const rotated = signerAt(
      parseSigningKeys('new1:the-new-secret-0123456789,old1:the-old-secret-0123456789')!,
    );
    expect(rotated.verify('unsubscribe', oldToken)).toBe(8);
    expect(rotated.verify('confirm', oldConfirm)).toBe(8);
    const newToken = rotated.sign('unsubscribe', 8);
    expect(fields(newToken)[1]).toBe('new1');
    expect(rotated.verify('unsubscribe', newToken)).toBe(8);
    // The old key alone does not know the new kid.
    expect(oldSigner.verify('unsubscribe', newToken)).toBeNull();

    const retired = signerAt(parseSigningKeys('new1:the-new-secret-0123456789')!);
    expect(retired.verify('unsubscribe', oldToken)).toBeNull();
    expect(retired.verify('confirm', oldConfirm)).toBeNull();
    expect(retired.verify('unsubscribe', newToken)).toBe(8);
  });

  it('rotates away from a bare secret when the new key has a kid', () => {
    const oldSigner = signerAt(parseSigningKeys('the-old-bare-secret-0123')!);
    const oldToken = oldSigner.sign('unsubscribe', 12);
    expect(fields(oldToken)[1]).toBe('1');
    const rotated = signerAt(parseSigningKeys('k2:the-new-secret-0123456789,the-old-bare-secret-0123')!);
    expect(rotated.verify('unsubscribe', oldToken)).toBe(12);
    expect(fields(rotated.sign('unsubscribe', 12))[1]).toBe('k2');
  });

  it('refuses to sign an id that is not a positive safe integer', () => {
    const signer = signerAt([KEY_A]);
    for (const id of [
      0,
      -1,
      -5,
      -Number.MAX_SAFE_INTEGER,
      2 ** 53,
      2 ** 53 + 2,
      2 ** 60,
      1e20,
      1.5,
      Number.NaN,
    ])
      for (const purpose of purposes) expect(() => signer.sign(purpose, id), String(id)).toThrow();
  });

  it('never returns a non-positive or unsafe id for any token, forged with the key or not', () => {
    // Tokens signed with the real key over arbitrary id strings of the accepted shape.
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-z]{1,11}$/), purposeArb, (idText, purpose) => {
        const day = Math.floor(T0 / DAY).toString(36);
        const mac = createHmac('sha256', KEY_A.secret)
          .update(`herald|v1|${KEY_A.id}|${purpose}|${idText}|${day}`)
          .digest('base64url');
        const result = signerAt([KEY_A]).verify(purpose, `v1.${KEY_A.id}.${idText}.${day}.${mac}`);
        const value = Number.parseInt(idText, 36);
        if (Number.isSafeInteger(value) && value > 0) expect(result).toBe(value);
        else expect(result).toBeNull();
      }),
    );
  });

  it('binds a token to a sign-up: it verifies only with the same binding, and names its subject', () => {
    const signer = signerAt([KEY_A]);
    const token = signer.sign('confirm', 42, 'nonce-1');
    expect(signer.subjectOf(token)).toBe(42);
    expect(signer.verify('confirm', token, 'nonce-1')).toBe(42);
    expect(signer.verify('confirm', token, 'nonce-2')).toBeNull();
    expect(signer.verify('confirm', token)).toBeNull();
    // Without a binding, tokens are what they always were: links already sent keep working.
    const plain = signer.sign('unsubscribe', 42);
    expect(signer.verify('unsubscribe', plain)).toBe(42);
    expect(signer.verify('unsubscribe', plain, 'nonce-1')).toBeNull();
    expect(signer.subjectOf('v1.a1.0.x.y')).toBeNull();
    expect(signer.subjectOf('nonsense')).toBeNull();
  });
});
