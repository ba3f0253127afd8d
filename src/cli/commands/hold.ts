import { decideCancel, decideHold } from '../../core/bundle-lifecycle.js';
import { countAllRows, countRows, UNFINISHED } from '../../core/delivery-counts.js';
import type { DeliveryState, DeliverySummary } from '../../model/index.js';
import { resolveActor } from '../actor.js';
import { parseCommandArgs } from '../args.js';
import { common, requireBundle, versionArg, withContext } from '../context.js';
import { recordJson, versionOf } from '../format.js';
import type { Output } from '../output.js';

// `herald hold <version>`: take a release off the schedule, keep it (and `herald cancel`, which shares it).

/** `herald hold` and `herald cancel`: both stop what has not gone out; they differ in what comes next. */
export async function runHoldOrCancel(
  command: 'hold' | 'cancel',
  argv: string[],
  output: Output,
  cwd: string,
) {
  const { values, positionals } = parseCommandArgs(argv, common, command);
  const version = versionArg(positionals, command);
  return withContext(values, output, cwd, async ({ runtime, store, key, products }) => {
    const bundleKey = key(version);
    await requireBundle(store, bundleKey, products);
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
      output.info(`${versionOf(bundleKey)} is ${record!.status} already; nothing changed.`);
    else {
      const what =
        command === 'hold'
          ? `Held ${versionOf(bundleKey)}: it has no announce date now; \`herald schedule\` sets one.`
          : `Cancelled ${versionOf(bundleKey)}'s announcement.`;
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
