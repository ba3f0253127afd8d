import type { BundleKey } from '../../model/index.js';

/**
 * A release's address on the dashboard: `/releases/<version>` or `/releases/<package>@<version>`
 * (the names the CLI prints), with `?product=` when it is not the served product.
 */
export function releaseUrl(key: BundleKey, product: string, suffix = ''): string {
  const id = `${key.package ? `${key.package}@` : ''}${key.version}`;
  const query = key.product === product ? '' : `?product=${encodeURIComponent(key.product)}`;
  return `/releases/${encodeURIComponent(id)}${suffix}${query}`;
}

export function releaseKeyOf(id: string, product: string | undefined, served: string): BundleKey {
  const at = id.lastIndexOf('@');
  return {
    product: product || served,
    package: at > 0 ? id.slice(0, at) : '',
    version: at > 0 ? id.slice(at + 1) : id,
  };
}

/** How people name a release: `Acme Cloud 2.0.0`, `Acme Cloud web@2.0.0`. */
export const releaseName = (key: BundleKey) =>
  `${key.product} ${key.package ? `${key.package}@` : ''}${key.version}`;
