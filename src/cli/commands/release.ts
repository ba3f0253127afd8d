import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatInstant, relativeTime } from '../../core/announce-time.js';
import {
  decideCancel,
  decideEdit,
  decideHold,
  decideSchedule,
  isEmbargoed,
} from '../../core/bundle-lifecycle.js';
import { countAllRows, countRows, UNFINISHED } from '../../core/delivery-counts.js';
import { parseEditDocument, renderEditDocument } from '../../core/notes-overlay.js';
import { errors } from '../../errors/index.js';
import type {
  BundleKey,
  BundleRecord,
  DeliveryState,
  DeliverySummary,
  ReleaseBundle,
  RenderedNotes,
} from '../../model/index.js';
import type { StorePort } from '../../ports/index.js';
import { resolveActor } from '../actor.js';
import { parseCommandArgs } from '../args.js';
import type { Output } from '../output.js';
import { createRuntime, type Runtime } from '../runtime.js';
import {
  describeDocsDiff,
  describeStatus,
  describeWhen,
  localZone,
  parseScheduleFlags,
  recordJson,
  storeFlag,
  summariseDeliveries,
} from '../schedule-flags.js';
import { chooseStore, openStore } from '../store.js';

export const common = { package: { type: 'string' }, ...storeFlag } as const;

export { releaseHelp } from './release-help.js';

export interface Context {
  runtime: Runtime;
  store: StorePort;
  key: (version: string) => BundleKey;
}

export async function withContext<T>(
  values: { config?: string | undefined; package?: string | undefined; store?: string | undefined },
  output: Output,
  cwd: string,
  work: (context: Context) => Promise<T>,
): Promise<T> {
  const runtime = await createRuntime({ cwd, config: values.config }, { package: values.package }, output);
  const store = await openStore(chooseStore(values.store, runtime.root));
  const key = (version: string): BundleKey => ({
    product: runtime.product,
    package: runtime.packageName ?? '',
    version: runtime.tagFormat.versionOf(version) ?? version,
  });
  try {
    return await work({ runtime, store, key });
  } finally {
    await store.close();
  }
}

export function versionArg(positionals: string[], command: string): string {
  const [version, ...extra] = positionals;
  if (!version || extra.length > 0)
    throw errors.usage(
      version ? `unexpected argument "${extra[0]}"` : `herald ${command} needs a version`,
      `Run \`herald ${command} <version>\`; \`herald list\` shows the prepared ones.`,
    );
  return version;
}

export async function requireBundle(store: StorePort, key: BundleKey): Promise<BundleRecord> {
  const record = await store.findBundle(key);
  if (record) return record;
  const known = (await store.listBundles({ product: key.product, limit: 200 }))
    .filter((b) => b.key.package === key.package)
    .map((b) => b.key.version);
  throw errors.unknownBundle(key.version, known);
}

export async function runReleaseCommand(
  command: string,
  argv: string[],
  output: Output,
  cwd: string,
): Promise<number> {
  switch (command) {
    case 'schedule':
      return schedule(argv, output, cwd);
    case 'hold':
    case 'cancel':
      return holdOrCancel(command, argv, output, cwd);
    case 'list':
      return list(argv, output, cwd);
    case 'show':
      return show(argv, output, cwd);
    case 'preview':
      return preview(argv, output, cwd);
    case 'log':
      return log(argv, output, cwd);
    case 'edit':
      return edit(argv, output, cwd);
    default:
      throw new Error(`no release command ${command}`);
  }
}

