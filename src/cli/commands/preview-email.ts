import { type Unsubscribe, unsubscribeLinks } from '../../channels/email.js';
import { errors } from '../../errors/index.js';
import type { Subscriber } from '../../model/index.js';
import type { EmailAddress, StorePort } from '../../ports/index.js';
import type { EmailTemplatesFor } from '../../stages/email-templates.js';
import { chooseEmailTemplates, chooseTokenSigner, emailSenderOf } from '../email.js';
import type { Runtime } from '../runtime.js';

/** Who the email preview is for, and the settings it is sent with. */
export interface EmailPreview {
  subscriber: Pick<Subscriber, 'id' | 'email' | 'name' | 'locale' | 'topics'>;
  unsubscribe: Unsubscribe;
  from: EmailAddress;
  replyTo: EmailAddress | null;
  audience: string;
  templatesFor: EmailTemplatesFor;
}

/**
 * `--subscriber a@b.c`: exactly their email (topics, language, their own unsubscribe link);
 * without it, a subscriber of every topic in the default language, with a placeholder link.
 */
export async function emailPreviewFor(
  runtime: Pick<Runtime, 'config' | 'product' | 'templates' | 'root'>,
  store: StorePort,
  address: string | null,
): Promise<EmailPreview> {
  const setup = emailSenderOf(runtime.config, runtime.product);
  const links = {
    publicUrl: setup.publicUrl,
    unsubscribeMailbox: runtime.config.email.unsubscribeMailbox ?? null,
  };
  const base = {
    from: setup.from,
    replyTo: setup.replyTo,
    audience: runtime.config.email.audience,
    templatesFor: await chooseEmailTemplates(runtime.templates),
  };
  if (address === null)
    return {
      ...base,
      subscriber: { id: 0, email: 'subscriber@example.com', name: null, locale: null, topics: 'all' },
      unsubscribe: unsubscribeLinks('TOKEN', links),
    };
  const subscriber = await store.findSubscriber(runtime.product, address.trim().toLowerCase());
  if (!subscriber)
    throw errors.usage(
      `${address} is not a subscriber of ${runtime.product}`,
      'Run `herald subscribers list` to see who is, or leave out --subscriber for a sample.',
    );
  const { tokens } = await chooseTokenSigner(runtime.root);
  return {
    ...base,
    subscriber,
    unsubscribe: unsubscribeLinks(tokens.sign('unsubscribe', subscriber.id), links),
  };
}
