import type * as Otel from '@opentelemetry/api';
import type { Logger } from '@tsmicro/core';
import type * as Prom from 'prom-client';
import { observeCall, observePublish, observeStream } from './internal/observe-client.js';
import { observeHandler, observeSubscriber } from './internal/observe-server.js';
import type { Parts } from './internal/parts.js';
import { LogPart } from './logging/log-part.js';
import { metricsOf } from './metrics/metrics.js';
import { tracingOf } from './tracing/tracing.js';
import { combineWrappers, type WrapperSet } from './wrapper-set.js';

/** Options of {@link allObservability}; each part can be turned off with `false`. */
export interface ObservabilityOptions {
  /** Logging, or `false`. Default on, with `createLogger()`. */
  logging?: false | { logger?: Logger; sampleSuccess?: number };
  /** Metrics (needs prom-client), or `false`. Default on, with a fresh registry. */
  metrics?: false | { registry?: Prom.Registry };
  /** Tracing (needs @opentelemetry/api), or `false`. Default on, with the global tracer. */
  tracing?: false | { tracer?: Otel.Tracer };
}

/** Every wrapper list for `createService({ wrappers })`, and the metrics registry when metrics are on. */
export interface Observability extends WrapperSet {
  readonly registry: Prom.Registry | undefined;
}

/**
 * Tracing, metrics and logging in one line. They are fused into one wrapper per kind that behaves
 * as `combineWrappers(tracing(), metrics(), logging())` (tracing outermost, so logs and metrics of
 * a call fall inside its span) at the cost of one: one promise reaction and two clock readings per call.
 * @example const obs = allObservability({ logging: { sampleSuccess: 0.01 } }); createService({ name, wrappers: obs })
 */
export function allObservability(o: ObservabilityOptions = {}): Observability {
  const parts: Parts = {
    trace: o.tracing === false ? undefined : tracingOf(o.tracing ?? {}),
    metrics: o.metrics === false ? undefined : metricsOf(o.metrics ?? {}),
    log: o.logging === false ? undefined : new LogPart(o.logging ?? {}),
  };
  const any = parts.trace || parts.metrics || parts.log;
  const set = combineWrappers(
    any
      ? { handler: observeHandler(parts), subscriber: observeSubscriber(parts), call: observeCall(parts), stream: observeStream(parts) }
      : {},
    // Logging has no publish wrapper.
    parts.trace || parts.metrics ? { publish: observePublish(parts) } : {},
  );
  return { ...set, registry: parts.metrics?.registry };
}
