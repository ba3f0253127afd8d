import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanName, headerText, mailboxKey, normaliseEmail } from '../../src/core/email-address.js';

const SAFE = /^[a-z0-9!#$%&'*+/=?^_`{|}~.@-]*$/;
const C0_OR_DEL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('normaliseEmail', () => {
  it('trims and lower-cases an address', () => {
    expect(normaliseEmail('ada@example.com')).toBe('ada@example.com');
    expect(normaliseEmail('  Ada.Lovelace+News@Example.COM \t')).toBe('ada.lovelace+news@example.com');
    // Surrounding line breaks are whitespace: trimmed, never part of the result.
    expect(normaliseEmail('\r\nada@example.com\r\n')).toBe('ada@example.com');
  });

  it('accepts every atext character in the local part, and dot-atoms', () => {
    for (const email of [
      "o'brien@example.ie",
      "a!#$%&'*+/=?^_`{|}~-z@example.com",
      'first.middle.last@example.com',
      'x@example.com',
      '1234@example.com',
    ])
      expect(normaliseEmail(email), email).toBe(email);
  });

  it('accepts LDH domains with at least one dot, and localhost', () => {
    for (const email of [
      'a@localhost',
      'a@sub.domain-x.co.uk',
      'a@a1.b2',
      'a@xn--bcher-kva.example',
      'a@a-b-c.d',
    ])
      expect(normaliseEmail(email), email).toBe(email);
    expect(normaliseEmail('a@LOCALHOST')).toBe('a@localhost');
  });

  it('refuses anything but one local part and one domain', () => {
    for (const email of ['', '   ', 'ada', '@', '@example.com', 'ada@', 'a@@example.com', 'a@b@example.com'])
      expect(normaliseEmail(email), JSON.stringify(email)).toBeNull();
  });

  it('refuses local parts that are not dot-atoms of atext', () => {
    for (const email of [
      '.a@example.com',
      'a.@example.com',
      'a..b@example.com',
      '"a"@example.com',
      '"a b"@example.com',
      'a(comment)@example.com',
      'a\\b@example.com',
      'a;b@example.com',
      'a:b@example.com',
      'a[b]@example.com',
      'ädä@example.com',
      'a\u00a0b@example.com',
    ])
      expect(normaliseEmail(email), JSON.stringify(email)).toBeNull();
  });

  it('refuses domains that are not dotted LDH labels', () => {
    for (const email of [
      'a@example',
      'a@localhost.',
      'a@.example.com',
      'a@example.com.',
      'a@example..com',
      'a@-example.com',
      'a@example-.com',
      'a@example.-com',
      'a@ex_ample.com',
      'a@exämple.com',
      'a@[127.0.0.1]',
      'a@example.com:25',
      'a@example.com/x',
    ])
      expect(normaliseEmail(email), JSON.stringify(email)).toBeNull();
  });

  it('refuses everything that could break or add to a header', () => {
    for (const email of [
      'a b@example.com',
      'a@exam ple.com',
      'a\tb@example.com',
      'a\r\n@example.com',
      'a\nb@example.com',
      'a\rb@example.com',
      'a@example.com\r\nBcc: victim@example.org',
      'a@example.com\nBcc: victim@example.org',
      'Ada <a@example.com>',
      '<a@example.com>',
      'a@example.com>',
      'a<b@example.com',
      'a@example.com,b@example.com',
      'a,b@example.com',
      'a"b@example.com',
      'a\u0000@example.com',
      'a@example.com\u0000',
      'a\u2028b@example.com',
    ])
      expect(normaliseEmail(email), JSON.stringify(email)).toBeNull();
  });

  it('allows a local part of 64 characters, not 65', () => {
    expect(normaliseEmail(`${'a'.repeat(64)}@example.com`)).toBe(`${'a'.repeat(64)}@example.com`);
    expect(normaliseEmail(`${'a'.repeat(65)}@example.com`)).toBeNull();
  });

  it('allows a domain label of 63 characters, not 64', () => {
    expect(normaliseEmail(`a@${'b'.repeat(63)}.com`)).toBe(`a@${'b'.repeat(63)}.com`);
    expect(normaliseEmail(`a@${'b'.repeat(64)}.com`)).toBeNull();
  });

  it('allows 254 characters in all, not 255, whitespace around not counted', () => {
    const domain = (last: number) => `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(last)}`;
    const at254 = `${'a'.repeat(64)}@${domain(61)}`;
    const at255 = `${'a'.repeat(64)}@${domain(62)}`;
    expect(at254).toHaveLength(254);
    expect(at255).toHaveLength(255);
    expect(normaliseEmail(at254)).toBe(at254);
    expect(normaliseEmail(`   ${at254.toUpperCase()}   `)).toBe(at254);
    expect(normaliseEmail(at255)).toBeNull();
  });

  it('returns only header-safe characters, for any input', () => {
    const injected = fc
      .tuple(fc.emailAddress(), fc.nat(), fc.string({ minLength: 1, maxLength: 3, unit: 'binary' }))
      .map(([email, at, junk]) => {
        const position = at % (email.length + 1);
        return email.slice(0, position) + junk + email.slice(position);
      });
    const cased = fc
      .tuple(fc.emailAddress(), fc.array(fc.boolean(), { minLength: 1 }))
      .map(([email, upper]) =>
        [...email].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c)).join(''),
      );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({
            unit: fc.constantFrom('a', 'Z', '.', '@', '-', '"', ' ', '\r', '\n', '<', ',', '\u212a'),
          }),
          fc.emailAddress(),
          injected,
          cased,
        ),
        (text) => {
          const email = normaliseEmail(text);
          if (email === null) return;
          expect(email).toMatch(SAFE);
          expect(email.length).toBeLessThanOrEqual(254);
          expect(email.split('@')).toHaveLength(2);
          // Normalising is idempotent.
          expect(normaliseEmail(email)).toBe(email);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('accepts every generated RFC address that fits the length limits, lower-cased', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const [local] = email.split('@') as [string, string];
        fc.pre(email.length <= 254 && local.length <= 64);
        expect(normaliseEmail(email)).toBe(email.toLowerCase());
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses non-ASCII characters that lower-case to ASCII (U+212A KELVIN SIGN)', () => {
    expect(normaliseEmail('\u212Aate@example.com')).toBeNull();
    expect(normaliseEmail('a@\u212A.example.com')).toBeNull();
  });
});

