import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unsubscribeMailto, unsubscribeTokenOf } from '../../src/core/unsubscribe-mail.js';

const TOKEN = 'v1.k1.2f.Qm9vb2JvYm9ib2JvYm9i-_xyz';

describe('mailed unsubscribe requests', () => {
  it('put the token in the subject of a plain mailto: URI', () => {
    const uri = unsubscribeMailto('unsubscribe@acme.example', TOKEN);
    expect(uri).toBe(`mailto:unsubscribe@acme.example?subject=unsubscribe%20${TOKEN}`);
    expect(uri).toMatch(/^mailto:[\x21-\x3b\x3d\x3f-\x7e]+$/);
  });

  it('find the token in the subject however the client sent it, else at the start of the body', () => {
    const mail = (headers: string, body = '') => `From: a@b.example\r\n${headers}\r\n\r\n${body}`;
    expect(unsubscribeTokenOf(mail(`Subject: unsubscribe ${TOKEN}`))).toBe(TOKEN);
    expect(unsubscribeTokenOf(mail(`Subject: Re: Unsubscribe:\r\n ${TOKEN}`))).toBe(TOKEN);
    expect(
      unsubscribeTokenOf(
        mail(`Subject: =?utf-8?Q?unsubscribe_${TOKEN.replace(/-/g, '=2D').replace(/_/g, '=5F')}?=`),
      ),
    ).toBe(TOKEN);
    expect(
      unsubscribeTokenOf(
        mail(`Subject: =?utf-8?B?${Buffer.from(`unsubscribe ${TOKEN}`).toString('base64')}?=`),
      ),
    ).toBe(TOKEN);
    expect(
      unsubscribeTokenOf(
        mail('Subject: stop', `Please unsubscribe ${TOKEN.slice(0, 10)}=\r\n${TOKEN.slice(10)}\r\n`),
      ),
    ).toBe(TOKEN);
    expect(unsubscribeTokenOf(mail('Subject: unsubscribe me please'))).toBeNull();
    expect(unsubscribeTokenOf('no headers at all')).toBeNull();
  });

  it('never throws on any input', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const token = unsubscribeTokenOf(raw);
        expect(token === null || /^[A-Za-z0-9._~-]+$/.test(token)).toBe(true);
      }),
    );
  });
});
