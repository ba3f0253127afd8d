import { createHash, randomBytes } from 'node:crypto';
import { access, constants, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DeliveryFailure } from '../errors/delivery-failure.js';
import type { MailerPort, MailReceipt, VerifyFinding } from '../ports/index.js';
import { composeEmail } from './compose-email.js';

/**
 * A Message-ID as a file name: the angle brackets dropped, every character outside
 * `A-Za-z0-9._@+=-` (and a leading dot) written as `%XX`, so distinct IDs never share a file;
 * a very long ID keeps a prefix and its hash.
 */
export function emlFileName(messageId: string): string {
  const bare = messageId.replace(/^<|>$/g, '');
  let name = Array.from(Buffer.from(bare, 'utf8'))
    .map((byte, i) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9._@+=-]/.test(char) && !(i === 0 && char === '.')
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  if (name.length > 200) name = `${name.slice(0, 120)}~${createHash('sha256').update(bare).digest('hex')}`;
  return `${name}.eml`;
}

/**
 * The embedded default when no SMTP_URL is set: every message is written, exactly as SMTP would
 * carry it (CRLF, same headers, from compose-email.ts), to `<dir>/<message id>.eml`. The file is
 * written whole (temp + rename), and sending the same Message-ID again replaces it, as a resend
 * after a crash should.
 */
export function createEmlOutbox(dir: string): MailerPort {
  const failureOf = (error: unknown, file: string): DeliveryFailure => {
    const code = (error as { code?: string }).code ?? '';
    const message = `could not write ${file}: ${(error as Error).message ?? String(error)}`;
    // The rename is atomic: nothing was delivered, so a retry is always safe.
    if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR'].includes(code))
      return new DeliveryFailure({
        kind: 'permanent',
        message,
        fix: `Make ${dir} a writable directory, or set SMTP_URL to send through a relay instead.`,
      });
    return new DeliveryFailure({ kind: 'retryable', message });
  };

  return {
    description: `email outbox in ${dir}`,
    concurrency: 4,

    async send(email, signal): Promise<MailReceipt> {
      if (signal?.aborted)
        throw new DeliveryFailure({
          kind: 'retryable',
          message: 'sending was cancelled before the message was written',
        });
      // Throws a permanent DeliveryFailure for a value that cannot be sent safely: nothing is written.
      const { raw } = composeEmail(email);
      const file = path.join(dir, emlFileName(email.messageId));
      const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(temp, raw);
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => {});
        throw failureOf(error, file);
      }
      return { response: `written to ${file}` };
    },

    async verify(): Promise<VerifyFinding[]> {
      try {
        await mkdir(dir, { recursive: true });
        await access(dir, constants.W_OK);
        return [{ ok: true, check: 'email outbox', detail: `messages are written to ${dir}` }];
      } catch (error) {
        const failure = failureOf(error, dir);
        return [
          {
            ok: false,
            check: 'email outbox',
            detail: failure.message,
            fix: failure.fix ?? `Make ${dir} a writable directory.`,
          },
        ];
      }
    },

    async close() {},
  };
}
