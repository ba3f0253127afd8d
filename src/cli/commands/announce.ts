import path from 'node:path';
import { formatInstant } from '../../core/announce-time.js';
import {
  ANNOUNCEMENT_POST_KEY,
  isAnnouncementPost,
  isNotesArticle,
  NOTES_ARTICLE_KEY,
} from '../../core/delivery-ops/index.js';
import { errors } from '../../errors/index.js';
import { type AnnounceEvent, type AnnounceReport, PLANNED_LISTED } from '../../stages/announce.js';
import { resolveActor } from '../actor.js';
import { leaseOf, runAnnounce as runAnnounceStage } from '../announce-run.js';
import { parseCommandArgs } from '../args.js';
import type { ChannelChoice } from '../channels.js';
import { detectCi } from '../ci.js';
import { type Context, common, listReleases, withContext } from '../context.js';
import { versionOf } from '../format.js';
import type { Output } from '../output.js';
import { drawsLiveBar, newProgress, progressText, recordDone, type TargetProgress } from '../progress.js';
import { reportAfterRun } from '../report.js';
import { localZone } from '../schedule-flags.js';
import { crashHookFromEnv } from '../test-seam.js';
import { runDoctor } from './doctor.js';
import { runRetry } from './retry.js';
import { runStatus } from './status.js';

export async function runAnnounceCommand(command: string, argv: string[], output: Output, cwd: string) {
  switch (command) {
    case 'announce':
      return runAnnounce(argv, output, cwd);
    case 'status':
      return runStatus(argv, output, cwd);
    case 'retry':
      return runRetry(argv, output, cwd);
    case 'doctor':
      return runDoctor(argv, output, cwd);
    default:
      throw new Error(`no announce command ${command}`);
  }
}

/**
 * Progress while announcing: on a terminal one self-overwriting line (per target: done/total, a
 * bar, rate and time left); in a log a plain line every 15 seconds. Nothing with --json.
 */
function progressDisplay(output: Output, dryRun: boolean) {
  const live = !output.json && drawsLiveBar(process.stderr, detectCi() !== null);
  const targets = new Map<string, TargetProgress>();
  let lastDrawn = 0;
  let lastLogged = Date.now();
  const line = (now: number, bar: boolean) =>
    [...targets]
      .filter(([, p]) => p.total > 0)
      .map(([target, p]) => progressText(target, p, now, bar))
      .join('   ');
  const draw = (final: boolean) => {
    const now = Date.now();
    if (!final && now - lastDrawn < 200) return;
    lastDrawn = now;
    process.stderr.write(`\r\x1b[2K${line(now, true)}${final ? '\n' : ''}`);
  };
  return {
    event(event: AnnounceEvent) {
      if (output.json) return;
      if (event.type === 'plan') {
        if (live) process.stderr.write('\r\x1b[2K');
        output.info(
          `${versionOf(event.key)}: due, ${event.deliveries.toLocaleString('en')} deliveries${dryRun ? ' would be' : ''} planned`,
        );
        return;
      }
      if (event.type === 'queue') {
        for (const [target, open] of Object.entries(event.open)) targets.set(target, newProgress(open));
        return;
      }
      if (event.type !== 'delivery') return;
      if (event.state !== 'sent' && event.state !== 'skipped' && event.state !== 'failed') return;
      const progress = targets.get(event.target) ?? newProgress(0);
      targets.set(event.target, progress);
      const now = Date.now();
      recordDone(progress, event.state, now);
      if (live) draw(false);
      else {
        if (event.state === 'failed') output.info(`${event.version} ${event.target} ${event.key}: failed`);
        if (now - lastLogged >= 15_000) {
          lastLogged = now;
          output.info(line(now, false));
        }
      }
    },
    done() {
      if (live && [...targets.values()].some((p) => p.done > 0)) draw(true);
    },
  };
}

