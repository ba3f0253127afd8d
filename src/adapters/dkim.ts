import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import type { Readable } from 'node:stream';
import DKIM from 'nodemailer/lib/dkim';
import type { VerifyFinding } from '../ports/index.js';

export interface DkimSettings {
  domainName: string;
  keySelector: string;
  /** PEM, RSA. */
  privateKey: string;
}

/**
 * The headers Herald signs. RFC 8058 §4: "The List-Unsubscribe and List-Unsubscribe-Post headers
 * MUST be covered by the signature and included in the 'h=' tag"; nodemailer's default list
 * leaves List-Unsubscribe-Post out, so it is named here.
 */
export const DKIM_SIGNED_HEADERS =
  'From:Reply-To:Subject:Date:Message-ID:To:MIME-Version:Content-Type:List-Id:List-Unsubscribe:List-Unsubscribe-Post';

/** Why a PEM cannot sign (null: it can): RSA private keys only, as nodemailer signs rsa-sha256. */
export function dkimKeyProblem(pem: string): string | null {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    return 'is not a PEM private key';
  }
  if (key.asymmetricKeyType !== 'rsa')
    return `is a ${key.asymmetricKeyType} key; DKIM signing here needs RSA`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024) return `has ${bits} bits; receivers want at least 1024 (2048 recommended)`;
  return null;
}

/**
 * A signer for finished messages, through nodemailer's DKIM module (relaxed/relaxed, rsa-sha256).
 * It streams: the body is hashed as it passes, the DKIM-Signature header goes out first, and the
 * message follows; nothing is written to disk (messages are far below its 10 MB cache threshold).
 */
export function createDkimSigner(settings: DkimSettings): (raw: Buffer) => Readable {
  const dkim = new DKIM({
    domainName: settings.domainName,
    keySelector: settings.keySelector,
    privateKey: settings.privateKey,
    headerFieldNames: DKIM_SIGNED_HEADERS,
  });
  return (raw) => dkim.sign(raw);
}

/** The p= value a selector's TXT record must publish for this key: its SPKI DER, base64. */
export function dkimPublicKey(privateKey: string): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
}

type ResolveTxt = (name: string) => Promise<string[][]>;
/** Answers that mean "DNS said there is no such record", as opposed to "DNS could not be asked". */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA']);

/** A resolver that gives up fast: `herald doctor` must not hang on a machine without DNS. */
export function quickResolveTxt(timeoutMs = 2000): ResolveTxt {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  return (name) => resolver.resolveTxt(name);
}

/**
 * `herald doctor`: the selector's TXT record publishes this key. Offline, or with DNS failing, it
 * says it could not check (not a failure: the record may well be right).
 */
export async function checkDkimDns(
  settings: DkimSettings,
  resolveTxt: ResolveTxt = quickResolveTxt(),
): Promise<VerifyFinding> {
  const name = `${settings.keySelector}._domainkey.${settings.domainName}`;
  const check = 'DKIM key in DNS';
  let records: string[][];
  try {
    records = await resolveTxt(name);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    // A resolver cut off from the internet may answer "no such name" for everything: only when
    // DNS knows the domain itself does a missing selector record mean it is really missing.
    if (NO_RECORD.has(code) && !(await domainKnown(settings.domainName, resolveTxt)))
      return {
        ok: true,
        check,
        detail: `could not check ${name}: DNS does not know ${settings.domainName} (offline, or not a public domain)`,
      };
    if (NO_RECORD.has(code))
      return {
        ok: false,
        check,
        detail: `no TXT record at ${name}`,
        fix: `Publish "v=DKIM1; k=rsa; p=${dkimPublicKey(settings.privateKey)}" as the TXT record of ${name}.`,
      };
    return { ok: true, check, detail: `could not check ${name}: DNS did not answer (${code})` };
  }
  const published = records
    .map((chunks) => chunks.join(''))
    .map((text) => /(?:^|;)\s*p=([^;]*)/.exec(text)?.[1]?.replace(/\s+/g, '') ?? null)
    .filter((p): p is string => p !== null);
  const expected = dkimPublicKey(settings.privateKey);
  if (published.includes(expected))
    return { ok: true, check, detail: `${name} publishes the key Herald signs with` };
  return {
    ok: false,
    check,
    detail:
      published.length === 0
        ? `${name} has no DKIM key (p=) in its TXT record`
        : `${name} publishes another key than HERALD_DKIM_PRIVATE_KEY's: receivers will fail the signature`,
    fix: `Publish "v=DKIM1; k=rsa; p=${expected}" at ${name}, or use the private key that matches the record.`,
  };
}

/** Whether DNS has the domain at all: any TXT answer, or "no TXT here" (ENODATA), says it does. */
async function domainKnown(domain: string, resolveTxt: ResolveTxt): Promise<boolean> {
  try {
    await resolveTxt(domain);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'ENODATA';
  }
}
