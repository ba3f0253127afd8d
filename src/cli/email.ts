import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTokenSigner, parseSigningKeys } from '../adapters/hmac-tokens.js';
import type { HeraldConfig } from '../config/validate-config.js';
import { headerText, normaliseEmail } from '../core/email-address.js';
import { errors } from '../errors/index.js';
import type { EmailAddress, MailerPort, TemplatePort, TokenSigner } from '../ports/index.js';
import {
  checkEmailTemplates,
  createEmailTemplates,
  type EmailTemplatesFor,
} from '../stages/email-templates.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface EmailSetup {
  mailer: MailerPort;
  from: EmailAddress;
  replyTo: EmailAddress | null;
  /** Where links in emails point (`herald serve`), ending in "/". */
  publicUrl: string;
  /** One line per choice made from the environment, for output. */
  notes: string[];
}

/** The public address of `herald serve`: config, HERALD_PUBLIC_URL, else where it listens locally. */
export function publicUrlOf(config: HeraldConfig, env: Env): string {
  if (config.email.publicUrl) return config.email.publicUrl;
  if (env.HERALD_PUBLIC_URL) return `${env.HERALD_PUBLIC_URL.replace(/\/+$/, '')}/`;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return `http://${host}:${config.server.port}/`;
}

/**
 * Who release and confirmation emails come from, and where their links point. With SMTP the
 * sender must be configured: mail from a made-up address would be rejected or land in spam.
 */
export function emailSenderOf(
  config: HeraldConfig,
  product: string,
  env: Env = process.env,
): Pick<EmailSetup, 'from' | 'replyTo' | 'publicUrl'> {
  const settings = config.email;
  if (env.SMTP_URL && !settings.from)
    throw errors.usage(
      'SMTP_URL is set but herald.email.from is not',
      'Set herald.email.from in .releaserc.json to an address of your domain (SPF/DKIM must cover it).',
    );
  const address = normaliseEmail(settings.from ?? 'releases@localhost')!;
  return {
    from: { address, name: headerText(settings.fromName ?? `${product} release notes`, 100) },
    replyTo: settings.replyTo ? { address: normaliseEmail(settings.replyTo)!, name: null } : null,
    publicUrl: publicUrlOf(config, env),
  };
}

/**
 * The release-email templates (the runtime's: the repository's template dir over Herald's), every
 * language of them checked now: a misspelt field fails before anything is sent.
 */
export async function chooseEmailTemplates(templates: TemplatePort): Promise<EmailTemplatesFor> {
  const templatesFor = createEmailTemplates(templates);
  await checkEmailTemplates(templates, templatesFor);
  return templatesFor;
}

/** The mailer (SMTP_URL, else the .eml outbox) with the sender and the link base. */
export async function chooseMailer(
  config: HeraldConfig,
  root: string,
  product: string,
  env: Env = process.env,
): Promise<EmailSetup> {
  const settings = config.email;
  const sender = emailSenderOf(config, product, env);
  const smtp = env.SMTP_URL;
  const dkim = smtp ? await dkimOf(config, root, env) : null;
  const mailer = smtp
    ? (await import('../adapters/smtp-mailer.js')).createSmtpMailer({
        url: smtp,
        maxConnections: settings.maxConnections,
        messagesPerSecond: settings.messagesPerSecond,
        dkim,
      })
    : (await import('../adapters/eml-outbox.js')).createEmlOutbox(path.resolve(root, settings.outbox));
  return {
    ...sender,
    mailer,
    notes: [
      `email: ${mailer.description}${smtp ? '' : ' (no SMTP_URL: the embedded default)'}`,
      ...(dkim ? [`email: DKIM-signed as d=${dkim.domainName} s=${dkim.keySelector}`] : []),
    ],
  };
}

/**
 * The DKIM key: herald.email.dkim names the domain and selector; the private key (PEM) comes only
 * from HERALD_DKIM_PRIVATE_KEY (`\n` escapes allowed, as CI secrets often hold one line) or the
 * file HERALD_DKIM_PRIVATE_KEY_FILE names. One without the other is a mistake, said now.
 */
