import type { NodemailerError } from 'nodemailer';
import { DeliveryFailure } from '../errors/delivery-failure.js';

/**
 * What a failed SMTP exchange means: refused (permanent, with the fix), deferred or never sent
 * (retryable), or lost after the message data went out (ambiguous: the relay may have it).
 */

/** The relay as failures name it; `scrub` removes the password from anything the server echoed. */
export interface SmtpRelay {
  where: string;
  description: string;
  timeoutMs: number;
  /** SMTP_URL asked for STARTTLS (`?tls=required`). */
  tlsRequired: boolean;
  scrub: (text: string) => string;
}

const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

export function smtpFailure(error: unknown, dataSent: boolean, relay: SmtpRelay): DeliveryFailure {
  const { where, description, timeoutMs, tlsRequired, scrub } = relay;
  const e = (error ?? {}) as NodemailerError;
  const code = e.responseCode;
  const reply = typeof e.response === 'string' ? scrub(e.response.split('\n')[0]!.trim()) : '';
  const at = e.command && e.command !== 'CONN' && e.command !== 'API' ? ` at ${e.command}` : '';
  const status = code ?? null;

  if ((e.code === 'EAUTH' || e.code === 'ENOAUTH') && !(code && code < 500))
    return new DeliveryFailure({
      kind: 'permanent',
      status,
      message: `${description} refused the login${reply ? ` (${reply})` : ''}`,
      fix: 'Check the user and password in SMTP_URL (smtp://user:password@host, password percent-encoded) against the relay account.',
    });
  if (code !== undefined && code >= 400 && code < 600) {
    const permanent = code >= 500 && code !== 503;
    return new DeliveryFailure({
      kind: permanent ? 'permanent' : 'retryable',
      status,
      message: `${permanent ? 'the SMTP server refused the message' : 'the SMTP server deferred the message'}${at}: ${reply}`,
      ...(permanent ? { fix: permanentFix(code, e.command) } : {}),
    });
  }
  if (e.code === 'EABORT')
    return new DeliveryFailure({
      kind: dataSent ? 'ambiguous' : 'retryable',
      message: dataSent
        ? 'sending was cancelled while the message data was going out: the server may have accepted it'
        : 'sending was cancelled before the message data went out',
    });
  const original = e.originalCode ?? '';
  if (CERTIFICATE.test(original) || /certificate/i.test(e.message ?? ''))
    return new DeliveryFailure({
      kind: 'permanent',
      message: `the TLS certificate of ${where} was refused (${original || scrub(e.message ?? '')})`,
      fix: 'Fix the relay certificate (expired, self-signed or for another name), or, for a local relay only, add ?tls=off to SMTP_URL.',
    });
  if (e.code === 'EREQUIRETLS' || (tlsRequired && e.code === 'ETLS' && !dataSent))
    return new DeliveryFailure({
      kind: 'permanent',
      message: `${where} does not offer the TLS that SMTP_URL requires`,
      fix: 'Use a relay that supports STARTTLS, or smtps:// if it listens for TLS directly.',
    });
  if (
    ['EENVELOPE', 'EMESSAGE', 'ESTREAM', 'ECONFIG', 'EMAXRECIPIENTS', 'EFILEACCESS', 'EURLACCESS'].includes(
      e.code ?? '',
    )
  )
    return new DeliveryFailure({
      kind: 'permanent',
      message: `the message could not be sent as composed: ${scrub(e.message ?? String(error))}`,
      fix: /larger than allowed/.test(e.message ?? '')
        ? 'The message is larger than the server accepts: shorten the release notes email.'
        : 'This is a bug in Herald (every message is checked before it is sent): please report it with the text above.',
    });

  // No reply from the server: the connection failed, timed out or was closed.
  const cause =
    e.code === 'ETIMEDOUT'
      ? `no answer within ${timeoutMs} ms`
      : original || (e.code === 'EDNS' ? 'host not found' : 'connection lost');
  if (dataSent)
    return new DeliveryFailure({
      kind: 'ambiguous',
      message: `the connection to ${where} failed after the message data was sent (${cause}): the server may have accepted it`,
    });
  const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(
    original,
  );
  return new DeliveryFailure({
    kind: 'retryable',
    message: `the connection to ${where} failed before the message data was sent (${cause})`,
    ...(unreachable || e.code === 'EDNS'
      ? { fix: 'Check the host and port in SMTP_URL, and that the relay is reachable from here.' }
      : {}),
  });
}

/** A 5xx reply, explained for the person running Herald. */
function permanentFix(code: number, command: string | undefined): string {
  if (command === 'STARTTLS')
    return 'The relay does not offer STARTTLS: drop ?tls=required from SMTP_URL, or use smtps:// if it listens for TLS directly.';
  if (command === 'RCPT TO' && [550, 551, 553].includes(code))
    return 'The receiving server refused the address: check it with the subscriber, or remove them.';
  if (command === 'MAIL FROM')
    return 'The relay refused the sender address: use a from address this relay (and your SPF/DKIM setup) is allowed to send for.';
  if (code === 552) return 'The message is larger than the server accepts: shorten the release notes email.';
  if (code === 530)
    return 'The relay wants a login: put the user and password in SMTP_URL (smtp://user:password@host).';
  if (command === 'DATA' || code === 554)
    return "The server refused the message itself (policy or spam filtering): read its reply above, and check the sending domain's SPF, DKIM and DMARC.";
  return "Read the server's reply above; the same message will be refused again until that is fixed.";
}

/**
 * What nodemailer's pool reads of a message (its transport interface: `mail.data`, and
 * `mail.message` with getEnvelope, messageId, getHeader and createReadStream; smtp-pool/index.js
 * send/_processMessages, pool-resource.js send). Herald composes the whole message itself, so the
 * pool is handed the finished bytes directly: going through `sendMail` would build a MIME tree,
 * run the plugin steps and a pipeline of streams per message just to pass the same bytes on,
 * which halves the rate a pool can send at.
 */