/** One line per target of what this run did: `email: 99,998 sent · 2 skipped · 1 failed`. */
function resultLines(results: AnnounceReport['results']): string[] {
  const lines: string[] = [];
  for (const [target, r] of Object.entries(results)) {
    const parts = [
      [r.sent + r.reconciled, 'sent'],
      [r.skipped, 'skipped'],
      [r.retrying, 'to retry'],
      [r.unknown, 'unknown (checked next run)'],
      [r.failed, 'failed'],
    ] as const;
    const shown = parts.filter(([n]) => n > 0).map(([n, what]) => `${n.toLocaleString('en')} ${what}`);
    if (shown.length > 0) lines.push(`  ${target}: ${shown.join(' · ')}`);
  }
  return lines;
}

/**
 * Failures with the same reason are one problem (a relay refusing every message is one line,
 * not one per subscriber), naming a few of their deliveries.
 */
function groupFailures(failures: AnnounceReport['failures']) {
  const groups = new Map<string, { keys: string[]; failure: AnnounceReport['failures'][number] }>();
  for (const f of failures) {
    const id = `${f.version}\0${f.target}\0${f.message}\0${f.fix ?? ''}`;
    const group = groups.get(id) ?? { keys: [], failure: f };
    group.keys.push(f.key);
    groups.set(id, group);
  }
  return [...groups.values()].map(({ keys, failure: f }) => ({
    message: `${f.version} ${f.target} ${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ` and ${(keys.length - 3).toLocaleString('en')} more` : ''}: ${f.message}`,
    ...(f.fix ? { fix: f.fix } : {}),
  }));
}

/** What `herald announce --json` prints. */
function announceJson(
  report: AnnounceReport,
  choice: Pick<ChannelChoice, 'notes' | 'staticSite'>,
  announcedUrls: { key: AnnounceReport['announced'][number]; url: string | null; posts: unknown[] }[],
) {
  return {
    ok: report.failures.length === 0,
    dryRun: report.dryRun,
    targets: choice.notes,
    planned: report.planned.map((p) => ({
      ...p.key,
      revision: p.revision,
      counts: p.counts,
      // Per target the first ${PLANNED_LISTED}: `counts` has them all.
      deliveries: p.deliveries,
    })),
    results: report.results,
    announced: announcedUrls.map((a) => ({ ...a.key, releaseNotesUrl: a.url, posts: a.posts })),
    failures: report.failures,
    deferred: report.deferred,
    staticSite: choice.staticSite,
  };
}

/** A dry run's plan: one line per delivery, emails counted rather than listed. */
function printPlans(planned: AnnounceReport['planned'], output: Output): void {
  for (const plan of planned) {
    const total = Object.values(plan.counts).reduce((a, b) => a + b, 0);
    output.out(
      `${versionOf(plan.key)} (${plan.key.product}, r${plan.revision}): ${total.toLocaleString('en')} deliveries`,
    );
    // One line per recipient would drown the plan: emails are counted.
    const emails = plan.counts.email ?? 0;
    for (const d of plan.deliveries)
      if (d.target !== 'email') output.out(`  ${d.target.padEnd(11)} ${d.summary}  [${d.key}]`);
    for (const [target, count] of Object.entries(plan.counts))
      if (target !== 'email' && count > PLANNED_LISTED)
        output.out(`  ${target.padEnd(11)} … and ${(count - PLANNED_LISTED).toLocaleString('en')} more`);
    if (emails > 0)
      output.out(
        `  ${'email'.padEnd(11)} the release notes to ${emails.toLocaleString('en')} subscriber${emails === 1 ? '' : 's'}  [to:<subscriber id>]`,
      );
  }
}

