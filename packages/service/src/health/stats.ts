import { isThenable, passingValues, settleResult, type ValueHandlerWrapper } from '@tsmicro/server';

/** Counts of one endpoint. */
export interface EndpointStats {
  calls: number;
  errors: number;
  inFlight: number;
}

/** A handler wrapper counting calls per endpoint, readable at any time. */
export interface StatsCollector extends ValueHandlerWrapper {
  /** Calls being handled now, all endpoints. */
  readonly inFlight: number;
  /** A copy of the per-endpoint counts. */
  endpoints(): Record<string, EndpointStats>;
}

/**
 * Counts calls, errors (any code but success) and in-flight calls per endpoint; streams count
 * until their last response. Feeds `debugHandler().stats`.
 * @example const stats = statsWrapper(); createServer({ name, wrappers: { handler: [stats] } })
 */
export function statsWrapper(): StatsCollector {
  const byEndpoint = new Map<string, EndpointStats>();
  let inFlight = 0;
  const wrapper = passingValues((next) => (req, ctx) => {
    let s = byEndpoint.get(ctx.endpoint);
    if (!s) {
      s = { calls: 0, errors: 0, inFlight: 0 };
      byEndpoint.set(ctx.endpoint, s);
    }
    const st = s;
    st.calls++;
    st.inFlight++;
    inFlight++;
    const done = (err?: unknown) => {
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
  });
  return Object.defineProperties(wrapper, {
    inFlight: { get: () => inFlight },
    endpoints: { value: () => Object.fromEntries([...byEndpoint].map(([k, v]) => [k, { ...v }])) },
  }) as StatsCollector;
}
