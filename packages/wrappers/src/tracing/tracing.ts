import { createRequire } from 'node:module';
import type * as Otel from '@opentelemetry/api';
import type { CallWrapper, PublishWrapper, StreamWrapper } from '@tsmicro/client';
import { loadOptional } from '@tsmicro/core';
import type { HandlerWrapper, SubscriberWrapper } from '@tsmicro/server';
import { observeCall, observePublish, observeStream } from '../internal/observe-client.js';
import { observeHandler, observeSubscriber } from '../internal/observe-server.js';
import { otelContextOf, TracePart, type TracingOptions } from './trace-part.js';

export { otelContextOf, type TracingOptions };

// Synchronous on purpose: tracing() is a sync factory. Resolves @opentelemetry/api from this package.
const load = createRequire(import.meta.url);

/** Tracing wrappers for every kind. */
export interface Tracing {
  handler: HandlerWrapper;
  subscriber: SubscriberWrapper;
  call: CallWrapper;
  stream: StreamWrapper;
  publish: PublishWrapper;
}

/** The tracing of {@link tracing}, to fuse with other parts (`allObservability`). */
export function tracingOf(o: TracingOptions): TracePart {
  return new TracePart(
    loadOptional('@opentelemetry/api', 'tracing()', () => load('@opentelemetry/api') as typeof Otel),
    o,
  );
}

/**
 * OpenTelemetry spans (needs `@opentelemetry/api`): CLIENT per call and stream, SERVER per handled
 * call, PRODUCER per publish, CONSUMER per handled message. The W3C `traceparent`/`tracestate` go in
 * call and message metadata; handlers run with their span active, so spans they start (and calls
 * they make, with or without `{ ctx }`) are its children. A failed call sets the span status to ERROR
 * with the MicroError's code in `rpc.tsmicro.code`. With no SDK registered and no trace coming in,
 * calls pass through untouched (checked per call, so an SDK registered later is picked up).
 * @example const t = tracing(); createService({ name, wrappers: { handler: [t.handler], call: [t.call], publish: [t.publish], subscriber: [t.subscriber] } })
 */
export function tracing(o: TracingOptions = {}): Tracing {
  const parts = { trace: tracingOf(o) };
  return {
    handler: observeHandler(parts),
    subscriber: observeSubscriber(parts),
    call: observeCall(parts),
    stream: observeStream(parts),
    publish: observePublish(parts),
  };
}