async function runAnnounce(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = { 'dry-run': { type: 'boolean' }, wait: { type: 'string' }, ...common } as const;
  const { values, positionals } = parseCommandArgs(argv, options, 'announce');
  if (positionals.length > 0)
    throw errors.usage(
      `unexpected argument "${positionals[0]}"`,
      'herald announce publishes every due release: no version.',
    );
  const waitSeconds = values.wait === undefined ? 300 : Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0)
    throw errors.usage(
      `--wait ${values.wait} is not a number of seconds`,
      'Pass e.g. --wait 60, or --wait 0 not to wait.',
    );
  const leaseMs = leaseOf(process.env.HERALD_LEASE_SECONDS);
  return withContext(values, output, cwd, async (context) => {
    const { runtime, store } = context;
    const progress = progressDisplay(output, values['dry-run'] === true);
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let report: AnnounceReport;
    let choice: ChannelChoice;
    try {
      // The same run `herald serve`'s scheduler makes: channels chosen, announced, closed.
      ({ report, choice } = await runAnnounceStage({
        runtime,
        store,
        actor: await resolveActor(runtime.root),
        dryRun: values['dry-run'] === true,
        maxWaitMs: waitSeconds * 1000,
        leaseMs,
        onEvent: progress.event,
        signal: abort.signal,
        ...crashHookFromEnv(process.env),
      }));
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      progress.done();
    }
    const announcedUrls = await announcedLinks(store, report.announced);
    // After the run, whatever it did; a report failure is printed, never the run's outcome.
    const reported = report.dryRun
      ? []
      : await reportAfterRun({
          config: runtime.config,
          root: runtime.root,
          store,
          env: process.env,
          announced: report.announced,
          output: output.json ? quiet(output) : output,
        });
    if (output.json) {
      output.out(
        JSON.stringify({ ...announceJson(report, choice, announcedUrls), report: reported }, null, 2),
      );
      return report.failures.length === 0 ? 0 : 1;
    }
    for (const note of choice.notes) output.info(note);
    if (report.dryRun) {
      if (report.planned.length === 0) {
        output.info(await nothingDue(context));
        return 0;
      }
      printPlans(report.planned, output);
      output.info('Dry run: nothing was recorded or published.');
      return 0;
    }
    if (
      report.planned.length === 0 &&
      report.announced.length === 0 &&
      report.failures.length === 0 &&
      !report.deferred
    )
      output.info(await nothingDue(context));
    for (const { key, url, posts } of announcedUrls) {
      output.out(`Announced ${versionOf(key)}${url ? `: ${url}` : ''}`);
      for (const post of posts) output.out(`  ${post.target}: ${post.url ?? 'posted'}`);
    }
    const done = resultLines(report.results);
    if (done.length > 0) output.info(`This run:\n${done.join('\n')}`);
    if (choice.staticSite && (report.announced.length > 0 || report.planned.length > 0))
      output.out(`Static help centre: ${path.join(choice.staticSite, 'index.html')}`);
    if (report.deferred)
      output.warn(
        `${report.deferred.count} deliveries wait for a retry in ${Math.ceil(report.deferred.inMs / 1000)} s; the next \`herald announce\` continues them.`,
      );
    if (report.failures.length > 0)
      throw errors.deliveriesFailed(report.failures.length, groupFailures(report.failures));
    return 0;
  });
}

/** With --json the report's progress lines are in the document (`report`); warnings stay on stderr. */
const quiet = (output: Output): Output => ({ ...output, info() {} });

/** Where each announced release went: its help-centre article and each channel's post. */
function announcedLinks(store: Context['store'], announced: AnnounceReport['announced']) {
  return Promise.all(
    announced.map(async (key) => {
      const record = await store.findBundle(key);
      const rows = record
        ? await store.listDeliveries(record.id, { keys: [NOTES_ARTICLE_KEY, ANNOUNCEMENT_POST_KEY] })
        : [];
      return {
        key,
        url: rows.find(isNotesArticle)?.externalUrl ?? null,
        // Each channel's announcement (Slack: the message's permalink, or its ts in the outbox).
        posts: rows
          .filter(isAnnouncementPost)
          .map((r) => ({ target: r.target, url: r.externalUrl ?? r.externalId })),
      };
    }),
  );
}

async function nothingDue({ store, products }: Pick<Context, 'store' | 'products'>) {
  const scheduled = (await listReleases(store, products, { limit: 200 }))
    .filter((b) => b.status === 'scheduled' && b.announceAt !== null)
    .sort((a, b) => a.announceAt! - b.announceAt!);
  const next = scheduled[0];
  return next
    ? `Nothing is due. Next: ${versionOf(next.key)} at ${formatInstant(next.announceAt!, next.timeZone ?? localZone())}.`
    : 'Nothing is due, and nothing is scheduled (`herald schedule <version> --at …`).';
}
