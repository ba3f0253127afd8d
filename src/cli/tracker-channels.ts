import path from 'node:path';
import Handlebars from 'handlebars';
import { createTrackerChannel, type TrackerSettings } from '../channels/trackers/index.js';
import type { HeraldConfig } from '../config/validate-config.js';
import { forgeOf } from '../core/links.js';
import { errors } from '../errors/index.js';
import type { ReleaseBundle } from '../model/index.js';
import type { Channel, StorePort, TrackerPort } from '../ports/index.js';

type Env = Readonly<Record<string, string | undefined>>;
type Trackers = HeraldConfig['trackers'];
type TrackerName = TrackerPort['tracker'];

/** The configured trackers, in a stable order (comments on code hosts first, then Jira). */
export function configuredTrackers(config: HeraldConfig): TrackerName[] {
  const t = config.trackers;
  return (['github', 'gitlab', 'jira'] as const).filter((name) => t[name] !== undefined);
}

/** Handlebars (Markdown out: no HTML escaping) for the comment and each label. */
function compile(source: string, setting: string) {
  let run: HandlebarsTemplateDelegate;
  try {
    Handlebars.parse(source);
    run = Handlebars.compile(source, { noEscape: true, strict: true });
  } catch (error) {
    throw errors.usage(`${setting} is not a valid template: ${(error as Error).message}`, `Fix ${setting}.`);
  }
  const render = (bundle: ReleaseBundle, url: string) =>
    run({
      product: bundle.product,
      package: bundle.package ?? '',
      version: bundle.version,
      tag: bundle.tag,
      url,
    });
  // Checked now, so a typo fails at prepare and doctor rather than on announce day.
  try {
    render({ product: 'P', package: null, version: '1.0.0', tag: 'v1.0.0' } as ReleaseBundle, 'https://x');
  } catch (error) {
    throw errors.usage(
      `${setting}: ${(error as Error).message}`,
      `Use {{product}}, {{version}}, {{tag}}, {{package}} or {{url}} in ${setting}.`,
    );
  }
  return render;
}

/** What every tracker channel shares: the comment, labels and which notes count. */
export function trackerSettingsOf(config: HeraldConfig, tracker: TrackerName): TrackerSettings {
  const t: Trackers = config.trackers;
  const comment = compile(t.comment, 'herald.trackers.comment');
  const labels = t.labels.map((l, i) => compile(l, `herald.trackers.labels[${i}]`));
  const codeHosts = configuredTrackers(config).filter((n) => n !== 'jira');
  // Bare `#12` belongs to one code host: the issues provider when it is one of them, else the
  // host of herald.notes.links.repository, else the first configured.
  const provider = config.issues.provider;
  const linked = config.notes.links.repository ? forgeOf(config.notes.links.repository) : null;
  const home = [provider, linked].find((h) => (codeHosts as (string | null)[]).includes(h)) ?? codeHosts[0];
  const host = tracker === 'jira' ? null : t[tracker];
  return {
    selection: {
      tracker,
      audiences: t.audiences,
      repository: host ? (host.repository ?? config.issues.repository ?? null) : null,
      home: tracker === home,
      projects: tracker === 'jira' ? (t.jira?.projects ?? []) : [],
    },
    comment,
    labels: (bundle) => labels.map((render) => render(bundle, '')),
    skipLabels: t.skipLabels,
    transition: tracker === 'jira' ? (t.jira?.transition ?? null) : null,
    release: host?.release.enabled
      ? {
          audience: host.release.audience,
          updateExisting: host.release.updateExisting,
          latest: host.release.latest,
        }
      : null,
  };
}

/**
 * One channel per configured tracker: the real API when its token is in the environment, else
 * the outbox (and it says so). Tokens are read from the variables the config names, never printed.
 */
export async function chooseTrackers(
  config: HeraldConfig,
  root: string,
  store: StorePort,
  env: Env,
  leaseMs: number,
  helpCenterSite: string | null,
): Promise<{ channels: Channel[]; notes: string[] }> {
  const channels: Channel[] = [];
  const notes: string[] = [];
  for (const tracker of configuredTrackers(config)) {
    const settings = trackerSettingsOf(config, tracker);
    const port = await trackerPortOf(config, tracker, settings, root, env, leaseMs);
    channels.push(createTrackerChannel(port.port, store, settings, helpCenterSite));
    notes.push(
      `${tracker}: ${port.port.description}${port.fallback ? ` (no ${port.fallback}: the embedded default)` : ''}`,
    );
  }
  return { channels, notes };
}

async function trackerPortOf(
  config: HeraldConfig,
  tracker: TrackerName,
  settings: TrackerSettings,
  root: string,
  env: Env,
  leaseMs: number,
): Promise<{ port: TrackerPort; fallback: string | null }> {
  const t = config.trackers;
  const outbox = async (variable: string) => ({
    port: (await import('../adapters/tracker-outbox.js')).createTrackerOutbox(
      tracker,
      path.resolve(root, t.outbox),
    ),
    fallback: variable,
  });
  // A request must end well within the lease of the delivery it belongs to.
  const timeoutMs = Math.min(30_000, leaseMs / 2);
  if (tracker === 'github') {
    const github = t.github!;
    const token = env[github.tokenVariable];
    if (!token) return outbox(github.tokenVariable);
    const repository = settings.selection.repository;
    if (repository?.split('/').length !== 2)
      throw errors.usage(
        'herald.trackers.github needs the repository (owner/name)',
        'Set herald.trackers.github.repository (or herald.issues.repository), e.g. "acme/app".',
      );
    const { createGitHubTracker } = await import('../adapters/tracker-github.js');
    return {
      port: createGitHubTracker({
        repository,
        apiUrl: github.apiUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com',
        token,
        tokenVariable: github.tokenVariable,
        timeoutMs,
        writeIntervalMs: github.writeIntervalMs,
      }),
      fallback: null,
    };
  }
  if (tracker === 'gitlab') {
    const gitlab = t.gitlab!;
    const token = env[gitlab.tokenVariable];
    if (!token) return outbox(gitlab.tokenVariable);
    const project = settings.selection.repository;
    if (!project)
      throw errors.usage(
        'herald.trackers.gitlab needs the project (group/project)',
        'Set herald.trackers.gitlab.repository (or herald.issues.repository), e.g. "acme/app".',
      );
    const { createGitLabTracker } = await import('../adapters/tracker-gitlab.js');
    return {
      port: createGitLabTracker({
        project,
        host: gitlab.apiUrl ?? env.GITLAB_API_URL ?? 'https://gitlab.com',
        token,
        tokenVariable: gitlab.tokenVariable,
        timeoutMs,
      }),
      fallback: null,
    };
  }
  const jira = t.jira!;
  const email = env[jira.emailVariable];
  const apiToken = env[jira.tokenVariable];
  if (!email || !apiToken) return outbox(`${jira.emailVariable} and ${jira.tokenVariable}`);
  const { createJiraTracker } = await import('../adapters/tracker-jira.js');
  return {
    port: createJiraTracker({
      url: jira.url,
      email,
      apiToken,
      variables: `${jira.emailVariable} and ${jira.tokenVariable}`,
      timeoutMs,
    }),
    fallback: null,
  };
}
