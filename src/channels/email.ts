import { createHash } from 'node:crypto';
import { emailKeys } from '../core/delivery-ops/index.js';
import { headerText } from '../core/email-address.js';
import { emailView, notesForTopics } from '../core/email-message.js';
import { escapeHtml } from '../core/html-text.js';
import { unsubscribeMailto } from '../core/unsubscribe-mail.js';
import { deliveryFailures } from '../errors/delivery-failures.js';
import { HeraldError } from '../errors/index.js';
import {
  CHANNEL_PHASE,
  type PlannedDelivery,
  type ReleaseBundle,
  type ReleaseNotes,
  type Subscriber,
} from '../model/index.js';
import type {
  Channel,
  EmailAddress,
  MailerPort,
  OutgoingEmail,
  StorePort,
  TokenSigner,
} from '../ports/index.js';
import type { EmailTemplatesFor, ReleaseEmail } from '../stages/email-templates.js';
import { releaseNotesUrls } from './release-notes-url.js';

export const EMAIL_TARGET = 'email';

export interface EmailChannelSettings {
  /** Which notes subscribers get. */
  audience: string;
  from: EmailAddress;
  replyTo: EmailAddress | null;
  /** `herald serve`'s public address, ending in "/": unsubscribe links point there. */
  publicUrl: string;
  /** Where mailed unsubscribe requests go (List-Unsubscribe `mailto:`), if anywhere. */
  unsubscribeMailbox: string | null;
  /**
   * After a crash between sending and recording, a message may or may not have gone out:
   * `resend` sends it again with the same Message-ID (mail software may drop the copy),
   * `skip` records it as skipped, with why (`herald status` lists them).
   */
  unknown: 'resend' | 'skip';
  /** The help-centre site whose release-notes article the email links to (null: none). */
  helpCenterSite: string | null;
}

const UNSUBSCRIBE_PLACEHOLDER = 'https://unsubscribe.herald.invalid/placeholder';

/** A subscriber's own unsubscribe link, and the mailto: that does the same (when configured). */
export interface Unsubscribe {
  url: string;
  mailto: string | null;
}

/** The unsubscribe link and mailto: that carry this token. */
export function unsubscribeLinks(
  token: string,
  settings: Pick<EmailChannelSettings, 'publicUrl' | 'unsubscribeMailbox'>,
): Unsubscribe {
  return {
    url: `${settings.publicUrl}unsubscribe?token=${encodeURIComponent(token)}`,
    mailto: settings.unsubscribeMailbox ? unsubscribeMailto(settings.unsubscribeMailbox, token) : null,
  };
}

/**
 * One subscriber's release email, exactly as it is sent (null: nothing in the release for their
 * topics). `herald preview --channel email` shows the same.
 */
export async function emailFor(
  bundle: ReleaseBundle,
  subscriber: Pick<Subscriber, 'id' | 'email' | 'name' | 'locale' | 'topics'>,
  settings: Pick<EmailChannelSettings, 'from' | 'replyTo'>,
  input: { notes: ReleaseNotes; url: string | null; unsubscribe: Unsubscribe },
  templatesFor: EmailTemplatesFor,
  /** Renders kept per (topics, locale, link): most subscribers share one, only their link differs. */
  cache?: Map<string, ReleaseEmail | null>,
): Promise<OutgoingEmail | null> {
  const key = `${JSON.stringify(subscriber.topics)}|${subscriber.locale ?? ''}|${input.url ?? ''}`;
  let rendered = cache?.get(key);
  if (rendered === undefined) {
    const templates = await templatesFor(subscriber.locale);
    const view = emailView({
      notes: input.notes,
      topics: subscriber.topics,
      product: bundle.product,
      package: bundle.package,
      version: bundle.version,
      url: input.url,
      unsubscribeUrl: UNSUBSCRIBE_PLACEHOLDER,
      locale: subscriber.locale,
      words: templates.words,
    });
    rendered = view ? templates.render(view) : null;
    cache?.set(key, rendered);
  }
  if (!rendered) return null;
  // The placeholder has no character HTML escapes; the real link is escaped for the HTML part.
  const email = {
    subject: rendered.subject,
    text: rendered.text.replaceAll(UNSUBSCRIBE_PLACEHOLDER, input.unsubscribe.url),
    html: rendered.html.replaceAll(UNSUBSCRIBE_PLACEHOLDER, escapeHtml(input.unsubscribe.url)),
  };
  const domain = settings.from.address.split('@')[1] ?? 'localhost';
  const release = `${bundle.product}|${bundle.package ?? ''}|${bundle.version}`;
  return {
    // The same for every attempt at this recipient and release: a resend is recognisably the same message.
    messageId: `<herald.${sha(`${release}|${subscriber.id}`).slice(0, 32)}@${domain}>`,
    from: settings.from,
    to: { address: subscriber.email, name: subscriber.name },
    replyTo: settings.replyTo,
    subject: email.subject,
    text: email.text,
    html: email.html,
    unsubscribe: input.unsubscribe,
    listId: `${bundle.product} release notes <${sha(bundle.product).slice(0, 12)}.releases.${domain}>`,
  };
}

