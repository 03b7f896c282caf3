import type * as Otel from '@opentelemetry/api';
import type { Logger } from '@tsmicro/core';
import type * as Prom from 'prom-client';
import { logging } from './logging/logging.js';
import { metrics } from './metrics/metrics.js';
import { tracing } from './tracing/tracing.js';
import { combineWrappers, type WrapperParts, type WrapperSet } from './wrapper-set.js';

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
 * Tracing, metrics and logging in one line, outermost first (so logs and metrics of a call fall
 * inside its span).
 * @example const obs = allObservability({ logging: { sampleSuccess: 0.01 } }); createService({ name, wrappers: obs })
 */
export function allObservability(o: ObservabilityOptions = {}): Observability {
  const parts: WrapperParts[] = [];
  if (o.tracing !== false) parts.push(tracing(o.tracing ?? {}));
  const m = o.metrics === false ? undefined : metrics(o.metrics ?? {});
  if (m) parts.push(m);
  if (o.logging !== false) parts.push(logging(o.logging ?? {}));
  return { ...combineWrappers(...parts), registry: m?.registry };
}