export async function dkimOf(
  config: HeraldConfig,
  root: string,
  env: Env = process.env,
): Promise<{ domainName: string; keySelector: string; privateKey: string } | null> {
  const settings = config.email.dkim;
  const inline = env.HERALD_DKIM_PRIVATE_KEY;
  const file = env.HERALD_DKIM_PRIVATE_KEY_FILE;
  if (!settings) {
    if (inline || file)
      throw errors.usage(
        'a DKIM private key is set (HERALD_DKIM_PRIVATE_KEY or HERALD_DKIM_PRIVATE_KEY_FILE) but herald.email.dkim is not',
        'Add "dkim": {"domainName": "<your domain>", "keySelector": "<selector>"} under herald.email in .releaserc.json.',
      );
    return null;
  }
  let privateKey: string;
  if (inline) privateKey = inline.replace(/\\n/g, '\n');
  else if (file) {
    try {
      privateKey = await readFile(path.resolve(root, file), 'utf8');
    } catch (error) {
      throw errors.usage(
        `HERALD_DKIM_PRIVATE_KEY_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        'Point HERALD_DKIM_PRIVATE_KEY_FILE at the PEM file of the DKIM private key.',
      );
    }
  } else
    throw errors.usage(
      'herald.email.dkim is set but there is no private key to sign with',
      'Set HERALD_DKIM_PRIVATE_KEY to the PEM private key, or HERALD_DKIM_PRIVATE_KEY_FILE to its file (never in .releaserc.json).',
    );
  return { domainName: settings.domainName, keySelector: settings.keySelector, privateKey };
}

/**
 * The link signer: HERALD_EMAIL_SECRET (`secret`, or `kid:secret,old:secret` to rotate), else a
 * random secret kept in `.herald/email-secret` on this machine (fine for one machine; several
 * runners, or a server elsewhere, must share HERALD_EMAIL_SECRET).
 */
export async function chooseTokenSigner(
  root: string,
  env: Env = process.env,
  /** false: only check tokens with a secret that exists (never make one that signed nothing). */
  options: { create?: boolean } = {},
): Promise<{ tokens: TokenSigner; note: string }> {
  if (env.HERALD_EMAIL_SECRET !== undefined) {
    const keys = parseSigningKeys(env.HERALD_EMAIL_SECRET);
    if (!keys)
      throw errors.usage(
        'HERALD_EMAIL_SECRET is not usable',
        'Set it to at least 16 random characters (e.g. `openssl rand -hex 32`), or "kid:secret,oldkid:oldsecret" to rotate.',
      );
    return { tokens: createTokenSigner(keys), note: `link tokens: HERALD_EMAIL_SECRET (key ${keys[0]!.id})` };
  }
  const file = path.join(root, '.herald', 'email-secret');
  let secret: string;
  try {
    secret = (await readFile(file, 'utf8')).trim();
  } catch {
    if (options.create === false)
      throw errors.usage(
        `there is no HERALD_EMAIL_SECRET here, and no ${file}: the tokens in the emails cannot be checked`,
        'Run this where Herald sends from (the repository, or --cwd <repo>), or set HERALD_EMAIL_SECRET to the secret the emails were signed with.',
      );
    secret = randomBytes(32).toString('hex');
    await mkdir(path.dirname(file), { recursive: true });
    try {
      // `wx`: when two processes race, the first file wins and both use it.
      await writeFile(file, `${secret}\n`, { flag: 'wx', mode: 0o600 });
    } catch {
      secret = (await readFile(file, 'utf8')).trim();
    }
  }
  const keys = parseSigningKeys(`local:${secret}`);
  if (!keys)
    throw errors.usage(`${file} does not hold a usable secret`, `Delete ${file}: a new one is made.`);
  return {
    tokens: createTokenSigner(keys),
    note: `link tokens: the secret in ${file} (set HERALD_EMAIL_SECRET when more than one machine sends or serves)`,
  };
}
