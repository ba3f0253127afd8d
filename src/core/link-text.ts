/**
 * Spoofed links: `[https://acme.example/login](https://evil.example/phish)` shows a trusted name
 * and goes elsewhere. A link from untrusted text keeps its label only when every host name the
 * label shows is the host the link goes to; otherwise it is shown as "label (url)".
 */

/** Host names a text shows (`acme.example`, `www.acme.example`, `10.0.0.1`), lower-cased, scanned in linear time. */
export function hostsNamedIn(text: string): string[] {
  const hosts: string[] = [];
  let token = '';
  const flush = () => {
    const host = hostOfToken(token);
    if (host) hosts.push(host);
    token = '';
  };
  for (const c of text) {
    if (/[\p{L}\p{N}.-]/u.test(c)) token += c;
    else flush();
  }
  flush();
  return hosts;
}

function hostOfToken(token: string): string | null {
  const parts = token.toLowerCase().split('.');
  while (parts[0] === '') parts.shift();
  while (parts.at(-1) === '') parts.pop();
  if (parts.length < 2 || parts.some((p) => p === '')) return null;
  const last = parts.at(-1)!;
  const tld = /^\p{L}{2,63}$/u.test(last) || /^xn--[a-z0-9-]+$/.test(last);
  const ipv4 = parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p));
  return tld || ipv4 ? parts.join('.') : null;
}

/** The host a link goes to: the URL's host name, or a mailto address's domain; null when unreadable. */
export function linkHost(url: string): string | null {
  const mail = /^mailto:[^@?]*@([^?#]+)/i.exec(url.trim());
  if (mail) return mail[1]!.toLowerCase();
  try {
    return new URL(url.trim()).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

const bare = (host: string) => host.replace(/^www\./, '');

/** True when the label names a host other than the one the link goes to. */
export function isMisleadingLabel(label: string, url: string): boolean {
  const named = hostsNamedIn(label);
  if (named.length === 0) return false;
  const target = linkHost(url);
  return target === null || named.some((host) => bare(host) !== bare(target));
}
