import type { ChannelBundle, StorePort } from '../../ports/index.js';
import type { AnnounceEvent, AnnounceOptions, AnnounceReport } from './types.js';

/** One announce run: its options resolved, its report, and the bundle contents it has read. */
export interface AnnounceRun {
  options: AnnounceOptions;
  store: StorePort;
  leaseMs: number;
  random: () => number;
  emit: (event: AnnounceEvent) => void;
  report: AnnounceReport;
  /** The bundle and its record, read once per bundle id for the whole run (null: gone). */
  contentOf(bundleId: number): Promise<ChannelBundle | null>;
  /** Content already read (by planning): no second read. */
  remember(bundleId: number, content: ChannelBundle): void;
}

const emptyResults = () => ({
  sent: 0,
  reconciled: 0,
  skipped: 0,
  retrying: 0,
  unknown: 0,
  failed: 0,
  fenced: 0,
});

/** Step 0: start the run (nothing read or written yet). */
export function startRun(options: AnnounceOptions): AnnounceRun {
  const { store } = options;
  const contents = new Map<number, Promise<ChannelBundle | null>>();
  const load = async (bundleId: number): Promise<ChannelBundle | null> => {
    const revision = await store.readRevision(bundleId);
    if (!revision) return null;
    const b = revision.bundle;
    const record = await store.findBundle({
      product: b.product,
      package: b.package ?? '',
      version: b.version,
    });
    return record ? { record, bundle: b } : null;
  };
  return {
    options,
    store,
    leaseMs: options.leaseMs ?? 120_000,
    random: options.random ?? Math.random,
    emit: options.onEvent ?? (() => {}),
    report: {
      dryRun: options.dryRun,
      planned: [],
      results: Object.fromEntries(options.channels.map((c) => [c.target, emptyResults()])),
      failures: [],
      announced: [],
      deferred: null,
    },
    contentOf(bundleId) {
      let loaded = contents.get(bundleId);
      if (!loaded) {
        loaded = load(bundleId);
        contents.set(bundleId, loaded);
      }
      return loaded;
    },
    remember(bundleId, content) {
      contents.set(bundleId, Promise.resolve(content));
    },
  };
}
