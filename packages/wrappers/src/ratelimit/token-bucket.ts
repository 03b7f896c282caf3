/** A token bucket: `rate` tokens per second, bursts up to `burst`. Time comes from `now` so tests need no sleeps. */
export interface TokenBucket {
  /** Takes one token when available; false when the bucket is empty. */
  take(): boolean;
  /** Milliseconds until the next token. */
  retryAfterMs(): number;
}

/** Options of {@link tokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens added per second. */
  rate: number;
  /** Capacity. Default: `rate` (one second of burst). */
  burst?: number;
  /** Clock in ms. Default `performance.now`. */
  now?: () => number;
}

/** @example const b = tokenBucket({ rate: 100, burst: 20 }); if (!b.take()) throw tooManyRequests('slow down') */
export function tokenBucket(o: TokenBucketOptions): TokenBucket {
  if (!(o.rate > 0)) throw new RangeError('tokenBucket rate must be > 0');
  const burst = o.burst ?? o.rate;
  const now = o.now ?? (() => performance.now());
  let tokens = burst;
  let last = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) * o.rate) / 1000);
    last = t;
  };
  return {
    take() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    retryAfterMs() {
      refill();
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / o.rate);
    },
  };
}
