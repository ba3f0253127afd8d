import { randomUUID } from 'node:crypto';
import semver from 'semver';
import { countAllRows, countRows, TO_ATTEMPT } from '../core/delivery-counts.js';
import { attemptsExhausted, retryDelay } from '../core/retry-policy.js';
import { isDeliveryFailure } from '../errors/delivery-failure.js';
import type { BundleKey, DeliveryOutcome, DeliveryRow, PlannedDelivery } from '../model/index.js';
import type {
  Channel,
  ChannelBundle,
  Delivered,
  FenceAttempt,
  SettleAttempt,
  StorePort,
} from '../ports/index.js';

export interface AnnounceOptions {
  store: StorePort;
  /** In delivery order: the help centre first. */
  channels: Channel[];
  /** Who holds the leases (unique per run). */
  owner: string;
  /** Who the audit log names. */
  actor: string;
  dryRun: boolean;
  /** How long to wait for deliveries that must be retried later, before leaving them to the next run. */
  maxWaitMs: number;
  leaseMs?: number;
  onEvent?: (event: AnnounceEvent) => void;
  random?: () => number;
  signal?: AbortSignal;
  /** Test hook: called at the engine's crash points (`fenced`: intent committed, call not made; `delivered`: call made, outcome not recorded). */
  crashPoint?: (point: 'fenced' | 'delivered' | 'settled', target: string) => void;
}

export type AnnounceEvent =
  | { type: 'plan'; key: BundleKey; deliveries: number }
  | {
      type: 'delivery';
      target: string;
      key: string;
      version: string;
      state: DeliveryOutcome['state'] | 'fenced';
      error?: string;
    }
  | { type: 'wait'; ms: number }
  /** Before delivering: the rows per target still to do (this run's plans and earlier runs' rows). */
  | { type: 'queue'; open: Record<string, number> };

export interface DeliveryFailureReport {
  version: string;
  target: string;
  key: string;
  attempts: number;
  message: string;
  fix: string | null;
}

export interface AnnounceReport {
  dryRun: boolean;
  /**
   * Per planned bundle: how many deliveries per target, and the first `PLANNED_LISTED` of each
   * (a release mailed to 100,000 subscribers plans as many rows: the report does not keep them).
   */
  planned: {
    key: BundleKey;
    revision: number;
    counts: Record<string, number>;
    deliveries: PlannedDelivery[];
  }[];
  /** Per target: what this run did. */
  results: Record<
    string,
    {
      sent: number;
      reconciled: number;
      skipped: number;
      retrying: number;
      unknown: number;
      failed: number;
      fenced: number;
    }
  >;
  /** Every failed delivery of a bundle still being announced (from this run or earlier ones). */
  failures: DeliveryFailureReport[];
  announced: BundleKey[];
  /** Deliveries left for a later run (retry time beyond the wait), and when the first is due. */
  deferred: { count: number; inMs: number } | null;
}

/** Planned deliveries the report lists per target and bundle (all are counted). */
export const PLANNED_LISTED = 1000;

/** What the ledger records for what a channel did (or found done, or found not needed). */
function outcomeOf(delivered: Delivered): DeliveryOutcome {
  return delivered.skipped
    ? { state: 'skipped', error: encodeError(delivered.skipped) }
    : {
        state: 'sent',
        externalId: delivered.externalId,
        url: delivered.url,
        receipt: delivered.receipt ?? null,
        objects: delivered.objects ?? [],
      };
}

/**
 * How a failure is written to the ledger: the message and the fix, as JSON. `noEffect`: the
 * target refused the attempt, so it certainly did not happen (`herald retry` may send it again
 * without checking first).
 */
export function encodeError(
  message: string,
  fix?: string | null,
  status?: number | null,
  noEffect = false,
): string {
  return JSON.stringify({
    message,
    ...(fix ? { fix } : {}),
    ...(status ? { status } : {}),
    ...(noEffect ? { noEffect: true } : {}),
  });
}

export function decodeError(text: string | null): { message: string; fix: string | null } {
  if (text === null) return { message: '', fix: null };
  try {
    const parsed = JSON.parse(text) as { message?: string; fix?: string };
    return { message: parsed.message ?? text, fix: parsed.fix ?? null };
  } catch {
    return { message: text, fix: null };
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });

