import path from 'node:path';
import { errors } from '../../errors/index.js';
import { parseCommandArgs } from '../args.js';
import { common, requireBundle, versionArg, withContext } from '../context.js';
import { versionOf } from '../format.js';
import type { Output } from '../output.js';

// `herald preview <version>`: every artefact of a release as files to open.

export async function runPreview(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = {
    out: { type: 'string' },
    channel: { type: 'string' },
    subscriber: { type: 'string' },
    ...common,
  } as const;
  const { values, positionals } = parseCommandArgs(argv, options, 'preview');
  const version = versionArg(positionals, 'preview');
  const channel = (values.channel ?? null) as 'helpcenter' | 'slack' | 'email' | 'trackers' | null;
  const known = ['helpcenter', 'slack', 'email', 'trackers'] as const;
  if (channel !== null && !(known as readonly string[]).includes(channel))
    throw errors.usage(
      `unknown channel "${channel}"`,
      'Pass --channel helpcenter, slack, email or trackers.',
    );
  return withContext(values, output, cwd, async ({ runtime, store, key, products }) => {
    const record = await requireBundle(store, key(version), products);
    const revision = (await store.readRevision(record.id))!;
    if (channel === 'trackers') {
      // Listed, not written as files: each comment is one line.
      const { previewTrackers, printTrackerPreview } = await import('./preview-trackers.js');
      printTrackerPreview(output, versionOf(record.key), previewTrackers(runtime, revision.bundle, null));
      return 0;
    }
    const out = path.resolve(
      cwd,
      values.out ?? path.join(runtime.root, '.herald', 'preview', versionOf(record.key)),
    );
    const { preflightSettingsOf } = await import('../channels.js');
    const { slack, helpCenter } = await preflightSettingsOf(runtime);
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
    const { writePreview } = await import('./preview-files.js');
    const { previewTrackers } = await import('./preview-trackers.js');
    const files = await writePreview(revision.bundle, record, out, store, {
      slack,
      email,
      only: channel,
      trackers: (url) => previewTrackers(runtime, revision.bundle, url),
      ...(helpCenter ? { articleTitle: helpCenter.title(revision.bundle) } : {}),
    });
    if (output.json) output.out(JSON.stringify({ ok: true, out, files }, null, 2));
    else {
      output.info(
        `Wrote ${files.length} files for ${versionOf(record.key)} into ${path.relative(process.cwd(), out) || '.'}:`,
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