async function schedule(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = {
    at: { type: 'string' },
    tz: { type: 'string' },
    now: { type: 'boolean' },
    ...common,
  } as const;
  const { values, positionals } = parseCommandArgs(argv, options, 'schedule');
  const version = versionArg(positionals, 'schedule');
  return withContext(values, output, cwd, async ({ runtime, store, key }) => {
    const plan = parseScheduleFlags(values, runtime.config);
    const bundleKey = key(version);
    await requireBundle(store, bundleKey);
    const actor = await resolveActor(runtime.root);
    const { result, record } = await store.mutateBundle(bundleKey, actor, (current, now) =>
      decideSchedule(current, now, plan, bundleKey.version),
    );
    const now = await store.now();
    if (output.json)
      output.out(JSON.stringify({ ok: true, changed: result.changed, ...recordJson(record!) }, null, 2));
    else {
      output.info(
        result.changed
          ? `Scheduled ${bundleKey.version}: ${describeWhen(record!, now)}.`
          : `${bundleKey.version} is already scheduled for ${describeWhen(record!, now)}.`,
      );
    }
    return 0;
  });
}

async function holdOrCancel(command: 'hold' | 'cancel', argv: string[], output: Output, cwd: string) {
  const { values, positionals } = parseCommandArgs(argv, common, command);
  const version = versionArg(positionals, command);
  return withContext(values, output, cwd, async ({ runtime, store, key }) => {
    const bundleKey = key(version);
    await requireBundle(store, bundleKey);
    const actor = await resolveActor(runtime.root);
    const { result, record } = await store.mutateBundle(bundleKey, actor, (current) =>
      command === 'hold' ? decideHold(current, bundleKey.version) : decideCancel(current, bundleKey.version),
    );
    const deliveries = await store.deliverySummary(record!.id);
    const out = countAllRows(deliveries, ['sent']);
    const stopped = countAllRows(deliveries, UNFINISHED);
    if (output.json)
      output.out(
        JSON.stringify(
          { ok: true, changed: result.changed, ...recordJson(record!), sent: out, notSent: stopped },
          null,
          2,
        ),
      );
    else if (!result.changed)
      output.info(`${bundleKey.version} is ${record!.status} already; nothing changed.`);
    else {
      const what =
        command === 'hold'
          ? `Held ${bundleKey.version}: it has no announce date now; \`herald schedule\` sets one.`
          : `Cancelled ${bundleKey.version}'s announcement.`;
      output.info(what);
      if (out > 0 || stopped > 0) output.info(describeStopped(deliveries, out, stopped, command));
    }
    return 0;
  });
}

/** What a hold or cancel stopped, and what had gone out before it (and stays out). */
function describeStopped(
  deliveries: DeliverySummary,
  out: number,
  stopped: number,
  command: 'hold' | 'cancel',
): string {
  const perTarget = (states: readonly DeliveryState[]) =>
    Object.entries(deliveries)
      .map(([target, counts]) => [target, countRows(counts, states)] as const)
      .filter(([, n]) => n > 0)
      .map(([target, n]) => `${target} ${n}`)
      .join(', ');
  const plural = (n: number) => `${n} deliver${n === 1 ? 'y' : 'ies'}`;
  const lines = [];
  if (out > 0) lines.push(`  went out before it, and stay out: ${plural(out)} (${perTarget(['sent'])})`);
  if (stopped > 0)
    lines.push(
      `  ${command === 'hold' ? 'stopped until it is scheduled again' : 'will not go out'}: ${plural(stopped)} (${perTarget(UNFINISHED)})`,
    );
  return lines.join('\n');
}

