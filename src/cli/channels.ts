import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Handlebars from 'handlebars';
import { createEmailChannel } from '../channels/email.js';
import { createHelpCenterChannel } from '../channels/help-center/index.js';
import { createSlackChannel, type SlackDestination } from '../channels/slack.js';
import type { HeraldConfig } from '../config/validate-config.js';
import { errors } from '../errors/index.js';
import type { ReleaseBundle, ReleaseNotes } from '../model/index.js';
import type { Channel, StorePort, TemplateSource, TokenSigner } from '../ports/index.js';
import type { PreflightSettings } from '../stages/preflight.js';
import { runChecked, syntaxError } from '../stages/templates.js';
import { chooseEmailTemplates, chooseMailer, chooseTokenSigner } from './email.js';
import type { Runtime } from './runtime.js';
import { ZENDESK_VARIABLES, zendeskCredentialsOf } from './zendesk-env.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface ChannelChoice {
  channels: Channel[];
  /** One line per channel: what it publishes to, and why (embedded default or credentials). */
  notes: string[];
  /** Where the static help centre is, when it is the one in use. */
  staticSite: string | null;
}

/**
 * The channels announce publishes to, chosen from config and environment: a channel without its
 * credentials falls back to its embedded default and says so.
 */
export async function chooseChannels(
  runtime: Pick<Runtime, 'config' | 'root' | 'product' | 'templates'>,
  store: StorePort,
  env: Env = process.env,
  leaseMs = 120_000,
): Promise<ChannelChoice> {
  const { config, root } = runtime;
  const helpCenter = await chooseHelpCenter(runtime, store, env, leaseMs);
  const helpCenterSite = helpCenter.channels[0]?.site ?? null;
  const slack = await chooseSlack(config, root, store, env, leaseMs, helpCenterSite);
  const email = await chooseEmail(runtime, store, env, helpCenterSite);
  // Comments link to the notes article: tracker rows run after the help centre (their phase says so).
  const { chooseTrackers } = await import('./tracker-channels.js');
  const trackers = await chooseTrackers(config, root, store, env, leaseMs, helpCenterSite);
  return {
    channels: [...helpCenter.channels, ...slack.channels, ...email.channels, ...trackers.channels],
    notes: [...helpCenter.notes, ...slack.notes, ...email.notes, ...trackers.notes],
    staticSite: helpCenter.staticSite,
  };
}

/** The email channel, with the mailer chosen from config and environment. */
async function chooseEmail(
  runtime: Pick<Runtime, 'config' | 'root' | 'product' | 'templates'>,
  store: StorePort,
  env: Env,
  helpCenterSite: string | null,
): Promise<Omit<ChannelChoice, 'staticSite'>> {
  const { config, root, product } = runtime;
  const email = await chooseMailer(config, root, product, env);
  // The link secret is only read (or made) when an email is actually sent.
  let signer: Promise<TokenSigner> | null = null;
  const emailChannel = createEmailChannel(
    email.mailer,
    store,
    () => (signer ??= chooseTokenSigner(root, env).then((t) => t.tokens)),
    await chooseEmailTemplates(runtime.templates),
    {
      audience: config.email.audience,
      from: email.from,
      replyTo: email.replyTo,
      publicUrl: email.publicUrl,
      unsubscribeMailbox: config.email.unsubscribeMailbox ?? null,
      unknown: config.email.unknown,
      helpCenterSite,
    },
  );
  return { channels: [emailChannel], notes: email.notes };
}

