import type { SendMailOptions } from 'nodemailer';
import { encodeWords } from 'nodemailer/lib/mime-funcs';
import { headerText, normaliseEmail } from '../core/email-address.js';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import type { EmailAddress, OutgoingEmail } from '../ports/mailer.js';

/** `<local@domain>`, printable ASCII, nothing that could end the header or the brackets. */
const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>$/;
/** RFC 5322 atext plus spaces: a phrase that needs neither quoting nor encoding. */
const PLAIN_PHRASE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/;
/** RFC 2919 list-id: a dot-atom with at least one dot. */
const LIST_ID = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)+$/;
const BUG_FIX =
  'This is a bug in Herald (every message is checked before it is sent): please report it with the text above.';

function invalid(message: string, fix: string = BUG_FIX): DeliveryFailure {
  return new DeliveryFailure({ kind: 'permanent', message, fix });
}

/** A value for a message (never the raw input: it may carry line breaks). */
const shown = (text: string) => JSON.stringify(headerText(text, 80));

function mailbox(field: string, value: EmailAddress, fix: string): { name: string; address: string } {
  const address = normaliseEmail(value.address);
  if (address === null)
    throw invalid(`the ${field} address ${shown(value.address)} is not a valid email address`, fix);
  return { name: value.name === null ? '' : headerText(value.name), address };
}

/** A display phrase as a header carries it: as is, quoted, or as RFC 2047 encoded words. */
function phrase(text: string): string {
  if (PLAIN_PHRASE.test(text)) return text;
  if (/^[\x20-\x7e]*$/.test(text)) return `"${text.replace(/(["\\])/g, '\\$1')}"`;
  return encodeWords(text, 'Q', 52, true);
}

/** `<https://…>` or `<https://…>, <mailto:…>`: RFC 8058 wants one https URI; no comment. http only for local rehearsals. */
function listUnsubscribe(unsubscribe: NonNullable<OutgoingEmail['unsubscribe']>): string {
  let url: URL;
  try {
    url = new URL(unsubscribe.url);
  } catch {
    throw invalid(`the unsubscribe URL ${shown(unsubscribe.url)} is not a URL`);
  }
  // http is for local rehearsals (herald serve on loopback): the header stays, one-click does not.
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(`the unsubscribe URL ${shown(unsubscribe.url)} is not https`);
  // URL.href percent-encodes spaces, angle brackets and non-ASCII; check anyway, it goes out raw.
  const uris = [url.href];
  if (unsubscribe.mailto !== null) {
    if (!/^mailto:[\x21-\x3b\x3d\x3f-\x7e]+$/i.test(unsubscribe.mailto))
      throw invalid(`the unsubscribe address ${shown(unsubscribe.mailto)} is not a plain mailto: URI`);
    uris.push(unsubscribe.mailto);
  }
  for (const uri of uris)
    if (!/^[\x21-\x3b\x3d\x3f-\x7e]+$/.test(uri)) throw invalid(`bad URI ${shown(uri)}`);
  return uris.map((uri) => `<${uri}>`).join(', ');
}

/** `List-ID`: `phrase <list.id>` or a bare `list.id`; the phrase encoded on its own when needed. */
function listIdHeader(value: string): string {
  const match = /^(.*?)\s*<([^<>]*)>\s*$/s.exec(value);
  const id = (match ? match[2]! : value).trim();
  if (!LIST_ID.test(id))
    throw invalid(`the List-ID ${shown(value)} has no valid list identifier (list.domain)`);
  const name = match ? headerText(match[1]!) : '';
  return name ? `${phrase(name)} <${id}>` : `<${id}>`;
}

/**
 * The one place an `OutgoingEmail` becomes nodemailer message options, so the SMTP relay and the
 * .eml outbox write the same headers: `Message-ID` exactly as given; From/To/Reply-To with their
 * display names on one line (`headerText`) and addresses re-checked (`normaliseEmail`); the subject
 * on one line; text and html parts in UTF-8; RFC 8058 `List-Unsubscribe` (bare `<https://…>`,
 * optionally `, <mailto:…>`, never nodemailer's `(comment)`) with `List-Unsubscribe-Post`, which
 * nodemailer has no option for; `List-ID`; no `X-Mailer`. The envelope names the one recipient.
 * Throws a `permanent` DeliveryFailure when a value cannot be sent safely.
 */
export function composeEmail(email: OutgoingEmail): SendMailOptions {
  if (!MESSAGE_ID.test(email.messageId))
    throw invalid(`the Message-ID ${shown(email.messageId)} is not <id@domain>`);
  const senderFix = 'Correct the sender (from / reply-to) address in the email settings.';
  const from = mailbox('From', email.from, senderFix);
  const to = mailbox(
    'recipient',
    email.to,
    'Correct or remove the subscriber: the address cannot be mailed as it is.',
  );
  const replyTo = email.replyTo === null ? null : mailbox('Reply-To', email.replyTo, senderFix);

  // `prepared` headers go out verbatim (List-ID folded): every value here is checked printable ASCII.
  const headers: Record<string, { prepared: true; foldLines?: true; value: string }> = {};
  if (email.unsubscribe !== null) {
    headers['List-Unsubscribe'] = { prepared: true, value: listUnsubscribe(email.unsubscribe) };
    // RFC 8058: one-click only over https (mail providers will not POST elsewhere).
    if (email.unsubscribe.url.startsWith('https://'))
      headers['List-Unsubscribe-Post'] = { prepared: true, value: 'List-Unsubscribe=One-Click' };
  }
  if (email.listId !== null)
    headers['List-ID'] = { prepared: true, foldLines: true, value: listIdHeader(email.listId) };
  for (const [key, header] of Object.entries(headers))
    if (!header.foldLines && `${key}: ${header.value}`.length > 998)
      throw invalid(`the ${key} header is too long`);

  return {
    messageId: email.messageId,
    from,
    to,
    ...(replyTo ? { replyTo } : {}),
    subject: headerText(email.subject),
    text: email.text,
    html: email.html,
    textEncoding: 'quoted-printable',
    headers,
    envelope: { from: from.address, to: [to.address] },
    xMailer: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