async function list(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = { limit: { type: 'string' }, all: { type: 'boolean' }, ...common } as const;
  const { values } = parseCommandArgs(argv, options, 'list');
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw errors.usage(`--limit ${values.limit} is not a positive whole number`, 'Pass e.g. --limit 20.');
  return withContext(values, output, cwd, async ({ runtime, store }) => {
    const [bundles, now] = await Promise.all([
      store.listBundles({ ...(values.all ? {} : { product: runtime.product }), limit }),
      store.now(),
    ]);
    if (output.json) {
      output.out(
        JSON.stringify(
          {
            ok: true,
            now: new Date(now).toISOString(),
            bundles: bundles.map((b) => ({ ...recordJson(b), deliveries: b.deliveries })),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    if (bundles.length === 0) {
      output.info('No prepared releases yet: `herald prepare` stores one.');
      return 0;
    }
    const zone = localZone();
    const rows = bundles.map((b) => [
      values.all ? `${b.key.product}${b.key.package ? `/${b.key.package}` : ''}` : null,
      b.key.version,
      describeStatus(b.status, b.deliveries),
      b.announceAt === null ? '—' : formatInstant(b.announceAt, b.timeZone ?? 'UTC'),
      b.announceAt === null ? '—' : formatInstant(b.announceAt, zone),
      b.announceAt === null ? '—' : relativeTime(b.announceAt, now),
      `r${b.revision}`,
      summariseDeliveries(b.deliveries),
    ]);
    const header = [
      values.all ? 'PRODUCT' : null,
      'VERSION',
      'STATUS',
      'ANNOUNCE AT',
      `LOCAL (${zone})`,
      'WHEN',
      'REV',
      'DELIVERIES',
    ];
    output.out(table([header, ...rows]));
    return 0;
  });
}

function table(rows: (string | null)[][]): string {
  const columns = rows[0]!.map((_, i) => i).filter((i) => rows[0]![i] !== null);
  const widths = columns.map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      columns
        .map((i, j) => (r[i] ?? '').padEnd(widths[j]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function show(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = { audience: { type: 'string' }, ...common } as const;
  const { values, positionals } = parseCommandArgs(argv, options, 'show');
  const version = versionArg(positionals, 'show');
  return withContext(values, output, cwd, async ({ store, key }) => {
    const record = await requireBundle(store, key(version));
    const [revision, deliveries, now] = await Promise.all([
      store.readRevision(record.id),
      store.deliverySummary(record.id),
      store.now(),
    ]);
    const bundle = revision!.bundle;
    if (output.json) {
      output.out(
        JSON.stringify(
          {
            ok: true,
            ...recordJson(record),
            overlay: record.overlay,
            deliveries,
            createdBy: revision!.createdBy,
            revisionKind: revision!.kind,
            bundle,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const audience = values.audience ?? 'customer';
    const notes = bundle.notes[audience];
    if (!notes) throw errors.unknownAudience(audience, Object.keys(bundle.notes));
    const diff = describeDocsDiff(bundle.docsDiff);
    output.out(
      [
        `${bundle.product}${bundle.package ? ` (${bundle.package})` : ''} ${bundle.version}  ${record.status}${
          isEmbargoed(record.status) ? ', embargoed' : ''
        }`,
        `  announce:   ${describeWhen(record, now)}`,
        `  revision:   r${record.revision}, content revision ${record.contentRevision} (${revision!.kind}) by ${revision!.createdBy}, ${formatInstant(revision!.createdAt, localZone())}`,
        `  source:     ${bundle.tag} at ${bundle.sourceCommit.slice(0, 12)}${bundle.previousTag ? `, since ${bundle.previousTag}` : ''}`,
        `  content:    sha256 ${record.contentHash.slice(0, 16)}…`,
        `  notes:      ${Object.entries(bundle.notes)
          .map(([name, n]) => `${name} ${n.model.counts.entries} entries`)
          .join(', ')}${Object.keys(record.overlay).length > 0 ? ' (edited)' : ''}`,
        `  docs:       ${bundle.docs.pages.length} pages, ${bundle.docs.assets.length} assets${diff ? `; ${diff}` : ''}`,
        `  deliveries: ${summariseDeliveries(deliveries)}`,
        '',
        notes.markdown.trimEnd(),
      ].join('\n'),
    );
    return 0;
  });
}

async function preview(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = {
    out: { type: 'string' },
    channel: { type: 'string' },
    subscriber: { type: 'string' },
    ...common,
  } as const;
  const { values, positionals } = parseCommandArgs(argv, options, 'preview');
  const version = versionArg(positionals, 'preview');
  const channel = values.channel ?? null;
  if (channel !== null && channel !== 'helpcenter' && channel !== 'slack' && channel !== 'email')
    throw errors.usage(`unknown channel "${channel}"`, 'Pass --channel helpcenter, slack or email.');
  return withContext(values, output, cwd, async ({ runtime, store, key }) => {
    const record = await requireBundle(store, key(version));
    const revision = (await store.readRevision(record.id))!;
    const out = path.resolve(
      cwd,
      values.out ?? path.join(runtime.root, '.herald', 'preview', record.key.version),
    );
    const { slackDestinations } = await import('../channels.js');
    const slack = await slackDestinations(runtime.config, runtime.root);
    if (channel === 'slack' && slack.length === 0)
      throw errors.usage(
        'no Slack channels are configured',
        'Add herald.slack.channels to .releaserc.json, e.g. [{ "id": "C0123ABCD", "name": "#releases", "audience": "internal" }].',
      );
    const { emailPreviewFor } = await import('./preview-email.js');
    const email =
      channel === null || channel === 'email'
        ? await emailPreviewFor(runtime, store, values.subscriber ?? null)
        : null;
    const { writePreview } = await import('./preview.js');
    const files = await writePreview(revision.bundle, record, out, store, { slack, email, only: channel });
    if (output.json) output.out(JSON.stringify({ ok: true, out, files }, null, 2));
    else {
      output.info(
        `Wrote ${files.length} files for ${record.key.version} into ${path.relative(process.cwd(), out) || '.'}:`,
      );
      output.out(
        files
          .filter((f) => !f.startsWith('help-center/docs/'))
          .map((f) => `  ${f}`)
          .join('\n'),
      );
      output.info(
        `Open ${path.join(path.relative(process.cwd(), out) || '.', 'index.html')} to see everything.`,
      );
    }
    return 0;
  });
}

async function log(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, common, 'log');
  const version = versionArg(positionals, 'log');
  return withContext(values, output, cwd, async ({ store, key }) => {
    const record = await requireBundle(store, key(version));
    const entries = await store.auditLog(record.key);
    if (output.json) {
      output.out(
        JSON.stringify(
          {
            ok: true,
            version: record.key.version,
            entries: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const zone = localZone();
    output.out(
      entries
        .map(
          (e) =>
            `${formatInstant(e.at, zone)}  ${e.action.padEnd(8)}  ${e.actor}${describeDetails(e.details, record)}`,
        )
        .join('\n'),
    );
    return 0;
  });
}

function describeDetails(details: Record<string, unknown>, record: BundleRecord): string {
  const parts: string[] = [];
  const zone = typeof details.timeZone === 'string' ? details.timeZone : (record.timeZone ?? 'UTC');
  if (typeof details.announceAt === 'number')
    parts.push(`announce ${formatInstant(details.announceAt, zone)}`);
  if (typeof details.from === 'number') parts.push(`was ${formatInstant(details.from, zone)}`);
  if (typeof details.contentRevision === 'number') parts.push(`content revision ${details.contentRevision}`);
  if (typeof details.was === 'string') parts.push(`was ${details.was}`);
  return parts.length > 0 ? `  (${parts.join(', ')})` : '';
}

async function edit(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = {
    file: { type: 'string' },
    print: { type: 'boolean' },
    audience: { type: 'string' },
    force: { type: 'boolean' },
    ...common,
  } as const;
  const { values, positionals } = parseCommandArgs(argv, options, 'edit');
  const version = versionArg(positionals, 'edit');
  return withContext(values, output, cwd, async ({ runtime, store, key }) => {
    const record = await requireBundle(store, key(version));
    const revision = (await store.readRevision(record.id))!;
    const audience = values.audience ?? 'customer';
    const current = revision.bundle.notes[audience];
    if (!current) throw errors.unknownAudience(audience, Object.keys(revision.bundle.notes));
    const document = renderEditDocument(current.generated, record.overlay[audience]);
    if (values.print) {
      output.out(document.trimEnd());
      return 0;
    }
    const { text, file, keep } = await obtainEdit(document, values.file, record.key.version);
    if (text.trim() === '' || text === document) {
      output.info('Nothing changed.');
      return 0;
    }
    const parsed = parseEditDocument(text, current.generated, file);
    if (!parsed.ok) {
      // The release manager's text is never thrown away: it stays where the editor saved it.
      await keep();
      if (values.file === undefined)
        output.warn(
          `Your edited text is kept in ${file}: fix it, then run herald edit ${version} --file ${file}`,
        );
      throw errors.editSyntax(file, parsed.problems);
    }
    // Edits of changes that left the release stay, in case the change comes back.
    const previous = record.overlay[audience];
    const kept = Object.fromEntries(
      Object.entries(previous?.entries ?? {}).filter(
        ([hash]) => !current.generated.sections.some((s) => s.entries.some((e) => e.hash === hash)),
      ),
    );
    const overlay = {
      ...record.overlay,
      [audience]: { ...parsed.overlay, entries: { ...kept, ...parsed.overlay.entries } },
    };
    const config = runtime.config.notes.audiences[audience];
    // The Markdown pipeline and the renderer load only for an edit that is stored.
    const { hashBundle, renderAudience } = await import('../../stages/prepare.js');
    const rendered = await renderAudience(
      current.generated,
      overlay,
      config?.template ?? `${audience}.hbs`,
      runtime.templates,
    );
    const bundle: ReleaseBundle = {
      ...revision.bundle,
      notes: { ...revision.bundle.notes, [audience]: rendered.rendered as RenderedNotes },
    };
    const contentHash = hashBundle(bundle);
    const actor = await resolveActor(runtime.root);
    const { result, record: written } = await store.mutateBundle(record.key, actor, (row) =>
      decideEdit(row, {
        baseRevision: record.contentRevision,
        bundle,
        contentHash,
        overlay,
        force: values.force === true,
      }),
    );
    if (output.json)
      output.out(JSON.stringify({ ok: true, changed: result.changed, ...recordJson(written!) }, null, 2));
    else
      output.info(
        result.changed
          ? `Stored the edit of ${record.key.version}'s ${audience} notes (content revision ${written!.contentRevision}); prepare keeps it.`
          : 'Nothing changed.',
      );
    return 0;
  });
}

/** The edited text: from --file (or stdin with '-'), else from $VISUAL/$EDITOR on a temp file. */
async function obtainEdit(
  document: string,
  file: string | undefined,
  version: string,
): Promise<{ text: string; file: string; keep: () => Promise<void> }> {
  const keep = async () => {};
  if (file === '-') return { text: await readStdin(), file: '<stdin>', keep };
  if (file !== undefined) {
    try {
      return { text: await readFile(file, 'utf8'), file, keep };
    } catch (error) {
      throw errors.usage(
        `cannot read ${file}: ${(error as Error).message}`,
        'Pass an existing file, or - for stdin.',
      );
    }
  }
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor || !process.stdin.isTTY)
    throw errors.usage(
      editor ? 'no terminal for the editor' : 'no editor: $VISUAL and $EDITOR are not set',
      `Set EDITOR, or run \`herald edit ${version} --print > notes.txt\`, edit it, then \`herald edit ${version} --file notes.txt\`.`,
    );
  const dir = await mkdtemp(path.join(tmpdir(), 'herald-edit-'));
  const temp = path.join(dir, `release-notes-${version}.txt`);
  const saved = path.resolve(`herald-edit-${version}.txt`);
  try {
    await writeFile(temp, document);
    // The editor command may carry arguments ("code --wait"): run it through the shell.
    const status = spawnSync(`${editor} "$HERALD_EDIT_FILE"`, {
      shell: true,
      stdio: 'inherit',
      env: { ...process.env, HERALD_EDIT_FILE: temp },
    }).status;
    if (status !== 0)
      throw errors.usage(
        `the editor exited with status ${status}; nothing was saved`,
        'Run the command again.',
      );
    const text = await readFile(temp, 'utf8');
    return {
      text,
      file: saved,
      keep: async () => {
        await writeFile(saved, text);
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
