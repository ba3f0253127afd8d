import { Readable } from 'node:stream';
import nodemailer, { type SMTPPoolOptions } from 'nodemailer';
import { errors } from '../errors/index.js';
import type { MailerPort, MailReceipt, VerifyFinding } from '../ports/index.js';
import { composeEmail } from './compose-email.js';
import { checkDkimDns, createDkimSigner, type DkimSettings, dkimKeyProblem } from './dkim.js';
import { smtpFailure } from './smtp-failure.js';

export interface SmtpMailerSettings {
  /**
   * SMTP_URL: `smtp://user:password@host:port` (STARTTLS when the server offers it) or
   * `smtps://…` (TLS from the start, port 465 by default). `?tls=off` never starts TLS (a local
   * relay), `?tls=required` refuses to send without STARTTLS. The password is percent-encoded.
   */
  url: string;
  /** Connections in the pool, and so messages in flight at once. */
  maxConnections?: number;
  /** The relay's sending rate limit, if it has one; null sends as fast as the pool allows. */
  messagesPerSecond?: number | null;
  /** Connecting, the greeting, and any silence from the server once connected. */
  timeoutMs?: number;
  /** Sign each message with this key; null: the relay must sign (RFC 8058 needs a signature). */
  dkim?: DkimSettings | null;
  /** For `verify`: how the selector's TXT record is looked up (tests pass their own). */
  resolveTxt?: (name: string) => Promise<string[][]>;
}

interface ParsedSmtpUrl {
  host: string;
  port: number | undefined;
  secure: boolean;
  user: string;
  pass: string;
  tls: 'opportunistic' | 'off' | 'required';
  /** The URL with the password replaced: safe for output. */
  shown: string;
}

const URL_FIX =
  'Set SMTP_URL to smtp://user:password@host:587 (or smtps://user:password@host:465), percent-encoding special characters in the user and password; add ?tls=off only for a local relay without TLS.';

function parseSmtpUrl(text: string): ParsedSmtpUrl {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    // Never echo the value: it holds the password.
    throw errors.usage('SMTP_URL is not a URL', URL_FIX);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw errors.usage(`SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`, URL_FIX);
  if (!url.hostname) throw errors.usage('SMTP_URL has no host', URL_FIX);
  const secure = url.protocol === 'smtps:';
  let tls: ParsedSmtpUrl['tls'] = 'opportunistic';
  for (const [key, value] of url.searchParams) {
    if (key === 'tls' && !secure && (value === 'off' || value === 'required')) tls = value;
    else throw errors.usage(`SMTP_URL has an unknown setting ?${key}=${value}`, URL_FIX);
  }
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw errors.usage('SMTP_URL has a badly percent-encoded user or password', URL_FIX);
    }
  };
  const user = decode(url.username);
  const pass = decode(url.password);
  const userInfo = url.password ? `${url.username}:[redacted]@` : url.username ? `${url.username}@` : '';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : undefined,
    secure,
    user,
    pass,
    tls,
    shown: `${url.protocol}//${userInfo}${url.host}${url.search}`,
  };
}

