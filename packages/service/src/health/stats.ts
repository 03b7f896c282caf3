import { type HandlerWrapper, isThenable, settleResult } from '@tsmicro/server';

/** Counts of one endpoint. */
export interface EndpointStats {
  calls: number;
  errors: number;
  inFlight: number;
  /** Median handling time in ms over the last {@link LATENCY_WINDOW} finished calls; absent before the first. */
  p50Ms?: number;
  /** 99th percentile handling time in ms over the same window. */
  p99Ms?: number;
}

/** Finished calls per endpoint whose handling times the percentiles are taken from. */
export const LATENCY_WINDOW = 256;

/** Counts plus a ring of the latest handling times. */
interface Counter {
  calls: number;
  errors: number;
  inFlight: number;
  times: Float64Array;
  /** Times written so far (the ring holds the last LATENCY_WINDOW). */
  timed: number;
}

function percentiles(c: Counter): EndpointStats {
  const out: EndpointStats = { calls: c.calls, errors: c.errors, inFlight: c.inFlight };
  const n = Math.min(c.timed, LATENCY_WINDOW);
  if (n === 0) return out;
  const sorted = c.times.slice(0, n).sort();
  const at = (q: number) => Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]! * 1000) / 1000;
  out.p50Ms = at(0.5);
  out.p99Ms = at(0.99);
  return out;
}

/** A handler wrapper counting calls per endpoint, readable at any time. */
export interface StatsCollector extends HandlerWrapper {
  /** Calls being handled now, all endpoints. */
  readonly inFlight: number;
  /** A copy of the per-endpoint counts. */
  endpoints(): Record<string, EndpointStats>;
}

/**
 * Counts calls, errors (any code but success) and in-flight calls per endpoint, with p50/p99
 * handling times of the last 256 calls; streams count until their last response. Feeds `debugHandler().stats`.
 * @example const stats = statsWrapper(); createServer({ name, wrappers: { handler: [stats] } })
 */
export function statsWrapper(): StatsCollector {
  const byEndpoint = new Map<string, Counter>();
  let inFlight = 0;
  const wrapper: HandlerWrapper = (next) => (req, ctx) => {
    let s = byEndpoint.get(ctx.endpoint);
    if (!s) {
      s = { calls: 0, errors: 0, inFlight: 0, times: new Float64Array(LATENCY_WINDOW), timed: 0 };
      byEndpoint.set(ctx.endpoint, s);
    }
    const st = s;
    st.calls++;
    st.inFlight++;
    inFlight++;
    const start = performance.now();
    const done = (err?: unknown) => {
      st.times[st.timed++ % LATENCY_WINDOW] = performance.now() - start;
      st.inFlight--;
      inFlight--;
      if (err !== undefined) st.errors++;
    };
    let out: unknown;
    try {
      out = next(req, ctx);
    } catch (e) {
      done(e);
      throw e;
    }
    if (!isThenable(out)) return settleResult(out, ctx.kind, done);
    return Promise.resolve(out).then(
      (v) => settleResult(v, ctx.kind, done),
      (e: unknown) => {
        done(e);
        throw e;
      },
    );
  };
  return Object.defineProperties(wrapper, {
    inFlight: { get: () => inFlight },
    endpoints: { value: () => Object.fromEntries([...byEndpoint].map(([k, v]) => [k, percentiles(v)])) },
  }) as StatsCollector;
}
