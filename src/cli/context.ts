import { errors } from '../errors/index.js';
import type { BundleKey, BundleRecord } from '../model/index.js';
import type { StorePort } from '../ports/index.js';
import type { Output } from './output.js';
import { createRuntime, type Runtime } from './runtime.js';
import { storeFlag } from './schedule-flags.js';
import { chooseStore, openStore } from './store.js';

// The CLI's shared context: the runtime (config, product, tag format), the store, and how a
// version on the command line names a bundle. Every command that works on a stored bundle uses it.

export const common = { package: { type: 'string' }, ...storeFlag } as const;

export interface Context {
  runtime: Runtime;
  store: StorePort;
  key: (version: string) => BundleKey;
}

export async function withContext<T>(
  values: { config?: string | undefined; package?: string | undefined; store?: string | undefined },
  output: Output,
  cwd: string,
  work: (context: Context) => Promise<T>,
): Promise<T> {
  const runtime = await createRuntime({ cwd, config: values.config }, { package: values.package }, output);
  const store = await openStore(chooseStore(values.store, runtime.root));
  const key = (version: string): BundleKey => ({
    product: runtime.product,
    package: runtime.packageName ?? '',
    version: runtime.tagFormat.versionOf(version) ?? version,
  });
  try {
    return await work({ runtime, store, key });
  } finally {
    await store.close();
  }
}

export function versionArg(positionals: string[], command: string): string {
  const [version, ...extra] = positionals;
  if (!version || extra.length > 0)
    throw errors.usage(
      version ? `unexpected argument "${extra[0]}"` : `herald ${command} needs a version`,
      `Run \`herald ${command} <version>\`; \`herald list\` shows the prepared ones.`,
    );
  return version;
}

export async function requireBundle(store: StorePort, key: BundleKey): Promise<BundleRecord> {
  const record = await store.findBundle(key);
  if (record) return record;
  const known = (await store.listBundles({ product: key.product, limit: 200 }))
    .filter((b) => b.key.package === key.package)
    .map((b) => b.key.version);
  throw errors.unknownBundle(key.version, known);
}
