import { formatInstant, relativeTime } from '../../core/announce-time.js';
import { errors } from '../../errors/index.js';
import { parseCommandArgs } from '../args.js';
import { common, withContext } from '../context.js';
import { describeStatus, recordJson, summariseDeliveries, table } from '../format.js';
import type { Output } from '../output.js';
import { localZone } from '../schedule-flags.js';

// `herald list`: prepared releases with status, announce time, revision and deliveries.

export async function runList(argv: string[], output: Output, cwd: string): Promise<number> {
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
