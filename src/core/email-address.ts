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
