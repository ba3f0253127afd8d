import { createHash } from 'node:crypto';
import { encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { encode, wrap } from 'nodemailer/lib/qp';
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

/** One header line, folded at spaces to 76 characters (values are checked printable ASCII). */
const headerLine = (key: string, value: string) => foldLines(`${key}: ${value}`, 76);
/** `Name <address>` or a bare address. */
const mailboxHeader = (box: { name: string; address: string }) =>
  box.name ? `${phrase(box.name)} <${box.address}>` : box.address;
/** A text part: UTF-8, CRLF line ends, quoted-printable, lines at most 76 characters. */
const bodyPart = (type: 'plain' | 'html', content: string) =>
  `Content-Type: text/${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${wrap(
    encode(content.replace(/\r?\n/g, '\r\n')),
    76,
  )}`;

export interface ComposedEmail {
  /** SMTP envelope: the sender and the one recipient. */
  envelope: { from: string; to: string[] };
  /** The whole RFC 5322 message, CRLF line ends, exactly as it goes on the wire. */
  raw: Buffer;
}

/**
 * The one place an `OutgoingEmail` becomes a message, so the SMTP relay and the .eml outbox send
 * the same bytes. Built here rather than by nodemailer's composer: a release email is one fixed
 * shape (multipart/alternative, two UTF-8 quoted-printable parts), and composing it as one string
 * costs a fraction of nodemailer's tree of streams — at 100,000 messages that is most of the
 * difference between Herald and a bare send loop. Headers: `Message-ID` exactly as given;
 * From/To/Reply-To with their display names on one line (`headerText`), quoted or RFC 2047
 * encoded, and addresses re-checked (`normaliseEmail`); the subject on one line; RFC 8058
 * `List-Unsubscribe` (bare `<https://…>`, optionally `, <mailto:…>`) with `List-Unsubscribe-Post`;
 * `List-ID`; no `X-Mailer`. Throws a `permanent` DeliveryFailure when a value cannot be sent safely.
 */
export function composeEmail(email: OutgoingEmail, date: Date = new Date()): ComposedEmail {
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
  const subject = headerText(email.subject);
  // Plain ASCII goes as is; anything else (or text that would read as an encoded word) is encoded.
  const encodedSubject =
    /^[\x20-\x7e]*$/.test(subject) && !subject.includes('=?') ? subject : encodeWords(subject, 'Q', 52, true);

  const lines = [
    headerLine('Message-ID', email.messageId),
    headerLine('Date', date.toUTCString().replace(/GMT$/, '+0000')),
    headerLine('From', mailboxHeader(from)),
    headerLine('To', mailboxHeader(to)),
    ...(replyTo ? [headerLine('Reply-To', mailboxHeader(replyTo))] : []),
    headerLine('Subject', encodedSubject),
  ];
  if (email.unsubscribe !== null) {
    const value = listUnsubscribe(email.unsubscribe);
    if (`List-Unsubscribe: ${value}`.length > 998) throw invalid('the List-Unsubscribe header is too long');
    // Not folded: some receivers read the URI list from the first line only.
    lines.push(`List-Unsubscribe: ${value}`);
    // RFC 8058: one-click only over https (mail providers will not POST elsewhere).
    if (email.unsubscribe.url.startsWith('https://'))
      lines.push('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  }
  if (email.listId !== null) lines.push(headerLine('List-ID', listIdHeader(email.listId)));
  // Quoted-printable text never holds "=_": a boundary starting so cannot occur in a part.
  const boundary = `=_herald_${createHash('sha256').update(email.messageId).digest('hex').slice(0, 24)}`;
  lines.push('MIME-Version: 1.0', `Content-Type: multipart/alternative; boundary="${boundary}"`);

  const raw = [
    lines.join('\r\n'),
    '',
    `--${boundary}`,
    bodyPart('plain', email.text),
    `--${boundary}`,
    bodyPart('html', email.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { envelope: { from: from.address, to: [to.address] }, raw: Buffer.from(raw, 'latin1') };
}