/** Zendesk Guide (with its credentials) or the static help centre (the embedded default). */
async function chooseHelpCenter(
  runtime: Pick<Runtime, 'config' | 'root' | 'product'>,
  store: StorePort,
  env: Env,
  leaseMs: number,
): Promise<ChannelChoice> {
  const { config, root, product } = runtime;
  const settings = config.helpCenter;
  const common = helpCenterCommonOf(config);
  if (helpCenterProviderOf(config, env) === 'zendesk') return chooseZendesk(config, store, env, leaseMs);

  const dir = path.resolve(root, settings.static.dir);
  const baseUrl =
    settings.static.baseUrl ??
    (env.HERALD_PUBLIC_URL
      ? `${env.HERALD_PUBLIC_URL.replace(/\/+$/, '')}/help/`
      : `${pathToFileURL(dir).href}/`);
  const { createStaticHelpCenter } = await import('../adapters/static-help-center.js');
  const port = createStaticHelpCenter({ dir, baseUrl, title: product, defaultLocale: common.locale });
  return {
    channels: [
      createHelpCenterChannel(port, store, {
        ...common,
        // The static site makes a section per docs section, named after it.
        sections: {},
        releaseNotesSection: null,
        createMissingSections: true,
        categoryId: null,
        permissionGroupId: null,
        userSegmentId: null,
        concurrency: 1,
      }),
    ],
    notes: [
      `help centre: ${port.description}${settings.provider === 'auto' ? ' (no Zendesk credentials: the embedded default)' : ''}`,
    ],
    staticSite: dir,
  };
}

async function chooseZendesk(
  config: HeraldConfig,
  store: StorePort,
  env: Env,
  leaseMs: number,
): Promise<ChannelChoice> {
  const settings = config.helpCenter;
  const zendesk = zendeskCredentialsOf(env);
  if (!zendesk) throw errors.missingCredentials('Zendesk Guide', ZENDESK_VARIABLES);
  const asString = (value: number | string | null) => (value === null ? null : String(value));
  const asNumber = (value: number | string | null) => (value === null ? null : Number(value));
  const { createZendeskHelpCenter } = await import('../adapters/zendesk-help-center.js');
  const port = createZendeskHelpCenter(
    zendesk,
    // A request must end well within the lease of the delivery it belongs to.
    { requestsPerMinute: settings.requestsPerMinute, timeoutMs: Math.min(30_000, leaseMs / 2) },
  );
  return {
    channels: [
      createHelpCenterChannel(port, store, {
        ...helpCenterCommonOf(config),
        sections: Object.fromEntries(Object.entries(settings.docsSections).map(([k, v]) => [k, String(v)])),
        releaseNotesSection: asString(settings.releaseNotesSectionId),
        createMissingSections: settings.createMissingSections,
        categoryId: asNumber(settings.categoryId),
        permissionGroupId: asNumber(settings.permissionGroupId),
        userSegmentId: asNumber(settings.userSegmentId),
        concurrency: settings.concurrency,
      }),
    ],
    notes: [`help centre: ${port.description}`],
    staticSite: null,
  };
}

/** Zendesk when configured so, or when its credentials are set and the provider is `auto`. */
function helpCenterProviderOf(config: HeraldConfig, env: Env): 'zendesk' | 'static' {
  const provider = config.helpCenter.provider;
  return provider === 'auto' ? (zendeskCredentialsOf(env) ? 'zendesk' : 'static') : provider;
}

/** Settings of the help-centre channel that do not depend on the site. */
export function helpCenterCommonOf(config: HeraldConfig) {
  const settings = config.helpCenter;
  const title = Handlebars.compile(settings.title, { noEscape: true, strict: false });
  return {
    locale: (settings.locale ?? config.docs.locale).toLowerCase(),
    audience: settings.audience,
    notifySubscribers: settings.notifySubscribers,
    labels: settings.labels,
    title: (bundle: { product: string; version: string; package: string | null }) =>
      title({ product: bundle.product, version: bundle.version, package: bundle.package ?? '' }),
  };
}

/**
 * What announce would do with a bundle, from config and environment, with no connection made:
 * prepare checks a bundle against it (templates are compiled and checked on the way).
 */
