import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '@tsmicro/core';
import { allObservability, type Observability } from '@tsmicro/wrappers/observability';

/**
 * The observability of the OBS rows, as an app would ship it: logging at info with 1 % of success
 * lines (errors always), prom-client metrics, OpenTelemetry tracing. `api` leaves tracing on the
 * bare @opentelemetry/api (no SDK registered: the no-op tracer); `sdk` registers what an app's
 * tracing setup does (async-hooks context manager, W3C propagator, a provider batching spans) with an
 * exporter that drops the batches, so the row measures recording, not a collector.
 */
export type ObsMode = 'api' | 'sdk';

/** Accepts every batch and drops it. */
const dropExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => {},
};

/** Registers what an app's tracing setup does: async-hooks context manager, W3C propagator, a provider batching spans to {@link dropExporter}. */
export function registerOtelSdk(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropExporter)] }));
}

/** The wrappers for one bench process; with `sdk`, registers the global OpenTelemetry SDK first. */
export function benchObservability(mode: ObsMode): Observability {
  if (mode === 'sdk') registerOtelSdk();
  // A real file descriptor, written synchronously as pino's default stdout is; /dev/null keeps the
  // table readable.
  const logger = createLogger({ level: 'info', dest: '/dev/null' });
  return allObservability({ logging: { logger, sampleSuccess: 0.01 } });
}
