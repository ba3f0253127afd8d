import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { errors } from '../errors/index.js';
import type { StorePort } from '../ports/index.js';
import { type AnnounceOptions, type AnnounceReport, announce } from '../stages/announce.js';
import { type ChannelChoice, chooseChannels } from './channels.js';
import type { Runtime } from './runtime.js';

// One announce run as `herald announce` and `herald serve`'s scheduler both make it: the
// channels chosen from config and environment, the announce stage, the channels closed again.

/** Who holds the leases of one run: unique per run, and says which machine and process. */
export const announceOwner = () => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * How long a run owns the deliveries it claimed (HERALD_LEASE_SECONDS, default 120): a run that
 * dies holds them that long. Requests time out in half of it, so no call outlives its lease.
 */
export function leaseOf(value: string | undefined): number {
  if (value === undefined || value === '') return 120_000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 2)
    throw errors.usage(
      `HERALD_LEASE_SECONDS=${value} is not a number of seconds >= 2`,
      'Unset it for the default of 120.',
    );
  return seconds * 1000;
}

export type AnnounceRunOptions = Omit<AnnounceOptions, 'store' | 'channels' | 'owner'> & {
  runtime: Runtime;
  store: StorePort;
  leaseMs: number;
};

/** Publishes every due release once (the stage's leases and ledger make overlapping runs safe). */
export async function runAnnounce(
  options: AnnounceRunOptions,
): Promise<{ report: AnnounceReport; choice: ChannelChoice }> {
  const { runtime, store, leaseMs, ...rest } = options;
  const choice = await chooseChannels(runtime, store, process.env, leaseMs);
  try {
    const report = await announce({
      ...rest,
      store,
      channels: choice.channels,
      owner: announceOwner(),
      leaseMs,
    });
    return { report, choice };
  } finally {
    await Promise.all(choice.channels.map((c) => c.close?.()));
  }
}
