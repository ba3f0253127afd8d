/**
 * Email addresses as Herald accepts them: one mailbox, `local@domain`, nothing a header could be
 * built from that it should not (no spaces, quotes, angle brackets, commas or line breaks), a
 * domain with a dot (or `localhost` for tests) made of LDH labels. Stricter than RFC 5321 on
 * purpose: quoted local parts and IP literals are legal but almost never real subscribers, and
 * every character allowed here is safe in a header.
 */
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The address trimmed and lower-cased, or null when it is not one mailbox Herald will mail. */
export function normaliseEmail(text: string): string | null {
  const trimmed = text.trim();
  // ASCII only, checked before lower-casing (the Kelvin sign lower-cases to "k").
  if (/[^\x21-\x7e]/.test(trimmed)) return null;
  const email = trimmed.toLowerCase();
  if (email.length > 254) return null;
  const at = email.lastIndexOf('@');
  if (at < 1 || at !== email.indexOf('@')) return null;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return null;
  const labels = domain.split('.');
  if (labels.length < 2 && domain !== 'localhost') return null;
  if (!labels.every((label) => LABEL.test(label))) return null;
  return email;
}

/** Text for a header (a subject, a display name): one line, no control characters, bounded. */
export function headerText(text: string, max = 200): string {
  const line = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (line.length <= max) return line;
  if (max < 1) return '';
  // Cut between code points (never inside a surrogate pair), within max UTF-16 units with the "…".
  let cut = '';
  for (const char of line) {
    if (cut.length + char.length > max - 1) break;
    cut += char;
  }
  return `${cut.trimEnd()}…`;
}

/** Domains whose mailboxes ignore dots in the local part (Gmail: "a.da@" is "ada@"). */
const DOTLESS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox a normalised address delivers to, for counting sign-ups per person, never for
 * sending: a `+tag` is dropped everywhere (Gmail, Outlook, iCloud, Fastmail and most hosts
 * deliver `ada+x@` to `ada@`, and the rare host that does not only gets a stricter cap), and dots
 * are dropped only where the provider documents that they mean nothing (Gmail).
 */
export function mailboxKey(email: string): string {
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at);
  let domain = email.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (DOTLESS.has(domain)) {
    local = local.replace(/\./g, '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}

/**
 * Terminal escape sequences (ECMA-48): CSI `ESC [ … final` (and its one-byte C1 form), OSC/DCS/
 * APC/PM/SOS strings up to their terminator (BEL or `ESC \`), and two-byte `ESC x` codes. Each
 * alternative stops at the next ESC, so a scan is linear however the input is built.
 */
const ESCAPES =
  /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[\x20-\x7e]?/g;
/**
 * What can reorder or hide text on a screen: C0/C1 controls, bidi embeddings, overrides and
 * isolates (the "Trojan Source" characters), zero-width and line/paragraph separators, BOM.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+/g;

/** The longest name Herald keeps, in UTF-16 units. */
export const MAX_NAME = 200;

/**
 * A person's name from an untrusted source (a CSV import, a Zendesk user, a web form) as Herald
 * stores and prints it: terminal escapes removed whole, every other control or bidi character
 * made a space, one line, at most MAX_NAME; null when nothing is left.
 */
export function cleanName(text: string): string | null {
  const line = headerText(text.replace(ESCAPES, '').replace(INVISIBLE, ' '), MAX_NAME);
  return line === '' ? null : line;
}