export async function preflightSettingsOf(
  runtime: Pick<Runtime, 'config' | 'root' | 'templates' | 'configFile'>,
  env: Env = process.env,
): Promise<PreflightSettings> {
  const { config } = runtime;
  const settings = config.helpCenter;
  const zendesk = helpCenterProviderOf(config, env) === 'zendesk';
  const [slack] = await Promise.all([
    slackDestinations(config, runtime.root),
    chooseEmailTemplates(runtime.templates),
  ]);
  const common = helpCenterCommonOf(config);
  return {
    configFile: runtime.configFile ? path.relative(runtime.root, runtime.configFile) : '.releaserc.json',
    helpCenter: {
      kind: zendesk ? 'zendesk' : 'static',
      locale: common.locale,
      audience: common.audience,
      title: common.title,
      sections: zendesk
        ? Object.fromEntries(Object.entries(settings.docsSections).map(([k, v]) => [k, String(v)]))
        : {},
      releaseNotesSection:
        zendesk && settings.releaseNotesSectionId !== null ? String(settings.releaseNotesSectionId) : null,
      // The static site makes every section it needs.
      createMissingSections: zendesk ? settings.createMissingSections : true,
      categoryId: zendesk && settings.categoryId !== null ? Number(settings.categoryId) : null,
    },
    slack,
    email: { audience: config.email.audience },
  };
}

/** One channel per configured Slack channel, all through one client (or one outbox). */
async function chooseSlack(
  config: HeraldConfig,
  root: string,
  store: StorePort,
  env: Env,
  leaseMs: number,
  helpCenterSite: string | null,
): Promise<Omit<ChannelChoice, 'staticSite'>> {
  const settings = config.slack;
  if (settings.channels.length === 0) return { channels: [], notes: [] };
  const labels = Object.fromEntries(settings.channels.map((c) => [c.id, c.name ?? c.id]));
  const token = env.SLACK_BOT_TOKEN;
  const port = token
    ? (await import('../adapters/slack.js')).createSlackChat({
        token,
        apiUrl: env.SLACK_API_URL || 'https://slack.com/api/',
        // A request must end well within the lease of the delivery it belongs to.
        timeoutMs: Math.min(30_000, leaseMs / 2),
        postsPerMinute: settings.postsPerMinute,
      })
    : (await import('../adapters/slack-outbox.js')).createSlackOutbox(
        path.resolve(root, settings.outbox),
        labels,
      );
  const channels = (await slackDestinations(config, root)).map((destination) =>
    createSlackChannel(port, store, destination, helpCenterSite),
  );
  return {
    channels,
    notes: [
      `Slack: ${port.description} → ${Object.values(labels).join(', ')}${token ? '' : ' (no SLACK_BOT_TOKEN: the embedded default)'}`,
    ],
  };
}

/** The configured Slack channels, each with its audience and compiled opening template. */
export async function slackDestinations(config: HeraldConfig, root: string): Promise<SlackDestination[]> {
  const destinations: SlackDestination[] = [];
  for (const c of config.slack.channels)
    destinations.push({
      channel: c.id,
      label: c.name ?? c.id,
      audience: c.audience,
      intro: c.template ? await compileIntro(path.resolve(root, c.template)) : null,
      corrections: config.slack.corrections,
    });
  return destinations;
}

/**
 * A Slack channel's opening template, checked now against the fields it will get, so a typo fails
 * before announce day rather than on it.
 */
async function compileIntro(file: string): Promise<NonNullable<SlackDestination['intro']>> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch {
    throw errors.templateMissing(file);
  }
  const template: TemplateSource = { file, source };
  try {
    Handlebars.parse(source);
  } catch (error) {
    throw syntaxError(template, error);
  }
  const run = Handlebars.compile(source, { noEscape: true, strict: true });
  const render: NonNullable<SlackDestination['intro']> = (bundle, notes, url) =>
    runChecked(template, () =>
      run({
        product: bundle.product,
        package: bundle.package ?? '',
        version: bundle.version,
        url: url ?? '',
        intro: notes.intro ?? '',
        counts: notes.counts,
        notes,
      }),
    );
  const sample: ReleaseNotes = {
    schemaVersion: 1,
    product: 'Product',
    packageName: null,
    audience: 'customer',
    version: '1.0.0',
    previousVersion: null,
    tag: 'v1.0.0',
    previousTag: null,
    date: '2026-01-01',
    compareUrl: null,
    sections: [],
    breaking: [],
    components: [],
    contributors: [],
    linked: [],
    counts: { entries: 0, breaking: 0, hidden: 0 },
    empty: true,
    intro: null,
  };
  render({ product: 'Product', package: null, version: '1.0.0' } as ReleaseBundle, sample, null);
  return render;
}
