import { formatInstant, relativeTime } from '../../core/announce-time.js';
import { errors } from '../../errors/index.js';
import type { BundleListing } from '../../model/index.js';
import { parseCommandArgs } from '../args.js';
import { common, listReleases, withContext } from '../context.js';
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
  return withContext(values, output, cwd, async ({ store, products }) => {
    const [bundles, now] = await Promise.all([
      listReleases(store, values.all ? null : products, {
        ...(values.package === undefined ? {} : { package: values.package }),
        limit,
      }),
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
      output.info(
        values.package === undefined
          ? 'No prepared releases yet: `herald prepare` stores one.'
          : `No prepared releases of ${values.package} yet: \`herald prepare --package ${values.package}\` stores one.`,
      );
      return 0;
    }
    output.out(releaseTable(bundles, now, values.all === true));
    return 0;
  });
}

/**
 * One row per release. The package column appears once any listed release has a package: a
 * single-package repository's list looks as it always did.
 */
function releaseTable(bundles: BundleListing[], now: number, all: boolean): string {
  const packages = bundles.some((b) => b.key.package !== '');
  const zone = localZone();
  const rows = bundles.map((b) => [
    all ? b.key.product : null,
    packages ? b.key.package || '—' : null,
    b.key.version,
    describeStatus(b.status, b.deliveries),
    b.announceAt === null ? '—' : formatInstant(b.announceAt, b.timeZone ?? 'UTC'),
    b.announceAt === null ? '—' : formatInstant(b.announceAt, zone),
    b.announceAt === null ? '—' : relativeTime(b.announceAt, now),
    `r${b.revision}`,
    summariseDeliveries(b.deliveries),
  ]);
  const header = [
    all ? 'PRODUCT' : null,
    packages ? 'PACKAGE' : null,
    'VERSION',
    'STATUS',
    'ANNOUNCE AT',
    `LOCAL (${zone})`,
    'WHEN',
    'REV',
    'DELIVERIES',
  ];
  return table([header, ...rows]);
}
