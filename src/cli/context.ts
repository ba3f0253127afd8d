import path from 'node:path';
import { errors } from '../errors/index.js';
import type { BundleKey, BundleListing, BundleRecord } from '../model/index.js';
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
  /** Every product name this repository's releases are stored under (see repositoryProducts). */
  products: string[];
}

export async function withContext<T>(
  values: { config?: string | undefined; package?: string | undefined; store?: string | undefined },
  output: Output,
  cwd: string,
  work: (context: Context) => Promise<T>,
): Promise<T> {
  // A stored release needs no package to be named: `herald list` in a monorepo lists them all.
  const runtime = await createRuntime(
    { cwd, config: values.config },
    { package: values.package, packageOptional: true },
    output,
  );
  const store = await openStore(chooseStore(values.store, runtime.root));
  const key = (version: string): BundleKey =>
    (values.package === undefined ? packageRelease(runtime, version) : null) ?? {
      product: runtime.product,
      package: runtime.packageName ?? '',
      version: runtime.tagFormat.versionOf(version) ?? version,
    };
  try {
    return await work({ runtime, store, key, products: repositoryProducts(runtime) });
  } finally {
    await store.close();
  }
}

/** `web@1.2.0`, as Herald prints a package's release, names it without --package. */
function packageRelease(runtime: Runtime, version: string): BundleKey | null {
  const at = version.lastIndexOf('@');
  const name = version.slice(0, at);
  if (at < 1 || !runtime.config.packages.some((p) => p.name === name)) return null;
  return { product: runtime.config.product ?? name, package: name, version: version.slice(at + 1) };
}

/**
 * Without `herald.product`, a package's releases are stored under the package's name and the
 * product's own under the repository's folder name: the repository's releases span all of them.
 */
function repositoryProducts(runtime: Runtime): string[] {
  const { config, root } = runtime;
  if (config.product) return [config.product];
  return [...new Set([runtime.product, path.basename(root), ...config.packages.map((p) => p.name)])];
}

/** The newest releases of these products (of one package, when given), newest first. */
export async function listReleases(
  store: StorePort,
  products: string[] | null,
  filter: { package?: string; version?: string; limit: number },
): Promise<BundleListing[]> {
  const lists = await Promise.all(
    (products ?? [undefined]).map((product) =>
      store.listBundles({ ...filter, ...(product === undefined ? {} : { product }) }),
    ),
  );
  return lists
    .flat()
    .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
    .slice(0, filter.limit);
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

/**
 * The stored release a command names. When the version is prepared only for other packages of
 * this repository (or only without a package), the error names them: `--package` was forgotten.
 */
export async function requireBundle(
  store: StorePort,
  key: BundleKey,
  products: string[] = [key.product],
): Promise<BundleRecord> {
  const record = await store.findBundle(key);
  if (record) return record;
  const elsewhere = await listReleases(store, products, { version: key.version, limit: 50 });
  const packages = [...new Set(elsewhere.map((b) => b.key.package))].filter((p) => p !== key.package).sort();
  if (packages.length > 0) throw errors.bundleInOtherPackage(key.version, key.package, packages);
  const known = (await store.listBundles({ product: key.product, package: key.package, limit: 200 })).map(
    (b) => b.key.version,
  );
  throw errors.unknownBundle(key.version, known);
}
