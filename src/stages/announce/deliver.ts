import { randomUUID } from 'node:crypto';
import { attemptOutcome, encodeError, failureFacts, reconcileOutcome } from '../../core/ledger-outcome.js';
import type { DeliveryOutcome, DeliveryRow } from '../../model/index.js';
import type { Channel, ChannelBundle, Delivered } from '../../ports/index.js';
import { groupCommit } from './group-commit.js';
import type { AnnounceRun } from './start.js';
import type { AnnounceReport } from './types.js';

type Results = AnnounceReport['results'][string];

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

/** The report's counter a failure outcome adds to. */
const counted = { failed: 'failed', pending: 'retrying', unknown: 'unknown' } as const;

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

/**
 * A claimed batch should take about this long: claiming stays a small part of the work, yet a
 * slow target (a relay answering in tens of milliseconds) does not have one run lease minutes of
 * work that a second run, started to share it, then waits out.
 */
const BATCH_MS = 1000;
/** The first batch of a worker, before its pace is known. */
const FIRST_BATCH = 10;

/** The next batch: as many rows as the last batch's pace delivers in BATCH_MS, 1 to `most`. */
export function nextBatch(done: number, ms: number, most: number): number {
  if (ms <= 0) return most;
  return Math.max(1, Math.min(most, Math.round((done * BATCH_MS) / ms)));
}

/**
 * Step 2: deliver. Per channel, `concurrency` workers claim small batches of due rows; each row is
 * reconciled first when an earlier attempt is unknown, then fenced, attempted and settled. Ends
 * when nothing is due before the run's wait is over.
 */
export async function deliverDue(run: AnnounceRun): Promise<void> {
  const { store, options } = run;
  const deadline = Date.now() + options.maxWaitMs;
  const deliverOne = rowDelivery(run);
  const storeErrors: unknown[] = [];
  // The store failed mid-delivery: the row's lease runs out and a later run reconciles it.
  // Finish the other claimed rows, then report the error.
  const storeFailed = (error: unknown) => void storeErrors.push(error);

  const worker = async (channel: Channel) => {
    const most = channel.claimBatch ?? 4;
    let limit = Math.min(most, FIRST_BATCH);
    while (!options.signal?.aborted) {
      const rows = await store.claimDeliveries({
        owner: options.owner,
        target: channel.target,
        limit,
        leaseMs: run.leaseMs,
      });
      if (rows.length > 0) {
        const started = Date.now();
        const settling: Promise<void>[] = [];
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
        limit = nextBatch(rows.length, Date.now() - started, most);
        // Rows claimed but not reached (aborted) keep their lease until it expires: harmless.
        continue;
      }
      const next = await store.nextAttemptIn([channel.target]);
      if (next === null || Date.now() + next > deadline) return;
      const wait = Math.min(Math.max(next, 50), 500);
      run.emit({ type: 'wait', ms: wait });
      await sleep(wait, options.signal);
    }
  };
  await Promise.all(
    options.channels.flatMap((channel) => Array.from({ length: channel.concurrency }, () => worker(channel))),
  );
  // Rows claimed and not reached (an interrupted run) go back now, not when their lease ends.
  await store.releaseClaims(options.owner).catch(storeFailed);
  if (storeErrors.length > 0) throw storeErrors[0];
}

/**
 * One claimed row: reconcile (when unknown), fence, call the channel, settle. The settle of a
 * call that returned is handed back, not awaited: the worker fences its next row meanwhile, and
 * the two are written in one transaction (never the fence first: it is queued after this).
 */
function rowDelivery(run: AnnounceRun) {
  const { options, report } = run;
  const { owner } = options;
  const attempts = groupCommit(run.store);

  return async (channel: Channel, row: DeliveryRow): Promise<{ settling: Promise<void> } | undefined> => {
    const results = report.results[channel.target]!;
    const content = await run.contentOf(row.bundleId);
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
        run.emit({
          type: 'delivery',
          target: channel.target,
          key: row.key,
          version,
          state: outcome.state,
          ...('error' in outcome ? { error: outcome.error } : {}),
        });
      return written;
    };

    if (row.state === 'unknown' && (await reconciled(run, { channel, row, content, results, settle })))
      return;
    const attemptId = randomUUID();
    if (!(await attempts.fence({ id: row.id, owner, attemptId, leaseMs: run.leaseMs }))) {
      results.fenced++;
      run.emit({ type: 'delivery', target: channel.target, key: row.key, version, state: 'fenced' });
      return;
    }
    options.crashPoint?.('fenced', channel.target);
    let delivered: Delivered;
    try {
      delivered = await channel.deliver(row, content);
    } catch (error) {
      const outcome = attemptOutcome(failureFacts(error), row.attempts + 1, run.random());
      results[counted[outcome.state]]++;
      await settle(outcome, attemptId);
      return;
    }
    options.crashPoint?.('delivered', channel.target);
    const settling = settle(outcomeOf(delivered), attemptId).then((written) => {
      if (written) {
        if (delivered.skipped) results.skipped++;
        else results.sent++;
      }
      options.crashPoint?.('settled', channel.target);
    });
    return { settling };
  };
}

/**
 * An earlier attempt's outcome is unknown: ask the target. True when that settled the row (found
 * done, found not needed, or the check failed); false when nothing was found and the row may be
 * attempted.
 */
async function reconciled(
  run: AnnounceRun,
  input: {
    channel: Channel;
    row: DeliveryRow;
    content: ChannelBundle;
    results: Results;
    settle: (outcome: DeliveryOutcome, attemptId: null) => Promise<boolean>;
  },
): Promise<boolean> {
  const { channel, row, results, settle } = input;
  let found: Delivered | null;
  try {
    found = await channel.reconcile(row, input.content);
  } catch (error) {
    // Still unknown: whatever the error, never fall back to a blind new attempt.
    const outcome = reconcileOutcome(failureFacts(error), row.attempts, run.random());
    results[counted[outcome.state]]++;
    await settle(outcome, null);
    return true;
  }
  if (!found) return false;
  if (found.skipped) results.skipped++;
  else results.reconciled++;
  await settle(outcomeOf(found), null);
  return true;
}
