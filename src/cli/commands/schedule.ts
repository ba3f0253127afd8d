import { decideSchedule } from '../../core/bundle-lifecycle.js';
import { resolveActor } from '../actor.js';
import { parseCommandArgs } from '../args.js';
import { common, requireBundle, versionArg, withContext } from '../context.js';
import { describeWhen, recordJson, versionOf } from '../format.js';
import type { Output } from '../output.js';
import { parseScheduleFlags } from '../schedule-flags.js';

// `herald schedule <version>`: set when a prepared release is announced.

export async function runSchedule(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = {
    at: { type: 'string' },
    tz: { type: 'string' },
    now: { type: 'boolean' },
    ...common,
  } as const;
  const { values, positionals } = parseCommandArgs(argv, options, 'schedule');
  const version = versionArg(positionals, 'schedule');
  return withContext(values, output, cwd, async ({ runtime, store, key, products }) => {
    const plan = parseScheduleFlags(values, runtime.config);
    const bundleKey = key(version);
    await requireBundle(store, bundleKey, products);
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
          ? `Scheduled ${versionOf(bundleKey)}: ${describeWhen(record!, now)}.`
          : `${versionOf(bundleKey)} is already scheduled for ${describeWhen(record!, now)}.`,
      );
    }
    return 0;
  });
}
