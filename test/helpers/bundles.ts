import { decidePrepare, type Schedule } from '../../src/core/bundle-lifecycle.js';
import type { BundleKey, ReleaseBundle, ReleaseNotes } from '../../src/model/index.js';
import type { StorePort } from '../../src/ports/index.js';
import { hashBundle } from '../../src/stages/prepare.js';

/** A small but complete bundle; `text` varies its content. */
export function makeBundle(
  version: string,
  text = 'Export invoices as CSV',
  product = 'Acme',
): ReleaseBundle {
  const notes: ReleaseNotes = {
    schemaVersion: 1,
    product,
    packageName: null,
    audience: 'customer',
    version,
    previousVersion: null,
    tag: `v${version}`,
    previousTag: null,
    date: '2026-11-01',
    compareUrl: null,
    sections: [],
    breaking: [],
    components: [],
    contributors: [],
    linked: [],
    counts: { entries: 1, breaking: 0, hidden: 0 },
    empty: false,
    intro: null,
  };
  return {
    schemaVersion: 1,
    product,
    package: null,
    version,
    tag: `v${version}`,
    previousTag: null,
    sourceCommit: 'a'.repeat(40),
    notes: {
      customer: {
        generated: notes,
        model: notes,
        markdown: `- ${text}\n`,
        html: `<ul><li>${text}</li></ul>`,
      },
    },
    docs: {
      schemaVersion: 1,
      ref: `v${version}`,
      commit: 'a'.repeat(40),
      dir: 'docs',
      sections: [],
      pages: [],
      assets: [],
    },
    docsDiff: null,
  };
}

export const keyOf = (version: string, product = 'Acme'): BundleKey => ({ product, package: '', version });

/** Stores a bundle the way `herald prepare` does. */
export async function prepare(
  store: StorePort,
  version: string,
  options: {
    text?: string;
    schedule?: Schedule | null;
    force?: boolean;
    actor?: string;
    product?: string;
  } = {},
) {
  const bundle = makeBundle(version, options.text, options.product);
  const contentHash = hashBundle(bundle);
  return store.mutateBundle(keyOf(version, options.product), options.actor ?? 'tester', (current, now) =>
    decidePrepare(current, now, {
      bundle,
      contentHash,
      schedule: options.schedule ?? null,
      force: options.force ?? false,
    }),
  );
}