describe('headerText', () => {
  it('keeps ordinary text as it is', () => {
    expect(headerText('Release 2.0 is out — “Ünïcödé” 🎉')).toBe('Release 2.0 is out — “Ünïcödé” 🎉');
    expect(headerText('')).toBe('');
  });

  it('puts everything on one line: line breaks, controls, U+2028/2029 become one space', () => {
    expect(headerText('Hello\r\nBcc: victim@example.org')).toBe('Hello Bcc: victim@example.org');
    expect(headerText('a\nb\rc\r\n\r\nd')).toBe('a b c d');
    expect(headerText('a\u2028b\u2029c')).toBe('a b c');
    expect(headerText('a\u0000b\u0007c\u001b[31md\u007fe')).toBe('a b c [31md e');
    expect(headerText('a\u000b\u000cb')).toBe('a b');
  });

  it('collapses whitespace and trims', () => {
    expect(headerText('   a \t\t b   ')).toBe('a b');
    expect(headerText('a\u00a0\u00a0b\u3000c\u2003d')).toBe('a b c d');
    expect(headerText('\r\n \t\u0000')).toBe('');
  });

  it('cuts to max characters with an ellipsis', () => {
    expect(headerText('abcd', 4)).toBe('abcd');
    expect(headerText('abcde', 4)).toBe('abc…');
    expect(headerText('ab cdef', 4)).toBe('ab…');
    expect(headerText('abc', 1)).toBe('…');
    // Measured after collapsing.
    expect(headerText('  a  \n\n  b  ', 3)).toBe('a b');
  });

  it('cuts to 200 characters by default', () => {
    const text = headerText('x'.repeat(500));
    expect(text).toHaveLength(200);
    expect(text).toBe(`${'x'.repeat(199)}…`);
    expect(headerText('y'.repeat(200))).toBe('y'.repeat(200));
  });

  it('never returns C0 controls, DEL, U+2028/2029 or loose spaces, and never more than max', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.string({
            unit: fc.constantFrom(
              'a',
              ' ',
              '\r',
              '\n',
              '\t',
              '\u0000',
              '\u001f',
              '\u007f',
              '\u2028',
              '\u2029',
              '\u00a0',
              'é',
            ),
            maxLength: 400,
          }),
        ),
        fc.integer({ min: 1, max: 300 }),
        (text, max) => {
          const line = headerText(text, max);
          expect(line).not.toMatch(C0_OR_DEL);
          expect(line).not.toMatch(/[\u2028\u2029]/);
          expect(line).not.toMatch(/^\s|\s$|\s\s/);
          expect(line.length).toBeLessThanOrEqual(max);
          // Idempotent: a header text is already a header text.
          expect(headerText(line, max)).toBe(line);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('replaces C1 control characters too (U+0085 NEXT LINE, U+009B CSI)', () => {
    expect(headerText('a\u0085b')).toBe('a b');
    expect(headerText('a\u009b31mb')).toBe('a 31mb');
  });

  it('never cuts a character in half (surrogate pairs)', () => {
    const cut = headerText('😀'.repeat(10), 4);
    expect(cut.length).toBeLessThanOrEqual(4);
    expect(cut).not.toMatch(LONE_SURROGATE);
  });

  it('never returns more than max characters, even for max 0', () => {
    expect(headerText('abc', 0).length).toBeLessThanOrEqual(0);
  });
});

describe('mailboxKey', () => {
  it('folds plus-tags everywhere and dots only at Gmail', () => {
    expect(mailboxKey('victim+1@example.com')).toBe('victim@example.com');
    expect(mailboxKey('victim+a+b@example.com')).toBe('victim@example.com');
    expect(mailboxKey('v.i.c.t.i.m@example.com')).toBe('v.i.c.t.i.m@example.com');
    expect(mailboxKey('v.i.c.t.i.m+2@gmail.com')).toBe('victim@gmail.com');
    expect(mailboxKey('victim@googlemail.com')).toBe('victim@gmail.com');
    // A local part that is only a tag stays as it is.
    expect(mailboxKey('+news@example.com')).toBe('+news@example.com');
  });
});

describe('cleanName', () => {
  it('removes terminal escapes whole and makes controls and bidi overrides spaces', () => {
    expect(cleanName('Eve\u001b[2J\u001b[31mRed\u001b[0m')).toBe('EveRed');
    expect(cleanName('a\u001b]0;title\u0007b')).toBe('ab');
    expect(cleanName('a\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\b')).toBe('alinkb');
    expect(cleanName('a\u009b31mb')).toBe('ab');
    expect(cleanName('x\u202eevil\u2066y\u200bz')).toBe('x evil y z');
    expect(cleanName('Ada\r\nBcc: x@evil.test')).toBe('Ada Bcc: x@evil.test');
    expect(cleanName('\u001b[2J \u0000 ')).toBeNull();
    expect(cleanName('Zoë Ünal 山田')).toBe('Zoë Ünal 山田');
    expect(cleanName('x'.repeat(500))!.length).toBe(200);
  });

  it('is linear on escape-shaped input', () => {
    // Unterminated string sequences one after another: each stops at the next ESC.
    const hostile = '\u001b]'.repeat(200_000) + '\u001b['.repeat(200_000);
    expect(cleanName(hostile)).toBeNull();
  });

  it('leaves nothing a terminal would act on, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const name = cleanName(text);
        expect(name ?? '').not.toMatch(
          /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/,
        );
      }),
    );
  });
});
