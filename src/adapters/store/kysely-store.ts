import { type Kysely, sql } from 'kysely';
import type { AuditEntry, BundleKey, BundleListing, BundleRecord } from '../../model/index.js';
import type { BundleMutation, ProductAuditEntry, StoredBlob, StorePort } from '../../ports/store.js';
import { readDeliveryCounts } from './delivery-counts.js';
import { createKyselyLedger } from './kysely-ledger.js';
import { createKyselySubscribers } from './kysely-subscribers.js';
import { createKyselyUsers } from './kysely-users.js';
import { migrationsFor } from './migrations.js';
import {
  bundleLockKey,
  bundleRecordOf,
  type Database,
  type DialectOps,
  readStoreClock,
  revisionOf,
  type StoreTx,
} from './schema.js';

const MIGRATION_LOCK = 'herald:migrations';

/** Brings the schema up to date; safe when several processes start at once. */
export async function migrate(db: Kysely<Database>, ops: DialectOps): Promise<void> {
  await ops.writeTransaction(db, MIGRATION_LOCK, async (trx) => {
    const int = ops.dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
    await sql
      .raw(`CREATE TABLE IF NOT EXISTS herald_migrations (name TEXT PRIMARY KEY, applied_at ${int} NOT NULL)`)
      .execute(trx);
    const applied = new Set(
      (await trx.selectFrom('herald_migrations').select('name').execute()).map((r) => r.name),
    );
    for (const migration of migrationsFor(ops.dialect)) {
      if (applied.has(migration.name)) continue;
      for (const statement of migration.sql) await sql.raw(statement).execute(trx);
      await trx
        .insertInto('herald_migrations')
        .values({ name: migration.name, applied_at: ops.now })
        .execute();
    }
  });
}

