import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type {
  AuditEntry,
  BundleKey,
  BundleListing,
  BundleRecord,
  BundleRevision,
  BundleStatus,
  DeliveryState,
  DeliverySummary,
  ReleaseBundle,
  RevisionKind,
} from '../../model/index.js';
import type { BundleMutation, StoredBlob, StorePort } from '../../ports/store.js';
import { createKyselyLedger } from './kysely-ledger.js';
import type { SignupQuotaTable } from './kysely-signups.js';
import { createKyselySubscribers, type SubscribersTable } from './kysely-subscribers.js';
import { migrationsFor } from './migrations.js';

/** Row types as the database returns them (ints as numbers: the pg adapter parses int8). */
export interface Database {
  bundles: {
    id: number;
    product: string;
    package: string;
    version: string;
    status: BundleStatus;
    revision: number;
    content_revision: number;
    content_hash: string;
    announce_at: number | null;
    time_zone: string | null;
    overlay: string;
    created_at: number;
    updated_at: number;
    announced_at: number | null;
    planned_revision: number | null;
  };
  bundle_revisions: {
    bundle_id: number;
    number: number;
    kind: RevisionKind;
    content_hash: string;
    schema_version: number;
    body: string;
    created_at: number;
    created_by: string;
  };
  blobs: { hash: string; content_type: string; size: number; bytes: Uint8Array };
  deliveries: {
    id: number;
    bundle_id: number;
    target: string;
    target_key: string;
    state: DeliveryState;
    bundle_revision: number;
    attempts: number;
    next_attempt_at: number;
    lease_owner: string | null;
    lease_until: number | null;
    attempt_id: string | null;
    attempt_started_at: number | null;
    external_id: string | null;
    external_url: string | null;
    /** What the target answered for a sent delivery (an SMTP server's 250 reply), if anything. */
    receipt: string | null;
    last_error: string | null;
    created_at: number;
    updated_at: number;
    phase: number;
  };
  target_objects: {
    site: string;
    key: string;
    external_id: string;
    url: string | null;
    content_hash: string | null;
    updated_at: number;
  };
  audit_log: {
    id: number;
    bundle_id: number | null;
    at: number;
    actor: string;
    action: string;
    details: string;
  };
  subscribers: SubscribersTable;
  signup_quota: SignupQuotaTable;
  herald_migrations: { name: string; applied_at: number };
}

type BundleRow = Database['bundles'];
type Tx = Transaction<Database> | Kysely<Database>;

/** What differs between the dialects: the clock expression and how a writer takes the lock. */
export interface DialectOps {
  dialect: 'sqlite' | 'postgres';
  /** The store's clock in epoch ms, as SQL. */
  now: RawBuilder<number>;
  /**
   * Runs `work` in one write transaction that excludes other writers of the same lock key
   * (SQLite: BEGIN IMMEDIATE excludes every writer; Postgres: an advisory transaction lock).
   */
  writeTransaction<T>(db: Kysely<Database>, lockKey: string, work: (trx: Tx) => Promise<T>): Promise<T>;
  /**
   * A transaction for ledger claims: on Postgres a plain one (rows are taken with FOR UPDATE SKIP
   * LOCKED, so announcers never wait for each other); on SQLite BEGIN IMMEDIATE.
   */
  transaction<T>(db: Kysely<Database>, work: (trx: Tx) => Promise<T>): Promise<T>;
}

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

function recordOf(row: BundleRow): BundleRecord {
  return {
    id: row.id,
    key: { product: row.product, package: row.package, version: row.version },
    status: row.status,
    revision: row.revision,
    contentRevision: row.content_revision,
    contentHash: row.content_hash,
    announceAt: row.announce_at,
    timeZone: row.time_zone,
    overlay: JSON.parse(row.overlay) as BundleRecord['overlay'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function revisionOf(row: Database['bundle_revisions']): BundleRevision {
  return {
    number: row.number,
    kind: row.kind,
    contentHash: row.content_hash,
    bundle: JSON.parse(row.body) as ReleaseBundle,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

const keyText = (key: Pick<BundleKey, 'product' | 'package' | 'version'>) =>
  `bundle:${JSON.stringify([key.product, key.package, key.version])}`;

/** The store over Kysely: one implementation, the dialect's differences in `ops`. */
export function createKyselyStore(db: Kysely<Database>, ops: DialectOps): StorePort {
  const byKey = (trx: Tx, key: BundleKey) =>
    trx
      .selectFrom('bundles')
      .selectAll()
      .where('product', '=', key.product)
      .where('package', '=', key.package)
      .where('version', '=', key.version);

  const clockOf = async (trx: Tx) =>
    Number((await sql<{ now: number }>`SELECT ${ops.now} AS now`.execute(trx)).rows[0]!.now);

  /** Ledger rows per bundle, target and state. */
  const summarise = async (bundleIds: number[]) => {
    const counts = await db
      .selectFrom('deliveries')
      .select(['bundle_id', 'target', 'state', (eb) => eb.fn.countAll<number>().as('count')])
      .where('bundle_id', 'in', bundleIds)
      .groupBy(['bundle_id', 'target', 'state'])
      .execute();
    const summaries = new Map<number, DeliverySummary>();
    for (const c of counts) {
      const summary = summaries.get(c.bundle_id) ?? {};
      summary[c.target] = { ...summary[c.target], [c.state]: Number(c.count) };
      summaries.set(c.bundle_id, summary);
    }
    return summaries;
  };

  return {
    ...createKyselyLedger(db, ops, keyText, recordOf),
    ...createKyselySubscribers(db, ops),
    dialect: ops.dialect,

    now: () => clockOf(db),

    async findBundle(key) {
      const row = await byKey(db, key).executeTakeFirst();
      return row ? recordOf(row) : null;
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
      return revision ? { record: recordOf(row), revision } : null;
    },

    async mutateBundle(key, actor, decide) {
      return ops.writeTransaction(db, keyText(key), async (trx) => {
        const row = await byKey(trx, key).executeTakeFirst();
        const now = await clockOf(trx);
        const current = row ? recordOf(row) : null;
        const mutation: BundleMutation<unknown> = decide(current, now);
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
          ...(mutation.status === 'announced' && current?.status !== 'announced'
            ? { announced_at: now }
            : {}),
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
    },

    async listBundles(options = {}) {
      let query = db.selectFrom('bundles').selectAll();
      if (options.product !== undefined) query = query.where('product', '=', options.product);
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(options.limit ?? 50)
        .execute();
      if (rows.length === 0) return [];
      const summaries = await summarise(rows.map((r) => r.id));
      return rows.map(
        (row): BundleListing => ({ ...recordOf(row), deliveries: summaries.get(row.id) ?? {} }),
      );
    },

    async deliverySummary(bundleId) {
      return (await summarise([bundleId])).get(bundleId) ?? {};
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
      return rows.map(recordOf);
    },

    async auditLog(key) {
      const rows = await db
        .selectFrom('audit_log')
        .innerJoin('bundles', 'bundles.id', 'audit_log.bundle_id')
        .select([
          'audit_log.at',
          'audit_log.actor',
          'audit_log.action',
          'audit_log.details',
          'bundles.version',
        ])
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
    },

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

    async close() {
      await db.destroy();
    },
  };
}
