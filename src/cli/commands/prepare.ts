import path from 'node:path';
import { createFsDocsCache } from '../../adapters/fs-docs-cache.js';
import { createPageCompiler } from '../../adapters/page-compiler.js';
import { preflightBundle } from '../../stages/preflight.js';
import { prepareRelease } from '../../stages/prepare.js';
import { resolveActor } from '../actor.js';
import { parseCommandArgs } from '../args.js';
import { preflightSettingsOf } from '../channels.js';
import { describeDocsDiff, recordJson, renderBundleLine, versionArgs, versionOf } from '../format.js';
import type { Output } from '../output.js';
import { createRuntime, releaseSettingsOf } from '../runtime.js';
import { parseScheduleFlags, storeFlag } from '../schedule-flags.js';
import { chooseStore, openStore } from '../store.js';
import { docsSettingsOf } from './docs.js';

export { prepareHelp } from './release-help.js';

const options = {
  'release-version': { type: 'string' },
  to: { type: 'string' },
  'announce-at': { type: 'string' },
  tz: { type: 'string' },
  force: { type: 'boolean' },
  'no-docs': { type: 'boolean' },
  package: { type: 'string' },
  path: { type: 'string' },
  ...storeFlag,
} as const;

export async function runPrepare(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values } = parseCommandArgs(argv, options, 'prepare');
  const runtime = await createRuntime(
    { cwd, config: values.config },
    { package: values.package, path: values.path, prefetchRef: values.to ?? 'HEAD' },
    output,
  );
  const schedule =
    values['announce-at'] === undefined
      ? null
      : parseScheduleFlags({ at: values['announce-at'], tz: values.tz }, runtime.config);
  const [store, actor, preflight] = await Promise.all([
    openStore(chooseStore(values.store, runtime.root)),
    resolveActor(runtime.root),
    preflightSettingsOf(runtime),
  ]);
  try {
    const result = await prepareRelease(
      {
        ...releaseSettingsOf(runtime),
        to: values.to,
        releaseVersion: values['release-version'],
        docs:
          values['no-docs'] === true || !runtime.config.docs.publish
            ? null
            : {
                ...(await docsSettingsOf(runtime.config, runtime.root, runtime.git)),
                locale: runtime.config.docs.locale,
              },
        schedule,
        force: values.force === true,
        actor,
      },
      {
        ...runtime,
        compiler: createPageCompiler(),
        cache: createFsDocsCache(path.join(runtime.root, '.herald', 'cache', 'docs.json')),
        store,
        preflight: (bundle) => preflightBundle(bundle, preflight),
      },
    );
    if (result.kind === 'nothing') {
      if (output.json)
        output.out(JSON.stringify({ ok: true, prepared: null, reason: result.reason }, null, 2));
      else output.info(`Nothing to prepare: ${result.reason}.`);
      return 0;
    }
    for (const [audience, hashes] of Object.entries(result.orphans))
      for (const hash of hashes)
        output.warn(
          `edit of change ${hash.slice(0, 10)} (${audience} notes) no longer applies: the change is not in ${result.key.version} any more. It is kept in case it returns.`,
        );
    const now = await store.now();
    const docs = result.bundle.docs;
    if (output.json) {
      output.out(
        JSON.stringify(
          {
            ok: true,
            outcome: result.outcome,
            ...recordJson(result.record),
            audiences: Object.keys(result.bundle.notes),
            docs: { pages: docs.pages.length, assets: docs.assets.length, diff: result.bundle.docsDiff },
            orphanedEdits: result.orphans,
            warnings: result.warnings,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const verb = {
      created: 'Prepared',
      revised: 'Stored a new revision of',
      corrected: 'Stored a correction of',
      unchanged: 'Nothing changed in',
    }[result.outcome];
    output.info(`${verb} ${result.key.product} ${versionOf(result.key)}.`);
    output.out(renderBundleLine(result.record, now));
    const counts = Object.entries(result.bundle.notes)
      .map(([name, n]) => `${name} ${n.model.counts.entries}`)
      .join(', ');
    const diff = describeDocsDiff(result.bundle.docsDiff);
    output.out(
      `  notes: ${counts} entries; docs: ${docs.pages.length} pages, ${docs.assets.length} assets${diff ? ` (${diff})` : ''}`,
    );
    if (result.record.status === 'draft' && result.outcome === 'created')
      output.info(
        `Embargoed: nothing is published until you schedule it, with: herald schedule ${versionArgs(result.key)} --at "YYYY-MM-DD HH:MM" [--tz Europe/Berlin]`,
      );
    return 0;
  } finally {
    await store.close();
  }
}