/** Rows per target of every bundle being announced that a run may still attempt. */
async function openDeliveries(store: StorePort): Promise<Record<string, number>> {
  const open: Record<string, number> = {};
  for (const id of await store.announcingBundleIds())
    for (const [target, states] of Object.entries(await store.deliverySummary(id)))
      open[target] = (open[target] ?? 0) + countRows(states, TO_ATTEMPT);
  return open;
}

/**
 * `herald announce`: plans every bundle whose announce time has come (by the store's clock),
 * then delivers its ledger rows channel by channel. Safe to run any number of times, at once:
 * rows are leased, each external call is fenced, ambiguous outcomes are reconciled.
 */
export async function announce(options: AnnounceOptions): Promise<AnnounceReport> {
  const { store, channels, owner, actor } = options;
  const leaseMs = options.leaseMs ?? 120_000;
  const random = options.random ?? Math.random;
  const emit = options.onEvent ?? (() => {});
  const report: AnnounceReport = {
    dryRun: options.dryRun,
    planned: [],
    results: Object.fromEntries(
      channels.map((c) => [
        c.target,
        { sent: 0, reconciled: 0, skipped: 0, retrying: 0, unknown: 0, failed: 0, fenced: 0 },
      ]),
    ),
    failures: [],
    announced: [],
    deferred: null,
  };

  // Bundle content per bundle id, for the rows of this run.
  const contents = new Map<number, Promise<ChannelBundle | null>>();
  const contentOf = (bundleId: number) => {
    let loaded = contents.get(bundleId);
    if (!loaded) {
      loaded = (async () => {
        const revision = await store.readRevision(bundleId);
        if (!revision) return null;
        const b = revision.bundle;
        const record = await store.findBundle({
          product: b.product,
          package: b.package ?? '',
          version: b.version,
        });
        return record ? { record, bundle: b } : null;
      })();
      contents.set(bundleId, loaded);
    }
    return loaded;
  };

  // 1. Plan what is due.
  const toPlan = await store.bundlesToPlan();
  for (const record of toPlan) {
    const revision = await store.readRevision(record.id);
    if (!revision) continue;
    // The deliveries below need the same content: no second read.
    contents.set(record.id, Promise.resolve({ record, bundle: revision.bundle }));
    const syncDocs = await isNewestRelease(
      store,
      record.key,
      toPlan.map((p) => p.key),
    );
    const deliveries: PlannedDelivery[] = [];
    for (const channel of channels)
      deliveries.push(...(await channel.plan({ record, bundle: revision.bundle, syncDocs })));
    const counts: Record<string, number> = {};
    const listed: PlannedDelivery[] = [];
    for (const d of deliveries) {
      counts[d.target] = (counts[d.target] ?? 0) + 1;
      if (counts[d.target]! <= PLANNED_LISTED) listed.push(d);
    }
    report.planned.push({ key: record.key, revision: record.revision, counts, deliveries: listed });
    emit({ type: 'plan', key: record.key, deliveries: deliveries.length });
    if (!options.dryRun) await store.recordPlan(record.id, record.revision, deliveries, actor);
  }
  if (options.dryRun) return report;
  if (options.onEvent) emit({ type: 'queue', open: await openDeliveries(store) });

  // 2. Deliver: per channel, `concurrency` workers claiming small batches.
  const deadline = Date.now() + options.maxWaitMs;
  const attempts = groupCommit(store);
  const deliverOne = async (
    channel: Channel,
    row: DeliveryRow,
  ): Promise<{ settling: Promise<void> } | undefined> => {
    const results = report.results[channel.target]!;
    const content = await contentOf(row.bundleId);
    if (!content) return;
    const version = content.record.key.version;
    const settle = async (outcome: DeliveryOutcome, attemptId: string | null) => {
      const written = await attempts.settle({
        id: row.id,
        owner,
        attemptId,
        outcome: outcome.state === 'sent' ? { ...outcome, site: channel.site } : outcome,
      });
      if (written)
        emit({
          type: 'delivery',
          target: channel.target,
          key: row.key,
          version,
          state: outcome.state,
          ...('error' in outcome ? { error: outcome.error } : {}),
        });
      return written;
    };
    const failed = async (error: unknown, attempts: number, attemptId: string | null) => {
      if (isDeliveryFailure(error) && error.kind === 'permanent') {
        results.failed++;
        return settle(
          // Refused (or never sent, like an email whose template failed): no effect to check for.
          { state: 'failed', error: encodeError(error.message, error.fix, error.status, true) },
          attemptId,
        );
      }
      const message = error instanceof Error ? error.message : String(error);
      if (attemptsExhausted(attempts)) {
        results.failed++;
        return settle(
          {
            state: 'failed',
            error: encodeError(
              `gave up after ${attempts} attempts: ${message}`,
              'Check the target is reachable and healthy, then run `herald retry <version>`.',
            ),
          },
          attemptId,
        );
      }
      const delayMs = retryDelay(attempts, isDeliveryFailure(error) ? error.retryAfterMs : null, random());
      if (isDeliveryFailure(error) && error.kind === 'retryable') {
        results.retrying++;
        return settle(
          { state: 'pending', delayMs, error: encodeError(message, error.fix, error.status) },
          attemptId,
        );
      }
      // Ambiguous, or an unexpected error: the effect may have happened. Reconcile, never repeat blindly.
      results.unknown++;
      return settle({ state: 'unknown', error: encodeError(message) }, attemptId);
    };

    if (row.state === 'unknown') {
      let found: Awaited<ReturnType<Channel['reconcile']>>;
      try {
        found = await channel.reconcile(row, content);
      } catch (error) {
        // Still unknown: whatever the error, never fall back to a blind new attempt.
        const message = error instanceof Error ? error.message : String(error);
        if (isDeliveryFailure(error) && error.kind === 'permanent') {
          // The check itself is refused (a missing scope, a deleted channel): say so and stop;
          // `herald retry` brings the row back as unknown, to be checked again.
          results.failed++;
          await settle(
            {
              state: 'failed',
              error: encodeError(
                `could not check whether an earlier attempt took effect: ${message}`,
                error.fix,
              ),
            },
            null,
          );
          return;
        }
        const retryAfter = isDeliveryFailure(error) ? error.retryAfterMs : null;
        results.unknown++;
        await settle(
          {
            state: 'unknown',
            delayMs: retryDelay(Math.max(1, row.attempts), retryAfter, random()),
            error: encodeError(`could not check the target: ${message}`),
          },
          null,
        );
        return;
      }
      if (found) {
        if (found.skipped) results.skipped++;
        else results.reconciled++;
        await settle(outcomeOf(found), null);
        return;
      }
    }
    const attemptId = randomUUID();
    if (!(await attempts.fence({ id: row.id, owner, attemptId, leaseMs }))) {
      results.fenced++;
      emit({ type: 'delivery', target: channel.target, key: row.key, version, state: 'fenced' });
      return;
    }
    options.crashPoint?.('fenced', channel.target);
    let delivered: Delivered;
    try {
      delivered = await channel.deliver(row, content);
    } catch (error) {
      await failed(error, row.attempts + 1, attemptId);
      return;
    }
    options.crashPoint?.('delivered', channel.target);
    // Returned, not awaited: the worker fences its next row meanwhile, and the two are written in
    // one transaction (never the fence first: it is queued after this).
    const settling = settle(outcomeOf(delivered), attemptId).then((written) => {
      if (written) {
        if (delivered.skipped) results.skipped++;
        else results.sent++;
      }
      options.crashPoint?.('settled', channel.target);
    });
    return { settling };
  };

  const worker = async (channel: Channel) => {
    while (!options.signal?.aborted) {
      const rows = await store.claimDeliveries({
        owner,
        target: channel.target,
        limit: channel.claimBatch ?? 4,
        leaseMs,
      });
      if (rows.length > 0) {
        const settling: Promise<void>[] = [];
        // The store failed mid-delivery: the row's lease runs out and a later run reconciles it.
        // Finish the other claimed rows, then report the error.
        const storeFailed = (error: unknown) => void storeErrors.push(error);
        for (const row of rows) {
          if (options.signal?.aborted || storeErrors.length >= 10) break;
          try {
            const delivery = await deliverOne(channel, row);
            if (delivery) settling.push(delivery.settling.catch(storeFailed));
          } catch (error) {
            storeFailed(error);
          }
        }
        // Settled before claiming again: the next claim, and the end of the run, see them.
        await Promise.all(settling);
        if (storeErrors.length >= 10) return;
        // Rows claimed but not reached (aborted) keep their lease until it expires: harmless.
        continue;
      }
      const next = await store.nextAttemptIn([channel.target]);
      if (next === null || Date.now() + next > deadline) return;
      const wait = Math.min(Math.max(next, 50), 500);
      emit({ type: 'wait', ms: wait });
      await sleep(wait, options.signal);
    }
  };
  const storeErrors: unknown[] = [];
  await Promise.all(
    channels.flatMap((channel) => Array.from({ length: channel.concurrency }, () => worker(channel))),
  );
  // Rows claimed and not reached (an interrupted run) go back now, not when their lease ends.
  await store.releaseClaims(owner).catch((error) => storeErrors.push(error));
  if (storeErrors.length > 0) throw storeErrors[0];

  // 3. Bundles with nothing left become announced; report what remains.
  const announcing = await store.announcingBundleIds();
  let outstanding = 0;
  for (const id of announcing) {
    const status = await store.completeBundle(id, actor);
    const content = await contentOf(id);
    if (status === 'announced' && content) report.announced.push(content.record.key);
    if (status !== 'announcing') continue;
    outstanding += countAllRows(await store.deliverySummary(id), TO_ATTEMPT);
  }
  for (const row of await store.failedDeliveries()) {
    const content = await contentOf(row.bundleId);
    const { message, fix } = decodeError(row.lastError);
    report.failures.push({
      version: content?.record.key.version ?? `bundle ${row.bundleId}`,
      target: row.target,
      key: row.key,
      attempts: row.attempts,
      message,
      fix,
    });
  }
  const next = outstanding > 0 ? await store.nextAttemptIn(channels.map((c) => c.target)) : null;
  if (next !== null) report.deferred = { count: outstanding, inMs: Math.max(0, next) };
  return report;
}

