import { formatInstant } from '../../core/announce-time.js';
import type { BundleRecord } from '../../model/index.js';
import { parseCommandArgs } from '../args.js';
import { common, requireBundle, versionArg, withContext } from '../context.js';
import type { Output } from '../output.js';
import { localZone } from '../schedule-flags.js';

// `herald log <version>`: the audit log of a release.

export async function runLog(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, common, 'log');
  const version = versionArg(positionals, 'log');
  return withContext(values, output, cwd, async ({ store, key, products }) => {
    const record = await requireBundle(store, key(version), products);
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
