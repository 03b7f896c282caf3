/** A compact latency summary, small enough to send between processes. */
export interface LatencySummary {
  count: number;
  /** Microseconds. */
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Records durations in nanoseconds into log-linear buckets (about 1.6 % relative error, fixed memory). */
export interface Histogram {
  record(ns: number): void;
  /** The value (ns) at quantile q in [0, 1]; 0 when empty. */
  quantile(q: number): number;
  readonly count: number;
  summary(): LatencySummary;
  reset(): void;
}

// 64 sub-buckets per power of two: values below 128 ns are exact, larger ones keep 6 significant bits.
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
const LINEAR = 2 * SUB;
const MAX_NS = 0xffff_ffff; // ~4.3 s: every bench call is bounded well below this
const BUCKETS = LINEAR + (32 - SUB_BITS - 1) * SUB;

function indexOf(v: number): number {
  if (v < LINEAR) return v;
  const msb = 31 - Math.clz32(v);
  const shift = msb - SUB_BITS;
  return LINEAR + (shift - 1) * SUB + ((v >>> shift) - SUB);
}

/** Midpoint of the range a bucket covers, so a quantile is off by at most half a bucket. */
function bucketValue(index: number): number {
  if (index < LINEAR) return index;
  const shift = Math.floor((index - LINEAR) / SUB) + 1;
  const low = (SUB + ((index - LINEAR) % SUB)) * 2 ** shift;
  return low + (2 ** shift - 1) / 2;
}

/** @example const h = createHistogram(); h.record(12_000); h.summary().p50 // ≈ 12 (µs) */
export function createHistogram(): Histogram {
  const counts = new Float64Array(BUCKETS);
  let count = 0;
  let sum = 0;
  let max = 0;
  const quantile = (q: number): number => {
    if (count === 0) return 0;
    const rank = Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += counts[i] ?? 0;
      if (seen >= rank) return Math.min(bucketValue(i), max);
    }
    return max;
  };
  return {
    get count() {
      return count;
    },
    record(ns) {
      const v = Math.min(MAX_NS, Math.max(0, Math.round(ns)));
      const i = indexOf(v);
      counts[i] = (counts[i] ?? 0) + 1;
      count++;
      sum += v;
      if (v > max) max = v;
    },
    quantile,
    summary: () => ({
      count,
      p50: quantile(0.5) / 1000,
      p99: quantile(0.99) / 1000,
      max: max / 1000,
      mean: count === 0 ? 0 : sum / count / 1000,
    }),
    reset() {
      counts.fill(0);
      count = 0;
      sum = 0;
      max = 0;
    },
  };
}
