import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorePort } from '../../src/ports/index.js';
import { prepare } from '../helpers/bundles.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { storeDialects } from '../helpers/stores.js';

// The product-level audit log the dashboard's subscriber actions write (no bundle), on both dialects.

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
});

describe.each(storeDialects(() => postgres))('product audit log: $name', (dialect) => {
  let store: StorePort;
  beforeAll(async () => {
    store = await dialect.open(await dialect.fresh());
  });
  afterAll(async () => {
    await store?.close();
  });

  it('keeps each product’s entries apart, newest first, stamped by the store’s clock', async () => {
    const before = await store.now();
    // Names that are prefixes of each other, and one with a quote in it.
    for (const product of ['Acme', 'Acme Cloud', 'Acme "Cloud"'])
      await store.recordProductAudit({
        product,
        actor: 'ada',
        action: 'subscribers.import',
        details: { added: product.length },
      });
    await store.recordProductAudit({
      product: 'Acme',
      actor: 'bob',
      action: 'subscribers.remove',
      details: { address: 'digest', product: 'Acme Cloud' },
    });
    const acme = await store.productAuditLog('Acme', 10);
    expect(acme.map((e) => [e.actor, e.action, e.details])).toEqual([
      ['bob', 'subscribers.remove', { address: 'digest' }],
      ['ada', 'subscribers.import', { added: 4 }],
    ]);
    expect(acme.every((e) => e.at >= before)).toBe(true);
    expect((await store.productAuditLog('Acme Cloud', 10)).map((e) => e.details)).toEqual([{ added: 10 }]);
    expect((await store.productAuditLog('Acme "Cloud"', 10)).map((e) => e.details)).toEqual([{ added: 12 }]);
    expect(await store.productAuditLog('Acme', 1)).toHaveLength(1);
    expect(await store.productAuditLog('Nobody', 10)).toEqual([]);
  });

  it('is not mixed into any release’s audit log', async () => {
    const { record } = await prepare(store, '1.0.0', { product: 'Acme', text: 'A change' });
    expect((await store.auditLog(record!.key)).map((e) => e.action)).not.toContain('subscribers.import');
  });
});
