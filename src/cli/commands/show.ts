import { formatInstant } from '../../core/announce-time.js';
import { isEmbargoed } from '../../core/bundle-lifecycle.js';
import { errors } from '../../errors/index.js';
import { parseCommandArgs } from '../args.js';
import { common, requireBundle, versionArg, withContext } from '../context.js';
import { describeDocsDiff, describeWhen, recordJson, summariseDeliveries } from '../format.js';
import type { Output } from '../output.js';
import { localZone } from '../schedule-flags.js';

// `herald show <version>`: one release's state, content and notes.

export async function runShow(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = { audience: { type: 'string' }, ...common } as const;
  const { values, positionals } = parseCommandArgs(argv, options, 'show');
  const version = versionArg(positionals, 'show');
  return withContext(values, output, cwd, async ({ store, key, products }) => {
    const record = await requireBundle(store, key(version), products);
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
