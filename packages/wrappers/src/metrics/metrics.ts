import type { CallWrapper, PublishWrapper, Stream, StreamWrapper } from '@tsmicro/client';
import type { HandlerWrapper, SubscriberWrapper } from '@tsmicro/server';
import type * as Prom from 'prom-client';
import { optionalPeer } from '../internal/optional.js';
import { settleResult, settleStream, streamsOut } from '../internal/outcome.js';
import { createFamily } from './family.js';

/** Options of {@link metrics}. */
export interface MetricsOptions {
  /** Where metrics are registered. Default: a fresh `prom-client` `Registry` (not the global one). */
  registry?: Prom.Registry;
  /** Prefix of every metric name. Default `'tsmicro_'`. */
  prefix?: string;
  /** Latency histogram buckets in seconds. Default `[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]`. */
  buckets?: number[];
}

/** Metric wrappers for every kind, plus the registry to expose with `metricsServer`. */
export interface Metrics {
  handler: HandlerWrapper;
  subscriber: SubscriberWrapper;
  call: CallWrapper;
  stream: StreamWrapper;
  publish: PublishWrapper;
  readonly registry: Prom.Registry;
}

const defaultBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics (needs `prom-client`). Server: `<prefix>server_handled_total{service,endpoint,code}`,
 * `server_handling_seconds`, `server_in_flight`. Client: `client_calls_total{service,endpoint,code}`
 * (streams too), `client_call_seconds`, `client_in_flight` (service = the callee). Broker:
 * `broker_published_total{topic,code}`, `broker_consumed_total{service,topic,code}`, `broker_consume_seconds`.
 * Code 200 is success; error counts are the other codes. Metrics already in the registry are
 * reused, so several services in one process can share it.
 * @example const m = metrics(); createService({ name, wrappers: { handler: [m.handler], call: [m.call] } }); await metricsServer({ registry: m.registry })
 */
export function metrics(o: MetricsOptions = {}): Metrics {
  const prom = optionalPeer<typeof Prom>('prom-client', 'metrics()');
  const registry = o.registry ?? new prom.Registry();
  const p = o.prefix ?? 'tsmicro_';
  const family = (spec: FamilySpecIn) =>
    createFamily(prom, registry, o.buckets ?? defaultBuckets, {
      labelNames: spec.labelNames,
      counter: { name: p + spec.counter[0], help: spec.counter[1] },
      ...(spec.histogram && { histogram: { name: p + spec.histogram[0], help: spec.histogram[1] } }),
      ...(spec.gauge && { gauge: { name: p + spec.gauge[0], help: spec.gauge[1] } }),
    });
  const server = family({
    labelNames: ['service', 'endpoint'],
    counter: ['server_handled_total', 'Calls handled, by outcome code (200 = success)'],
    histogram: ['server_handling_seconds', 'Handler latency (streams: until the last response)'],
    gauge: ['server_in_flight', 'Calls being handled'],
  });
  const client = family({
    labelNames: ['service', 'endpoint'],
    counter: ['client_calls_total', 'Calls and streams made, by outcome code'],
    histogram: ['client_call_seconds', 'Call latency seen by the caller, retries included'],
    gauge: ['client_in_flight', 'Calls and streams waiting for their end'],
  });
  const published = family({ labelNames: ['topic'], counter: ['broker_published_total', 'Messages published, by outcome code'] });
  const consumed = family({
    labelNames: ['service', 'topic'],
    counter: ['broker_consumed_total', 'Messages handled by subscribers, by outcome code'],
    histogram: ['broker_consume_seconds', 'Subscriber latency'],
  });

  return {
    registry,
    handler: (next) => async (req, ctx) => {
      const s = server.series(ctx.service, ctx.endpoint);
      const start = performance.now();
      s.inFlight++;
      let out: unknown;
      try {
        out = await next(req, ctx);
      } catch (e) {
        s.finish(start, e);
        throw e;
      }
      if (!streamsOut(ctx.kind)) {
        s.finish(start);
        return out;
      }
      return settleResult(out, ctx.kind, (err) => s.finish(start, err));
    },
    subscriber: (next) => async (payload, ctx) => {
      const s = consumed.series(ctx.service, ctx.endpoint);
      const start = performance.now();
      try {
        await next(payload, ctx);
        s.end(start);
      } catch (e) {
        s.end(start, e);
        throw e;
      }
    },
    call: (next) => async (req, co) => {
      const s = client.series(req.service, req.endpoint);
      const start = performance.now();
      s.inFlight++;
      try {
        const res = await next(req, co);
        s.finish(start);
        return res;
      } catch (e) {
        s.finish(start, e);
        throw e;
      }
    },
    stream: (next) => async (req, co) => {
      const s = client.series(req.service, req.endpoint);
      const start = performance.now();
      s.inFlight++;
      let stream: Stream<unknown, unknown>;
      try {
        stream = await next(req, co);
      } catch (e) {
        s.finish(start, e);
        throw e;
      }
      return settleStream(stream, (err) => s.finish(start, err));
    },
    publish: (next) => async (pr) => {
      const s = published.series(pr.topic);
      try {
        await next(pr);
        s.end(0);
      } catch (e) {
        s.end(0, e);
        throw e;
      }
    },
  };
}

/** A family as `metrics()` lists it: names without the prefix, then help. */
interface FamilySpecIn {
  labelNames: readonly [string] | readonly [string, string];
  counter: readonly [string, string];
  histogram?: readonly [string, string];
  gauge?: readonly [string, string];
}
