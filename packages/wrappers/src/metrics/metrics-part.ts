import type * as Prom from 'prom-client';
import { createFamily, type Family } from './family.js';

/** Options of {@link metrics}. */
export interface MetricsOptions {
  /** Where metrics are registered. Default: a fresh `prom-client` `Registry` (not the global one). */
  registry?: Prom.Registry;
  /** Prefix of every metric name. Default `'tsmicro_'`. */
  prefix?: string;
  /** Latency histogram buckets in seconds. Default `[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]`. */
  buckets?: number[];
}

/**
 * The families metrics count into, by kind of work. The wrappers (metrics' own, or the fused ones
 * of `allObservability`) find a series and add to it; nothing here wraps anything.
 */
export interface MetricsPart {
  readonly registry: Prom.Registry;
  readonly server: Family;
  readonly client: Family;
  readonly published: Family;
  readonly consumed: Family;
}

const defaultBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A family as `metricsPart()` lists it: names without the prefix, then help. */
interface FamilySpecIn {
  labelNames: readonly [string] | readonly [string, string];
  counter: readonly [string, string];
  histogram?: readonly [string, string];
  gauge?: readonly [string, string];
}

/** Creates (or, on a registry that has them, reuses) every metric of {@link metrics}. */
export function metricsPart(prom: typeof Prom, o: MetricsOptions): MetricsPart {
  const registry = o.registry ?? new prom.Registry();
  const p = o.prefix ?? 'tsmicro_';
  const family = (spec: FamilySpecIn) =>
    createFamily(prom, registry, o.buckets ?? defaultBuckets, {
      labelNames: spec.labelNames,
      counter: { name: p + spec.counter[0], help: spec.counter[1] },
      ...(spec.histogram && { histogram: { name: p + spec.histogram[0], help: spec.histogram[1] } }),
      ...(spec.gauge && { gauge: { name: p + spec.gauge[0], help: spec.gauge[1] } }),
    });
  return {
    registry,
    server: family({
      labelNames: ['service', 'endpoint'],
      counter: ['server_handled_total', 'Calls handled, by outcome code (200 = success)'],
      histogram: ['server_handling_seconds', 'Handler latency (streams: until the last response)'],
      gauge: ['server_in_flight', 'Calls being handled'],
    }),
    client: family({
      labelNames: ['service', 'endpoint'],
      counter: ['client_calls_total', 'Calls and streams made, by outcome code'],
      histogram: ['client_call_seconds', 'Call latency seen by the caller, retries included'],
      gauge: ['client_in_flight', 'Calls and streams waiting for their end'],
    }),
    published: family({ labelNames: ['topic'], counter: ['broker_published_total', 'Messages published, by outcome code'] }),
    consumed: family({
      labelNames: ['service', 'topic'],
      counter: ['broker_consumed_total', 'Messages handled by subscribers, by outcome code'],
      histogram: ['broker_consume_seconds', 'Subscriber latency'],
    }),
  };
}