/** The store over Kysely: one implementation, the dialect's differences in `ops`. */
export function createKyselyStore(db: Kysely<Database>, ops: DialectOps): StorePort {
  const clockOf = (trx: StoreTx) => readStoreClock(trx, ops);

  return {
    ...createKyselyLedger(db, ops),
    ...createKyselySubscribers(db, ops),
    ...createKyselyUsers(db, ops),
    dialect: ops.dialect,

    now: () => clockOf(db),

    async findBundle(key) {
      const row = await byKey(db, key).executeTakeFirst();
      return row ? bundleRecordOf(row) : null;
    },

    async readRevision(bundleId, number) {
      let query = db.selectFrom('bundle_revisions').selectAll().where('bundle_id', '=', bundleId);
      query =
        number === undefined ? query.orderBy('number', 'desc').limit(1) : query.where('number', '=', number);
      const row = await query.executeTakeFirst();
      return row ? revisionOf(row) : null;
    },

    async lastAnnounced(product, pkg, exceptVersion) {
      const row = await db
        .selectFrom('bundles')
        .selectAll()
        .where('product', '=', product)
        .where('package', '=', pkg)
        .where('status', '=', 'announced')
        .where('version', '!=', exceptVersion)
        .orderBy('announced_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!row) return null;
      const revision = await this.readRevision(row.id);
      return revision ? { record: bundleRecordOf(row), revision } : null;
    },

    mutateBundle: (key, actor, decide) => mutateBundle(db, ops, key, actor, decide),

    async listBundles(options = {}) {
      let query = db.selectFrom('bundles').selectAll();
      if (options.product !== undefined) query = query.where('product', '=', options.product);
      if (options.package !== undefined) query = query.where('package', '=', options.package);
      if (options.version !== undefined) query = query.where('version', '=', options.version);
      if (options.statuses !== undefined) {
        if (options.statuses.length === 0) return [];
        query = query.where('status', 'in', [...options.statuses]);
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(options.limit ?? 50)
        .offset(options.offset ?? 0)
        .execute();
      if (rows.length === 0) return [];
      const summaries = await readDeliveryCounts(
        db,
        rows.map((r) => r.id),
      );
      return rows.map(
        (row): BundleListing => ({ ...bundleRecordOf(row), deliveries: summaries.get(row.id) ?? {} }),
      );
    },

    async deliverySummary(bundleId) {
      return (await readDeliveryCounts(db, [bundleId])).get(bundleId) ?? {};
    },

    async dueBundles(limit = 100) {
      const rows = await db
        .selectFrom('bundles')
        .selectAll()
        .where('status', '=', 'scheduled')
        .where('announce_at', '<=', ops.now)
        .orderBy('announce_at')
        .limit(limit)
        .execute();
      return rows.map(bundleRecordOf);
    },

    auditLog: (key) => readAuditLog(db, key),
    ...createProductAudit(db, ops),
    ...createBlobStore(db),

    async close() {
      await db.destroy();
    },
  };
}

/** The bundle row of a key. */
function byKey(trx: StoreTx, key: BundleKey) {
  return trx
    .selectFrom('bundles')
    .selectAll()
    .where('product', '=', key.product)
    .where('package', '=', key.package)
    .where('version', '=', key.version);
}

/**
 * One release-manager decision in one transaction: the bundle row, a new content revision when
 * the decision brings one, and its audit entry, all stamped with the store's clock.
 */
function mutateBundle<R>(
  db: Kysely<Database>,
  ops: DialectOps,
  key: BundleKey,
  actor: string,
  decide: (current: BundleRecord | null, now: number) => BundleMutation<R>,
): Promise<{ result: R; record: BundleRecord | null }> {
  return ops.writeTransaction(db, bundleLockKey(key), async (trx) => {
    const row = await byKey(trx, key).executeTakeFirst();
    const now = await readStoreClock(trx, ops);
    const current = row ? bundleRecordOf(row) : null;
    const mutation = decide(current, now);
    if (!mutation.write) return { result: mutation.result, record: current };
    const contentRevision = (current?.contentRevision ?? 0) + (mutation.revision ? 1 : 0);
    const values = {
      status: mutation.status,
      revision: (current?.revision ?? 0) + 1,
      content_revision: contentRevision,
      content_hash: mutation.revision?.contentHash ?? current?.contentHash ?? '',
      announce_at: mutation.announceAt,
      time_zone: mutation.timeZone,
      overlay: JSON.stringify(mutation.overlay ?? current?.overlay ?? {}),
      updated_at: now,
      ...(mutation.status === 'announced' && current?.status !== 'announced' ? { announced_at: now } : {}),
    };
    let id: number;
    if (current) {
      id = current.id;
      await trx.updateTable('bundles').set(values).where('id', '=', id).execute();
    } else {
      const inserted = await trx
        .insertInto('bundles')
        // The row type lists the generated id, which an insert leaves out.
        .values({ ...key, ...values, created_at: now } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      id = Number(inserted.id);
    }
    if (mutation.revision) {
      await trx
        .insertInto('bundle_revisions')
        .values({
          bundle_id: id,
          number: contentRevision,
          kind: mutation.revision.kind,
          content_hash: mutation.revision.contentHash,
          schema_version: mutation.revision.bundle.schemaVersion,
          body: JSON.stringify(mutation.revision.bundle),
          created_at: now,
          created_by: actor,
        })
        .execute();
    }
    await trx
      .insertInto('audit_log')
      .values({
        bundle_id: id,
        at: now,
        actor,
        action: mutation.audit.action,
        details: JSON.stringify(mutation.audit.details),
      } as never)
      .execute();
    // The row as written: no need to read it back.
    const record: BundleRecord = {
      id,
      key,
      status: values.status,
      revision: values.revision,
      contentRevision: values.content_revision,
      contentHash: values.content_hash,
      announceAt: values.announce_at,
      timeZone: values.time_zone,
      overlay: mutation.overlay ?? current?.overlay ?? {},
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
    };
    return { result: mutation.result, record };
  }) as never;
}

async function readAuditLog(db: Kysely<Database>, key: BundleKey): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('audit_log')
    .innerJoin('bundles', 'bundles.id', 'audit_log.bundle_id')
    .select(['audit_log.at', 'audit_log.actor', 'audit_log.action', 'audit_log.details', 'bundles.version'])
    .where('bundles.product', '=', key.product)
    .where('bundles.package', '=', key.package)
    .where('bundles.version', '=', key.version)
    .orderBy('audit_log.id')
    .execute();
  return rows.map(
    (r): AuditEntry => ({
      at: r.at,
      actor: r.actor,
      action: r.action,
      version: r.version,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }),
  );
}

const withoutProduct = ({ product: _product, ...rest }: Record<string, unknown>) => rest;

/**
 * Product-level audit entries: rows with no bundle, the product first in their JSON details, so
 * the store selects them by an exact prefix (`substr` counts characters in both dialects).
 */
function createProductAudit(
  db: Kysely<Database>,
  ops: DialectOps,
): Pick<StorePort, 'recordProductAudit' | 'productAuditLog'> {
  // `{"product":"Acme"` names one product: a quote inside a name is escaped, so it ends there.
  const prefixOf = (product: string) => JSON.stringify({ product }).slice(0, -1);
  return {
    async recordProductAudit({ product, actor, action, details }) {
      await db
        .insertInto('audit_log')
        .values({
          bundle_id: null,
          at: ops.now,
          actor,
          action,
          // The product first, whatever `details` holds.
          details: JSON.stringify({ product, ...withoutProduct(details) }),
        } as never)
        .execute();
    },
    async productAuditLog(product, limit) {
      const prefix = prefixOf(product);
      const rows = await db
        .selectFrom('audit_log')
        .select(['at', 'actor', 'action', 'details'])
        .where('bundle_id', 'is', null)
        .where(sql<string>`substr(details, 1, ${[...prefix].length})`, '=', prefix)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r): ProductAuditEntry => {
        const details = withoutProduct(JSON.parse(r.details) as Record<string, unknown>);
        return { at: Number(r.at), actor: r.actor, action: r.action, details };
      });
    },
  };
}

/** Content-addressed bytes (docs assets), stored once per hash. */
function createBlobStore(db: Kysely<Database>): Pick<StorePort, 'putBlobs' | 'missingBlobs' | 'readBlob'> {
  return {
    async putBlobs(blobs) {
      for (const blob of blobs) {
        await db
          .insertInto('blobs')
          .values({
            hash: blob.hash,
            content_type: blob.contentType,
            size: blob.bytes.length,
            bytes: Buffer.from(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.byteLength),
          })
          .onConflict((oc) => oc.column('hash').doNothing())
          .execute();
      }
    },

    async missingBlobs(hashes) {
      if (hashes.length === 0) return [];
      const present = new Set<string>();
      for (let i = 0; i < hashes.length; i += 500) {
        const rows = await db
          .selectFrom('blobs')
          .select('hash')
          .where('hash', 'in', hashes.slice(i, i + 500))
          .execute();
        for (const r of rows) present.add(r.hash);
      }
      return [...new Set(hashes)].filter((h) => !present.has(h));
    },

    async readBlob(hash) {
      const row = await db.selectFrom('blobs').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row
        ? ({
            hash: row.hash,
            contentType: row.content_type,
            bytes: new Uint8Array(row.bytes),
          } satisfies StoredBlob)
        : null;
    },
  };
}
