import { type TokenBucket, tokenBucket } from '@tsmicro/wrappers/ratelimit';
import type { GatewayRateLimitOptions } from './gateway.js';

/** Per-client token buckets. */
export interface ClientLimiter {
  /** Takes a token for `client`; returns ms until the next one when none is left, else undefined. */
  take(client: string): number | undefined;
}

/**
 * One token bucket per client key, at most `maxClients` of them: a Map kept in last-seen order
 * (re-inserted on use), so the oldest is evicted first and a flood of addresses cannot grow memory.
 * @example const l = clientLimiter({ rps: 50 }); const wait = l.take(ip)
 */
export function clientLimiter(o: GatewayRateLimitOptions): ClientLimiter {
  const buckets = new Map<string, TokenBucket>();
  const max = o.maxClients ?? 10_000;
  return {
    take(client) {
      let b = buckets.get(client);
      if (b) buckets.delete(client);
      else {
        // A bucket smaller than one token would refuse every request (rps under 1 without a burst).
        b = tokenBucket({ rate: o.rps, burst: o.burst ?? Math.max(1, o.rps) });
        if (buckets.size >= max) buckets.delete(buckets.keys().next().value as string);
      }
      buckets.set(client, b);
      return b.take() ? undefined : Math.max(1, b.retryAfterMs());
    },
  };
}