/**
 * Fences and settles from every worker, written together: whatever is waiting when the store is
 * free goes in one transaction. A busy run (five SMTP connections, a message every few
 * milliseconds) commits once for several attempts instead of twice for each; a quiet one writes
 * each at once. Each worker still has at most one attempt fenced and not settled, so a crash
 * leaves no more unknown rows than before.
 */
function groupCommit(store: StorePort) {
  type Waiting<T> = { input: T; resolve: (written: boolean) => void; reject: (error: unknown) => void };
  let settles: Waiting<SettleAttempt>[] = [];
  let fences: Waiting<FenceAttempt>[] = [];
  let writing = false;
  const write = async () => {
    while (settles.length + fences.length > 0) {
      const batch = { settle: settles, fence: fences };
      settles = [];
      fences = [];
      try {
        const written = await store.recordAttempts({
          settle: batch.settle.map((w) => w.input),
          fence: batch.fence.map((w) => w.input),
        });
        for (const [i, w] of batch.settle.entries()) w.resolve(written.settled[i] === true);
        for (const [i, w] of batch.fence.entries()) w.resolve(written.fenced[i] === true);
      } catch (error) {
        for (const w of [...batch.settle, ...batch.fence]) w.reject(error);
      }
    }
    writing = false;
  };
  const enqueue = <T>(queue: Waiting<T>[], input: T) =>
    new Promise<boolean>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      // After the I/O callbacks of this turn: replies that arrived together are written together.
      if (!writing) {
        writing = true;
        setImmediate(() => void write());
      }
    });
  return {
    fence: (input: FenceAttempt) => enqueue(fences, input),
    settle: (input: SettleAttempt) => enqueue(settles, input),
  };
}

/**
 * Docs are synced only from the newest release of a product: an older release announced late (or
 * corrected) must not put older pages back.
 */
async function isNewestRelease(store: StorePort, key: BundleKey, due: BundleKey[]): Promise<boolean> {
  const newer = (other: string) =>
    semver.valid(other) && semver.valid(key.version) ? semver.gt(other, key.version) : false;
  const sameScope = (k: BundleKey) => k.product === key.product && k.package === key.package;
  if (due.some((k) => sameScope(k) && newer(k.version))) return false;
  const last = await store.lastAnnounced(key.product, key.package, key.version);
  return !(last && newer(last.record.key.version));
}
