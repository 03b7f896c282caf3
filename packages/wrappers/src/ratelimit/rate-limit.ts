import { tooManyRequests } from '@tsmicro/core';
import type { HandlerWrapper } from '@tsmicro/server';
import { type TokenBucket, tokenBucket } from './token-bucket.js';

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Calls allowed per second (refill rate). Required, > 0. */
  rate: number;
  /** Calls allowed at once after a quiet period. Default `rate`. */
  burst?: number;
  /** One bucket per endpoint, or one shared by the whole service. Default `'endpoint'`. */
  per?: 'endpoint' | 'service';
  /** Clock in ms, for tests. Default `performance.now`. */
  now?: () => number;
}

/**
 * Server handler wrapper: a token bucket per endpoint (or per service). A call finding the bucket
 * empty is refused with `tooManyRequests` (429) before the handler runs; the detail says when to
 * retry (`retry after N ms`).
 * @example createServer({ name, wrappers: { handler: [rateLimit({ rate: 100, burst: 20 })] } })
 */
export function rateLimit(o: RateLimitOptions): HandlerWrapper {
  const per = o.per ?? 'endpoint';
  const bucketOptions = { rate: o.rate, burst: o.burst ?? o.rate, ...(o.now ? { now: o.now } : {}) };
  tokenBucket(bucketOptions); // validates the options now, not at the first call
  const buckets = new Map<string, TokenBucket>();
  return (next) => (req, ctx) => {
    const key = per === 'endpoint' ? ctx.endpoint : '';
    let b = buckets.get(key);
    if (!b) {
      b = tokenBucket(bucketOptions);
      buckets.set(key, b);
    }
    if (!b.take()) {
      const what = per === 'endpoint' ? ctx.endpoint : ctx.service;
      throw tooManyRequests(`${what} is rate limited to ${o.rate}/s (burst ${bucketOptions.burst}): retry after ${b.retryAfterMs()} ms`);
    }
    return next(req, ctx);
  };
}
