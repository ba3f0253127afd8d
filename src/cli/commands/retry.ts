import { resolveActor } from '../actor.js';
import { parseCommandArgs } from '../args.js';
import { common, requireBundle, versionArg, withContext } from '../context.js';
import { versionOf } from '../format.js';
import type { Output } from '../output.js';

// `herald retry <version>`: queue a release's failed deliveries again.

export async function runRetry(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = { channel: { type: 'string' }, ...common } as const;
  const { values, positionals } = parseCommandArgs(argv, options, 'retry');
  const version = versionArg(positionals, 'retry');
  return withContext(values, output, cwd, async ({ runtime, store, key, products }) => {
    const record = await requireBundle(store, key(version), products);
    const count = await store.requeueDeliveries(
      record.id,
      values.channel ?? null,
      await resolveActor(runtime.root),
    );
    if (output.json)
      output.out(JSON.stringify({ ok: true, version: record.key.version, requeued: count }, null, 2));
    else
      output.out(
        count === 0
          ? `${versionOf(record.key)}: no failed deliveries${values.channel ? ` on ${values.channel}` : ''}.`
          : `${versionOf(record.key)}: ${count} deliver${count === 1 ? 'y' : 'ies'} queued again; \`herald announce\` sends ${count === 1 ? 'it' : 'them'}.`,
      );
    return 0;
  });
}
