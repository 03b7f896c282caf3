import type { CallWrapper, PublishWrapper, StreamWrapper } from '@tsmicro/client';
import type { HandlerWrapper, SubscriberWrapper } from '@tsmicro/server';
import type * as Prom from 'prom-client';
import { optionalPeer } from '../internal/optional.js';
import { codeOf, settleResult, settleStream } from '../internal/outcome.js';

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
  const buckets = o.buckets ?? defaultBuckets;
  const counter = (name: string, help: string, labelNames: string[]) =>
    (registry.getSingleMetric(p + name) as Prom.Counter | undefined) ??
    new prom.Counter({ name: p + name, help, labelNames, registers: [registry] });
  const histogram = (name: string, help: string, labelNames: string[]) =>
    (registry.getSingleMetric(p + name) as Prom.Histogram | undefined) ??
    new prom.Histogram({ name: p + name, help, labelNames, buckets, registers: [registry] });
  const gauge = (name: string, help: string, labelNames: string[]) =>
    (registry.getSingleMetric(p + name) as Prom.Gauge | undefined) ??
    new prom.Gauge({ name: p + name, help, labelNames, registers: [registry] });

  const handled = counter('server_handled_total', 'Calls handled, by outcome code (200 = success)', ['service', 'endpoint', 'code']);
  const handling = histogram('server_handling_seconds', 'Handler latency (streams: until the last response)', ['service', 'endpoint']);
  const serving = gauge('server_in_flight', 'Calls being handled', ['service', 'endpoint']);
  const calls = counter('client_calls_total', 'Calls and streams made, by outcome code', ['service', 'endpoint', 'code']);
  const callTime = histogram('client_call_seconds', 'Call latency seen by the caller, retries included', ['service', 'endpoint']);
  const calling = gauge('client_in_flight', 'Calls and streams waiting for their end', ['service', 'endpoint']);
  const published = counter('broker_published_total', 'Messages published, by outcome code', ['topic', 'code']);
  const consumed = counter('broker_consumed_total', 'Messages handled by subscribers, by outcome code', ['service', 'topic', 'code']);
  const consumeTime = histogram('broker_consume_seconds', 'Subscriber latency', ['service', 'topic']);

  /** Starts timing one unit of work; the returned function records its outcome once. */
  const track = (inFlight: Prom.Gauge, count: Prom.Counter, time: Prom.Histogram, labels: Record<string, string>) => {
    inFlight.inc(labels);
    const stop = time.startTimer(labels);
    return (err?: unknown) => {
      stop();
      inFlight.dec(labels);
      count.inc({ ...labels, code: codeOf(err) });
    };
  };

  return {
    registry,
    handler: (next) => async (req, ctx) => {
      const done = track(serving, handled, handling, { service: ctx.service, endpoint: ctx.endpoint });
      try {
        return settleResult(await next(req, ctx), ctx.kind, done);
      } catch (e) {
        done(e);
        throw e;
      }
    },
    subscriber: (next) => async (payload, ctx) => {
      const labels = { service: ctx.service, topic: ctx.endpoint };
      const stop = consumeTime.startTimer(labels);
      try {
        await next(payload, ctx);
        consumed.inc({ ...labels, code: 200 });
      } catch (e) {
        consumed.inc({ ...labels, code: codeOf(e) });
        throw e;
      } finally {
        stop();
      }
    },
    call: (next) => async (req, co) => {
      const done = track(calling, calls, callTime, { service: req.service, endpoint: req.endpoint });
      try {
        const res = await next(req, co);
        done();
        return res;
      } catch (e) {
        done(e);
        throw e;
      }
    },
    stream: (next) => async (req, co) => {
      const done = track(calling, calls, callTime, { service: req.service, endpoint: req.endpoint });
      try {
        return settleStream(await next(req, co), done);
      } catch (e) {
        done(e);
        throw e;
      }
    },
    publish: (next) => async (pr) => {
      try {
        await next(pr);
        published.inc({ topic: pr.topic, code: 200 });
      } catch (e) {
        published.inc({ topic: pr.topic, code: codeOf(e) });
        throw e;
      }
    },
  };
}
