/**
 * Herald as a semantic-release plugin (`herald-release/semantic-release`). semantic-release calls
 * each exported step as `async (pluginConfig, context)`; the file has no default export because a
 * default export would hide the named steps from it. Steps it runs in order: verifyConditions
 * (also in a dry run), generateNotes (also in a dry run), then, once the tag is pushed, success,
 * or fail when a step of any plugin failed.
 */
import type { Problem } from '../errors/index.js';
import { errors } from '../errors/index.js';
import { generateNotes as renderNotes } from '../stages/notes.js';
import {
  checkOptions,
  cwdOf,
  envOf,
  outputFor,
  type PluginContext,
  type PluginOptions,
  throwAll,
  toReleaseError,
} from './plugin-support.js';

/** Config valid, plugin options sound, store reachable, every channel's settings complete. */
export async function verifyConditions(options: PluginOptions, context: PluginContext): Promise<void> {
  await reportingErrors(async () => {
    const invalid = checkOptions(options);
    if (invalid.length > 0) return throwAll(invalid);
    const runtime = await runtimeFor(options, context);
    const audience = options.audience ?? 'customer';
    if (!runtime.config.notes.audiences[audience])
      throw errors.unknownAudience(audience, Object.keys(runtime.config.notes.audiences));
    if (options.template !== undefined) await runtime.templates.load(options.template);
    const { parseScheduleFlags } = await import('../cli/schedule-flags.js');
    const at = announceAtOf(options, context);
    if (at !== undefined) parseScheduleFlags({ at, tz: timeZoneOf(options, context) }, runtime.config);
    const problems = await doctorProblems(runtime, options, context);
    if (problems.length > 0) throw errors.channelChecks(problems);
    context.logger.log('Herald: config, store and channels are ready.');
  });
}

/** Herald's notes for the release semantic-release computed (its tag does not exist yet). */
export async function generateNotes(options: PluginOptions, context: PluginContext): Promise<string> {
  return reportingErrors(async () => {
    const release = nextReleaseOf(context);
    const runtime = await runtimeFor(options, context, release.gitHead);
    const audience = options.audience ?? 'customer';
    const { releaseSettingsOf } = await import('../cli/runtime.js');
    const settings = releaseSettingsOf(runtime);
    const outcome = await renderNotes(
      {
        ...settings,
        config: withTemplate(settings.config, audience, options.template),
        to: release.gitHead,
        releaseVersion: release.version,
        audiences: [audience],
      },
      runtime,
    );
    return outcome.kind === 'notes' ? (outcome.markdown[audience] ?? '').trimEnd() : '';
  });
}

/** The release is tagged and pushed: prepare its embargoed bundle (and announce only if told to). */
export async function success(options: PluginOptions, context: PluginContext): Promise<void> {
  await reportingErrors(async () => {
    const release = nextReleaseOf(context);
    const output = outputFor(context, options);
    const cwd = cwdOf(context);
    const at = announceAtOf(options, context) ?? (options.announce === true ? 'now' : undefined);
    const store = storeOf(options, context);
    const flags = [
      ...(options.config ? ['--config', options.config] : []),
      ...(options.package ? ['--package', options.package] : []),
      ...(store ? ['--store', store] : []),
    ];
    const zone = timeZoneOf(options, context);
    const schedule =
      at === undefined || at === 'now' ? [] : ['--announce-at', at, ...(zone ? ['--tz', zone] : [])];
    const { runPrepare } = await import('../cli/commands/prepare.js');
    await runPrepare(
      [
        '--to',
        release.gitTag,
        '--release-version',
        release.version,
        ...(options.docs === false ? ['--no-docs'] : []),
        ...schedule,
        ...flags,
      ],
      output,
      cwd,
    );
    if (options.announce !== true) return;
    const { runAnnounceCommand, runReleaseCommand } = await announceCommands();
    if (at === 'now') await runReleaseCommand('schedule', [release.version, '--now', ...flags], output, cwd);
    const code = await runAnnounceCommand('announce', flags, output, cwd);
    if (code !== 0) throw errors.pluginAnnounceFailed(release.version);
  });
}

/** A step failed: nothing was prepared (prepare runs only in `success`), and Herald says so. */
export async function fail(_options: PluginOptions, context: PluginContext): Promise<void> {
  const version = context.nextRelease?.version;
  context.logger.log(
    `Herald prepared nothing${version ? ` for ${version}` : ''}: the release failed before it was published.`,
  );
}

async function announceCommands() {
  const [announce, release] = await Promise.all([
    import('../cli/commands/announce.js'),
    import('../cli/commands/release.js'),
  ]);
  return { runAnnounceCommand: announce.runAnnounceCommand, runReleaseCommand: release.runReleaseCommand };
}

async function runtimeFor(options: PluginOptions, context: PluginContext, ref?: string) {
  const { createRuntime } = await import('../cli/runtime.js');
  return createRuntime(
    { cwd: cwdOf(context), config: options.config },
    { package: options.package, prefetchRef: ref },
    outputFor(context, options),
  );
}

type Runtime = Awaited<ReturnType<typeof runtimeFor>>;

/** `herald doctor`'s checks of the store and of every channel, as problems (none when all pass). */
async function doctorProblems(runtime: Runtime, options: PluginOptions, context: PluginContext) {
  const [{ chooseStore, openStore }, { chooseChannels, preflightSettingsOf }] = await Promise.all([
    import('../cli/store.js'),
    import('../cli/channels.js'),
  ]);
  const env = envOf(context);
  await preflightSettingsOf(runtime, env);
  const store = await openStore(chooseStore(storeOf(options, context), runtime.root, env));
  const problems: Problem[] = [];
  try {
    await store.now();
    const choice = await chooseChannels(runtime, store, env);
    for (const note of choice.notes) context.logger.log('Herald: %s', note);
    try {
      for (const channel of choice.channels)
        for (const finding of await channel.verify())
          if (!finding.ok)
            problems.push({
              message: `${channel.target}: ${finding.check}: ${finding.detail}`,
              ...(finding.fix ? { fix: finding.fix } : {}),
            });
    } finally {
      await Promise.all(choice.channels.map((c) => c.close?.()));
    }
  } finally {
    await store.close();
  }
  return problems;
}

function withTemplate<C extends { notes: { audiences: Record<string, object> } }>(
  config: C,
  audience: string,
  template: string | undefined,
): C {
  if (template === undefined) return config;
  const audiences = {
    ...config.notes.audiences,
    [audience]: { ...config.notes.audiences[audience], template },
  };
  return { ...config, notes: { ...config.notes, audiences } };
}

function nextReleaseOf(context: PluginContext) {
  if (!context.nextRelease)
    throw errors.usage('semantic-release gave no next release', 'Run Herald as a semantic-release plugin.');
  return context.nextRelease;
}

const announceAtOf = (o: PluginOptions, c: PluginContext) =>
  o.announceAt ?? (envOf(c).HERALD_ANNOUNCE_AT || undefined);
const timeZoneOf = (o: PluginOptions, c: PluginContext) =>
  o.timeZone ?? (envOf(c).HERALD_ANNOUNCE_TZ || undefined);
const storeOf = (o: PluginOptions, c: PluginContext) =>
  o.store ?? (envOf(c).HERALD_DATABASE_URL || undefined);

/** Herald's errors as semantic-release reports them, the shallow-clone fix naming the CI. */
async function reportingErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { detectCi } = await import('../cli/ci.js');
    const ci = detectCi();
    if (error instanceof AggregateError)
      throw new AggregateError(error.errors.map((e) => toReleaseError(e, ci)));
    throw toReleaseError(error, ci);
  }
}
