/** At most `count` events per `perMs`, refilled evenly (a token bucket). */
export interface RateLimit {
  count: number;
  perMs: number;
}

export interface RateLimiter {
  /** Takes one event for `key` at `now`: 0 when allowed, else the ms until one would be. */
  take(key: string, now: number): number;
}

/**
 * Token buckets per key, in this process's memory. Memory stays bounded: beyond `maxKeys`
 * buckets, full ones (keys quiet for a whole period) are dropped first, then the oldest; a
 * dropped key starts again with a full bucket, which the server-wide limit still bounds.
 */
export function createRateLimiter(limit: RateLimit, maxKeys = 10_000): RateLimiter {
  const rate = limit.count / limit.perMs;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const level = (bucket: { tokens: number; at: number }, now: number) =>
    Math.min(limit.count, bucket.tokens + Math.max(0, now - bucket.at) * rate);

  const prune = (now: number) => {
    for (const [key, bucket] of buckets) if (level(bucket, now) >= limit.count) buckets.delete(key);
    for (const key of buckets.keys()) {
      // Down to 90%: a flood of new keys prunes once per tenth of maxKeys, not at every key.
      if (buckets.size < maxKeys * 0.9) break;
      buckets.delete(key);
    }
  };

  return {
    take(key, now) {
      const bucket = buckets.get(key);
      const tokens = bucket ? level(bucket, now) : limit.count;
      if (tokens < 1) return Math.ceil((1 - tokens) / rate);
      if (!bucket && buckets.size >= maxKeys) prune(now);
      // Re-inserted: the Map's order is then least recently used first, for pruning.
      buckets.delete(key);
      buckets.set(key, { tokens: tokens - 1, at: now });
      return 0;
    },
  };
}
