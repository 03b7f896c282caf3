import { type Clock, systemClock } from './clock.js';

/** Options of {@link retryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per call made, over the window (0.2 = at most 20% extra load). Default 0.2. */
  ratio?: number;
  /** Retries allowed per second regardless of traffic, so quiet clients can still retry. Default 10. */
  minPerSecond?: number;
  /** Window over which calls and retries are counted, ms. Default 10_000. */
  window?: number;
  /** Default `systemClock`. */
  clock?: Pick<Clock, 'now'>;
}

/** Limits retries to a share of recent traffic. */
export interface RetryBudget {
  /** Counts a first attempt (a call). */
  onCall(): void;
  /** Takes a retry from the budget; false when it is spent (then fail instead of retrying). */
  tryRetry(): boolean;
  /** Retries the budget would allow right now. */
  available(): number;
}

const BUCKETS = 10;

/**
 * A retry budget in the style of Finagle's: every call deposits `ratio` of a retry, every retry
 * withdraws one, over a sliding window (ten buckets), plus a reserve of `minPerSecond` × window.
 * Under a total outage retries stay near `ratio` × calls instead of multiplying the load.
 * @example const budget = retryBudget({ ratio: 0.1 }); budget.onCall(); if (failed && budget.tryRetry()) retry()
 */
export function retryBudget(o: RetryBudgetOptions = {}): RetryBudget {
  const ratio = o.ratio ?? 0.2;
  const minPerSecond = o.minPerSecond ?? 10;
  const window = o.window ?? 10_000;
  const clock = o.clock ?? systemClock;
  const width = window / BUCKETS;
  const calls = new Float64Array(BUCKETS);
  const retries = new Float64Array(BUCKETS);
  let current = Math.floor(clock.now() / width);

  /** Advances to the bucket of now, emptying the buckets that fell out of the window. */
  const roll = (): number => {
    const b = Math.floor(clock.now() / width);
    for (let k = current + 1; k <= b && k <= current + BUCKETS; k++) {
      calls[k % BUCKETS] = 0;
      retries[k % BUCKETS] = 0;
    }
    current = Math.max(current, b);
    return current % BUCKETS;
  };
  const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
  const available = () => {
    roll();
    return Math.floor(minPerSecond * (window / 1000) + ratio * sum(calls) - sum(retries));
  };

  return {
    onCall() {
      calls[roll()]!++;
    },
    tryRetry() {
      if (available() < 1) return false;
      retries[current % BUCKETS]!++;
      return true;
    },
    available,
  };
}