/** nodemailer's pool: no retries inside it (maxRequeues 0), every timeout set, no file or URL access. */
function poolOptions(
  smtp: ParsedSmtpUrl,
  {
    maxConnections,
    messagesPerSecond,
    timeoutMs,
  }: { maxConnections: number; messagesPerSecond: number | null; timeoutMs: number },
): SMTPPoolOptions & { pool: true } {
  const rate =
    messagesPerSecond === null
      ? {}
      : messagesPerSecond >= 1
        ? { rateLimit: Math.floor(messagesPerSecond), rateDelta: 1000 }
        : { rateLimit: 1, rateDelta: Math.ceil(1000 / messagesPerSecond) };
  return {
    pool: true,
    host: smtp.host,
    ...(smtp.port === undefined ? {} : { port: smtp.port }),
    secure: smtp.secure,
    ...(smtp.tls === 'off' ? { ignoreTLS: true } : {}),
    ...(smtp.tls === 'required' ? { requireTLS: true } : {}),
    ...(smtp.user || smtp.pass ? { auth: { user: smtp.user, pass: smtp.pass } } : {}),
    maxConnections,
    maxRequeues: 0,
    ...rate,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** DKIM: the selector's public key in DNS when Herald signs; otherwise what the relay must sign. */
async function verifyDkim(
  dkim: DkimSettings | null,
  resolveTxt: SmtpMailerSettings['resolveTxt'],
): Promise<VerifyFinding> {
  if (dkim) return checkDkimDns(dkim, resolveTxt);
  return {
    ok: true,
    check: 'DKIM',
    detail:
      'Herald does not sign (no herald.email.dkim): the relay must sign with DKIM covering List-Unsubscribe and List-Unsubscribe-Post, or mail clients offer no one-click unsubscribe (RFC 8058)',
    fix: 'Check that the relay signs both headers (h= of its DKIM-Signature), or set herald.email.dkim and HERALD_DKIM_PRIVATE_KEY to sign here.',
  };
}

interface PoolMail {
  data: { signal?: AbortSignal };
  message: {
    getEnvelope(): { from: string; to: string[] };
    messageId(): string;
    getHeader(key: string): string | undefined;
    createReadStream(): Readable;
  };
}
interface Pool {
  send(mail: PoolMail, callback: (error: Error | null, info?: { response?: unknown }) => void): boolean;
}

/**
 * An SMTP relay through a nodemailer pool (`pool: true`, one transport per run). Nodemailer never
 * retries on its own here (`maxRequeues: 0`): the engine decides, from the DeliveryFailure kind.
 *
 * Which stage a failure happened in, as read from nodemailer 10.6.0
 * (dist/esm/smtp-connection/index.js, dist/esm/smtp-pool/pool-resource.js):
 * - A server reply carries `responseCode` (and `response`, the reply text) whatever the stage:
 *   `_formatError` sets it from the reply (smtp-connection/index.js:944-951), and `command` names
 *   the command it answered: 'MAIL FROM' (:1799), 'RCPT TO' (:1821, :1885), 'DATA' for the reply to
 *   DATA (:1923) and for the reply after the final dot (:1947), 'AUTH …' (:560, :1775). A reply is
 *   the server's own word that it did not take the message: 4xx → `retryable` (and 503, "bad
 *   sequence", which nodemailer's isPermanentResponseCode also treats as transient, errors.js:94),
 *   5xx → `permanent`; EAUTH with 5xx (535) → `permanent` with a fix about SMTP_URL credentials.
 * - A lost connection or a timeout carries no reply and always says `command: 'CONN'`
 *   (`_onClose` :1003, `_onTimeout` :1027, socket errors :181), whatever was in flight, so
 *   `command` cannot tell the stage. What can: the message stream is piped into the socket only
 *   after the server answered DATA with 354 (`send` → `_setEnvelope` callback → `message.pipe`,
 *   :695-727), so it has been read (`readableDidRead`) exactly when message data started going out.
 *   Nodemailer's own pool uses that same test to decide a message is safe to requeue
 *   (pool-resource.js:210: `reused && messageStream.readableDidRead === false && isTransientError`).
 *   Herald makes that stream (see PoolMail) and reads the flag when the send fails: not read → `retryable`
 *   (the server cannot have the message); read → `ambiguous` (it may have accepted it, e.g. the
 *   250 after the final dot was lost). A cancelled send (EABORT) follows the same rule.
 * - With `maxRequeues: 0`, a connection that closes before any data on a reused connection fails
 *   with 'Reached maximum number of retries after connection was closed' (ECONNECTION, no
 *   command): not read, so `retryable`. That path (pool-resource.js:210 → smtp-pool `close` handler)
 *   drops the original error, so a 421 or a timeout before DATA on a reused connection reaches us
 *   as a bare "connection closed": the kind is right, the reply text and status are lost.
 */
export function createSmtpMailer(settings: SmtpMailerSettings): MailerPort {
  const { maxConnections = 5, messagesPerSecond = null, timeoutMs = 30_000 } = settings;
  const smtp = parseSmtpUrl(settings.url);
  if (!Number.isInteger(maxConnections) || maxConnections < 1)
    throw errors.usage(
      `the SMTP pool size must be a whole number of at least 1, not ${maxConnections}`,
      URL_FIX,
    );
  if (messagesPerSecond !== null && !(messagesPerSecond > 0))
    throw errors.usage(`the SMTP sending rate must be above 0, not ${messagesPerSecond}`, URL_FIX);
  const where = `${smtp.host}:${smtp.port ?? (smtp.secure ? 465 : 587)}`;
  const dkim = settings.dkim ?? null;
  const keyProblem = dkim ? dkimKeyProblem(dkim.privateKey) : null;
  if (keyProblem)
    throw errors.usage(
      `the DKIM private key ${keyProblem}`,
      'Set HERALD_DKIM_PRIVATE_KEY (or HERALD_DKIM_PRIVATE_KEY_FILE) to the RSA private key in PEM whose public half the selector publishes.',
    );
  // Signing streams the message through nodemailer's DKIM signer: the pool reads it after 354.
  const sign = dkim ? createDkimSigner(dkim) : (raw: Buffer) => Readable.from([raw], { objectMode: false });
  const description = `SMTP relay ${smtp.shown}`;

  // Anything printed from here passes this: a server could echo what it was sent.
  const secrets = smtp.pass.length >= 3 ? [smtp.pass, encodeURIComponent(smtp.pass)] : [];
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);

  const transporter = nodemailer.createTransport(
    poolOptions(smtp, { maxConnections, messagesPerSecond, timeoutMs }),
  );
  const pool = (transporter as unknown as { transporter: Pool }).transporter;

  const relay = { where, description, timeoutMs, tlsRequired: smtp.tls === 'required', scrub };
  const failureOf = (error: unknown, dataSent: boolean) => smtpFailure(error, dataSent, relay);

  return {
    description,
    concurrency: maxConnections,

    async send(email, signal): Promise<MailReceipt> {
      const { envelope, raw } = composeEmail(email);
      // Read only once the server has answered DATA with 354: `readableDidRead` tells the stage.
      const stream = sign(raw);
      const messageId = email.messageId;
      const mail: PoolMail = {
        data: signal ? { signal } : {},
        message: {
          getEnvelope: () => envelope,
          messageId: () => messageId,
          getHeader: (key) => (key.toLowerCase() === 'message-id' ? messageId : undefined),
          createReadStream: () => stream,
        },
      };
      try {
        const info = await new Promise<{ response?: unknown }>((resolve, reject) => {
          pool.send(mail, (error, result) => (error ? reject(error) : resolve(result ?? {})));
        });
        return { response: scrub(String(info.response ?? '')) };
      } catch (error) {
        throw failureOf(error, stream.readableDidRead);
      }
    },

    async verify(): Promise<VerifyFinding[]> {
      return [await verifyRelay(), await verifyDkim(dkim, settings.resolveTxt)];
    },

    async close() {
      transporter.close();
    },
  };

  async function verifyRelay(): Promise<VerifyFinding> {
    try {
      await transporter.verify();
      return {
        ok: true,
        check: 'SMTP relay',
        detail: `${description} answered${smtp.user || smtp.pass ? ' and accepted the login' : ''}`,
      };
    } catch (error) {
      const failure = failureOf(error, false);
      return {
        ok: false,
        check: 'SMTP relay',
        detail: failure.message,
        fix: failure.fix ?? 'Check SMTP_URL, and that the relay is reachable from here.',
      };
    }
  }
}
