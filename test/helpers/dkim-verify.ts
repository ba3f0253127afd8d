import { createHash, verify } from 'node:crypto';

/**
 * Verifies a DKIM-Signature (RFC 6376, a=rsa-sha256, c=relaxed/relaxed) of a received message
 * against a public key, written from the RFC, independently of the signer: §3.4.2 relaxed header
 * canonicalisation, §3.4.4 relaxed body, §3.7 the signed data (the h= headers, bottom-up for
 * repeats, then the DKIM-Signature header itself with an empty b=, without its final CRLF).
 */
export function verifyDkim(
  raw: Buffer,
  publicKeyPem: string,
): { ok: boolean; signedHeaders: string[]; domain: string; selector: string; problem?: string } {
  const text = raw.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const head = text.slice(0, split + 2);
  const body = text.slice(split + 4);
  const fields = head.split(/\r\n(?![ \t])/).filter((f) => f !== '');
  const named = fields.map((f) => ({ name: f.slice(0, f.indexOf(':')).trim().toLowerCase(), field: f }));
  const signature = named.find((f) => f.name === 'dkim-signature');
  if (!signature)
    return { ok: false, signedHeaders: [], domain: '', selector: '', problem: 'no DKIM-Signature' };
  const value = signature.field.slice(signature.field.indexOf(':') + 1);
  const tags = new Map(
    value
      .split(';')
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t) => [t.slice(0, t.indexOf('=')).trim(), t.slice(t.indexOf('=') + 1).replace(/\s+/g, '')]),
  );
  const signedHeaders = (tags.get('h') ?? '').toLowerCase().split(':');
  const result = { signedHeaders, domain: tags.get('d') ?? '', selector: tags.get('s') ?? '' };
  if (tags.get('a') !== 'rsa-sha256' || tags.get('c') !== 'relaxed/relaxed')
    return { ok: false, ...result, problem: `a=${tags.get('a')} c=${tags.get('c')}` };

  const bodyHash = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
  if (bodyHash !== tags.get('bh')) return { ok: false, ...result, problem: 'body hash differs' };

  const remaining = new Map<string, string[]>();
  for (const { name, field } of named) remaining.set(name, [...(remaining.get(name) ?? []), field]);
  let data = '';
  for (const name of signedHeaders) {
    const instances = remaining.get(name);
    const field = instances?.pop();
    if (field !== undefined) data += `${relaxedHeader(field)}\r\n`;
  }
  const unsigned = signature.field.replace(/(\bb=)[^;]*$/s, '$1').replace(/(;\s*b=)[^;]*/s, '$1');
  data += relaxedHeader(unsigned);
  const ok = verify(
    'RSA-SHA256',
    Buffer.from(data, 'latin1'),
    publicKeyPem,
    Buffer.from(tags.get('b') ?? '', 'base64'),
  );
  return ok ? { ok, ...result } : { ok, ...result, problem: 'signature does not verify' };
}

function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
}
