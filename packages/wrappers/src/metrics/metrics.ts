import { createRequire } from 'node:module';
import type { CallWrapper, PublishWrapper, StreamWrapper } from '@tsmicro/client';
import { loadOptional } from '@tsmicro/core';
import type { HandlerWrapper, SubscriberWrapper } from '@tsmicro/server';
import type * as Prom from 'prom-client';
import { observeCall, observePublish, observeStream } from '../internal/observe-client.js';
import { observeHandler, observeSubscriber } from '../internal/observe-server.js';
import { type MetricsOptions, type MetricsPart, metricsPart } from './metrics-part.js';

export type { MetricsOptions };

// Synchronous on purpose: metrics() is a sync factory. Resolves prom-client from this package.
const load = createRequire(import.meta.url);

/** Metric wrappers for every kind, plus the registry to expose with `metricsServer`. */
export interface Metrics {
  handler: HandlerWrapper;
  subscriber: SubscriberWrapper;
  call: CallWrapper;
  stream: StreamWrapper;
  publish: PublishWrapper;
  readonly registry: Prom.Registry;
}

/** The metrics of {@link metrics}, to fuse with other parts (`allObservability`). */
export function metricsOf(o: MetricsOptions): MetricsPart {
  return metricsPart(
    loadOptional('prom-client', 'metrics()', () => load('prom-client') as typeof Prom),
    o,
  );
}

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
  const part = metricsOf(o);
  const parts = { metrics: part };
  return {
    registry: part.registry,
    handler: observeHandler(parts),
    subscriber: observeSubscriber(parts),
    call: observeCall(parts),
    stream: observeStream(parts),
    publish: observePublish(parts),
  };
}