/** Subscribers are read from the store in pages this large: memory does not grow with the list. */
const PAGE = 1000;
/** Sending reads subscribers ahead in pages this large, each trusted this long. */
const AHEAD = 100;
const AHEAD_MS = 1000;

/**
 * The confirmed subscribers of a product, read ahead a page at a time: the engine sends in id
 * order, and one read for a hundred messages instead of one each is a few percent of a large
 * run. A page is used for a second at most, so someone who leaves is no longer mailed within a
 * second (as good as a read per message: their request could as well arrive just after it).
 */
function readAhead(store: Pick<StorePort, 'listSubscribers'>) {
  interface Window {
    product: string;
    from: number;
    to: number;
    loadedAt: number;
    rows: Map<number, Subscriber>;
  }
  let windows: Window[] = [];
  return async (product: string, id: number): Promise<Subscriber | 'not confirmed'> => {
    const now = Date.now();
    windows = windows.filter((w) => now - w.loadedAt < AHEAD_MS);
    let window = windows.find((w) => w.product === product && w.from <= id && id <= w.to);
    if (!window) {
      const page = await store.listSubscribers(product, {
        statuses: ['confirmed'],
        afterId: id - 1,
        limit: AHEAD,
      });
      window = {
        product,
        from: id,
        to: page.length < AHEAD ? Number.POSITIVE_INFINITY : page.at(-1)!.id,
        loadedAt: now,
        rows: new Map(page.map((s) => [s.id, s])),
      };
      windows.push(window);
    }
    return window.rows.get(id) ?? 'not confirmed';
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Release-note emails to subscribers: one ledger row per recipient (`to:<subscriber id>`), so a
 * crash leaves at most as many `unknown` rows as messages in flight (the mailer's pool). Only
 * confirmed subscribers whose topics the release touches are planned; one who leaves before their
 * turn is skipped. A correction of an announced release sends nothing: an email cannot be edited.
 */
export function createEmailChannel(
  mailer: MailerPort,
  store: Pick<StorePort, 'listSubscribers' | 'getSubscriber' | 'readTargetObjects'>,
  tokens: () => Promise<TokenSigner>,
  templatesFor: EmailTemplatesFor,
  settings: EmailChannelSettings,
): Channel {
  const notesUrl = releaseNotesUrls(store, settings.helpCenterSite);
  const confirmed = readAhead(store);
  const renders = new WeakMap<ReleaseBundle, Map<string, ReleaseEmail | null>>();
  const notesOf = (bundle: ReleaseBundle) => bundle.notes[settings.audience]?.model ?? null;
  const subscriberOf = (key: string) => {
    const op = emailKeys.parse(key);
    if (!op) throw deliveryFailures.unknownDelivery('email', key);
    return op.subscriber;
  };

  return {
    target: EMAIL_TARGET,
    description: mailer.description,
    site: EMAIL_TARGET,
    concurrency: mailer.concurrency,
    // A message takes milliseconds: leasing a few at a time would make claiming half the work.
    claimBatch: 100,

    plan({ record, bundle }) {
      const notes = notesOf(bundle);
      if (record.status === 'announced' || !notes) return emptyPlan();
      return planEmails(store, bundle.product, notes);
    },

    async deliver(row, { bundle }) {
      const id = subscriberOf(row.key);
      const ahead = await confirmed(bundle.product, id);
      // Not among the confirmed read ahead: read alone, for the status to report (or a late confirmation).
      const subscriber = ahead === 'not confirmed' ? await store.getSubscriber(id) : ahead;
      if (subscriber?.status !== 'confirmed')
        return {
          externalId: null,
          url: null,
          skipped: `subscriber ${id} is ${subscriber?.status ?? 'removed'} now`,
        };
      const notes = notesOf(bundle);
      if (!notes)
        throw deliveryFailures.noNotes(
          settings.audience,
          'the email',
          'herald.email.audience',
          Object.keys(bundle.notes),
        );
      const unsubscribe = unsubscribeLinks((await tokens()).sign('unsubscribe', id), settings);
      let cache = renders.get(bundle);
      if (!cache) {
        cache = new Map();
        renders.set(bundle, cache);
      }
      let email: OutgoingEmail | null;
      try {
        email = await emailFor(
          bundle,
          subscriber,
          settings,
          { notes, url: await notesUrl(bundle), unsubscribe },
          templatesFor,
          cache,
        );
      } catch (error) {
        // A template of the subscriber's language that does not render: nothing was sent.
        if (!(error instanceof HeraldError)) throw error;
        throw deliveryFailures.notRendered(error.message, error.fix, undefined, '--channel email');
      }
      if (!email)
        return { externalId: null, url: null, skipped: `nothing in ${bundle.version} for their topics now` };
      const { response } = await mailer.send(email);
      // The server's words: one line, bounded, before they are stored and shown.
      const receipt = headerText(response, 300);
      return { externalId: email.messageId, url: null, ...(receipt ? { receipt } : {}) };
    },

    async reconcile() {
      // SMTP cannot be asked whether a message arrived: the policy decides.
      return settings.unknown === 'skip'
        ? {
            externalId: null,
            url: null,
            skipped: 'the outcome of an interrupted send is unknown; not sent again (email.unknown = skip)',
          }
        : null;
    },

    verify: () => mailer.verify(),
    close: () => mailer.close(),
  };
}

async function* emptyPlan(): AsyncGenerator<PlannedDelivery[]> {}

/**
 * One row per confirmed subscriber whose topics the release touches, a page at a time: each page
 * is recorded before the next is read, so memory stays flat however long the list.
 */
async function* planEmails(
  store: Pick<StorePort, 'listSubscribers'>,
  product: string,
  notes: ReleaseNotes,
): AsyncGenerator<PlannedDelivery[]> {
  // Most subscribers share a few topic lists: each is tested once (a bounded memo, reset when full).
  const touched = new Map<string, boolean>();
  const touches = (topics: Subscriber['topics']) => {
    const key = JSON.stringify(topics);
    let yes = touched.get(key);
    if (yes === undefined) {
      if (touched.size >= PAGE) touched.clear();
      yes = notesForTopics(notes, topics) !== null;
      touched.set(key, yes);
    }
    return yes;
  };
  let afterId = 0;
  for (;;) {
    const page = await store.listSubscribers(product, { statuses: ['confirmed'], afterId, limit: PAGE });
    const plan: PlannedDelivery[] = [];
    for (const subscriber of page)
      if (touches(subscriber.topics))
        plan.push({
          target: EMAIL_TARGET,
          key: emailKeys.format({ subscriber: subscriber.id }),
          phase: CHANNEL_PHASE,
          summary: `email subscriber ${subscriber.id}`,
        });
    if (plan.length > 0) yield plan;
    if (page.length < PAGE) return;
    afterId = page.at(-1)!.id;
  }
}
