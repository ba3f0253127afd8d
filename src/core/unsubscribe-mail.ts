/**
 * The `mailto:` half of List-Unsubscribe (RFC 2369): a message to the unsubscribe mailbox whose
 * subject carries the subscriber's signed token. Mail clients send it as the URI says; people who
 * type it, or reply, may add `Re:` or put the line in the body.
 */
export function unsubscribeMailto(mailbox: string, token: string): string {
  return `mailto:${mailbox}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`;
}

/** Token characters (base64url with dots); anything else ends it. */
const TOKEN = /\bunsubscribe[\s:]+([A-Za-z0-9._~-]{16,512})/i;

/** A raw RFC 5322 message split at its first blank line (no body: none there). */
function split(raw: string): { head: string; body: string | null } {
  const end = raw.search(/\r?\n\r?\n/);
  return end === -1 ? { head: raw, body: null } : { head: raw.slice(0, end), body: raw.slice(end) };
}

/** Unfolded headers of a message head. */
function headersOf(head: string): Map<string, string> {
  const block = head.replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      const key = line.slice(0, colon).trim().toLowerCase();
      if (!headers.has(key)) headers.set(key, line.slice(colon + 1).trim());
    }
  }
  return headers;
}

/**
 * The token of a mailed unsubscribe request: from the Subject (`unsubscribe <token>`), else from
 * the start of a plain body. Null when there is none; whether it is valid is the signer's call.
 */
export function unsubscribeTokenOf(raw: string): string | null {
  const { head, body } = split(raw);
  const subject = headersOf(head).get('subject') ?? '';
  const fromSubject = TOKEN.exec(decodeWords(subject))?.[1];
  if (fromSubject) return fromSubject;
  if (body === null) return null;
  // Quoted-printable soft breaks would split a token: joined first.
  return TOKEN.exec(body.slice(0, 8192).replace(/=\r?\n/g, ''))?.[1] ?? null;
}

/** RFC 2047 `=?charset?Q?…?=` / `?B?` words of an ASCII subject, decoded well enough to find ASCII in. */
function decodeWords(text: string): string {
  return text.replace(/=\?[^?]+\?([QqBb])\?([^?]*)\?=/g, (_, encoding: string, data: string) =>
    encoding.toUpperCase() === 'B'
      ? base64(data)
      : data
          .replace(/_/g, ' ')
          .replace(/=([0-9A-Fa-f]{2})/g, (__, hex: string) => String.fromCharCode(parseInt(hex, 16))),
  );
}

function base64(data: string): string {
  try {
    return atob(data.replace(/[^A-Za-z0-9+/=]/g, ''));
  } catch {
    return '';
  }
}
