import type * as Otel from '@opentelemetry/api';
import type { CallWrapper, PublishWrapper, StreamWrapper } from '@tsmicro/client';
import { type Context, mergeMetadata, toMicroError } from '@tsmicro/core';
import type { HandlerWrapper, SubscriberWrapper } from '@tsmicro/server';
import { optionalPeer } from '../internal/optional.js';
import { type Runner, settleResult, settleStream } from '../internal/outcome.js';
import { metadataGetter, metadataSetter } from './carrier.js';

/** Options of {@link tracing}. */
export interface TracingOptions {
  /** Default `trace.getTracer('@tsmicro/wrappers')` from the global tracer provider. */
  tracer?: Otel.Tracer;
  /** Injects/extracts trace context in metadata. Default: the global `propagation` API (W3C trace context once an SDK registers it). */
  propagator?: Otel.TextMapPropagator;
}

/** Tracing wrappers for every kind. */
export interface Tracing {
  handler: HandlerWrapper;
  subscriber: SubscriberWrapper;
  call: CallWrapper;
  stream: StreamWrapper;
  publish: PublishWrapper;
}

// Keyed by the handler's ctx: a call made with `{ ctx }` continues the trace even where the
// async context was lost (callbacks, other context managers).
const spanContexts = new WeakMap<object, Otel.Context>();

/** The OpenTelemetry context of the span serving `ctx` (handler or subscriber), when traced. */
export function otelContextOf(ctx: Context): Otel.Context | undefined {
  return spanContexts.get(ctx);
}

/**
 * OpenTelemetry spans (needs `@opentelemetry/api`): CLIENT per call and stream, SERVER per handled
 * call, PRODUCER per publish, CONSUMER per handled message. The W3C `traceparent`/`tracestate` go in
 * call and message metadata; handlers run with their span active, so spans they start (and calls
 * they make, with or without `{ ctx }`) are its children. A failed call sets the span status to ERROR
 * with the MicroError's code in `rpc.tsmicro.code`.
 * @example const t = tracing(); createService({ name, wrappers: { handler: [t.handler], call: [t.call], publish: [t.publish], subscriber: [t.subscriber] } })
 */
export function tracing(o: TracingOptions = {}): Tracing {
  const api = optionalPeer<typeof Otel>('@opentelemetry/api', 'tracing()');
  const tracer = o.tracer ?? api.trace.getTracer('@tsmicro/wrappers');
  const prop = o.propagator ?? api.propagation;
  const { SpanKind, SpanStatusCode, ROOT_CONTEXT, context, trace } = api;

  const end = (span: Otel.Span, err?: unknown) => {
    if (err !== undefined) {
      const e = toMicroError(err);
      span.setAttribute('rpc.tsmicro.code', e.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.detail });
    }
    span.end();
  };
  const start = (name: string, kind: Otel.SpanKind, attributes: Otel.Attributes, parent: Otel.Context) => {
    const span = tracer.startSpan(name, { kind, attributes }, parent);
    const active = trace.setSpan(parent, span);
    const run: Runner = (f) => context.with(active, f);
    return { span, active, run };
  };
  const inject = (active: Otel.Context, md: Readonly<Record<string, string>> | undefined) => {
    const out = mergeMetadata(md);
    prop.inject(active, out, metadataSetter);
    return out;
  };
  const rpc = (service: string, endpoint: string) => ({ 'rpc.system': 'tsmicro', 'rpc.service': service, 'rpc.method': endpoint });

  return {
    handler: (next) => async (req, ctx) => {
      const parent = prop.extract(ROOT_CONTEXT, ctx.metadata, metadataGetter);
      const s = start(`${ctx.service}/${ctx.endpoint}`, SpanKind.SERVER, rpc(ctx.service, ctx.endpoint), parent);
      spanContexts.set(ctx, s.active);
      try {
        const out = await s.run(() => next(req, ctx));
        return settleResult(out, ctx.kind, (err) => end(s.span, err), s.run);
      } catch (e) {
        end(s.span, e);
        throw e;
      }
    },
    subscriber: (next) => async (payload, ctx) => {
      const parent = prop.extract(ROOT_CONTEXT, ctx.metadata, metadataGetter);
      const attrs = { 'messaging.system': 'tsmicro', 'messaging.destination.name': ctx.endpoint, 'messaging.operation.type': 'process' };
      const s = start(`${ctx.endpoint} process`, SpanKind.CONSUMER, attrs, parent);
      spanContexts.set(ctx, s.active);
      try {
        await s.run(() => next(payload, ctx));
        end(s.span);
      } catch (e) {
        end(s.span, e);
        throw e;
      }
    },
    call: (next) => async (req, co) => {
      const parent = (co.ctx && spanContexts.get(co.ctx)) ?? context.active();
      const s = start(`${req.service}/${req.endpoint}`, SpanKind.CLIENT, rpc(req.service, req.endpoint), parent);
      try {
        const res = await s.run(() => next(req, { ...co, metadata: inject(s.active, co.metadata) }));
        end(s.span);
        return res;
      } catch (e) {
        end(s.span, e);
        throw e;
      }
    },
    stream: (next) => async (req, co) => {
      const parent = (co.ctx && spanContexts.get(co.ctx)) ?? context.active();
      const s = start(`${req.service}/${req.endpoint}`, SpanKind.CLIENT, rpc(req.service, req.endpoint), parent);
      try {
        const stream = await s.run(() => next(req, { ...co, metadata: inject(s.active, co.metadata) }));
        return settleStream(stream, (err) => end(s.span, err));
      } catch (e) {
        end(s.span, e);
        throw e;
      }
    },
    publish: (next) => async (pr) => {
      const attrs = { 'messaging.system': 'tsmicro', 'messaging.destination.name': pr.topic, 'messaging.operation.type': 'send' };
      const s = start(`${pr.topic} publish`, SpanKind.PRODUCER, attrs, context.active());
      try {
        await s.run(() => next({ ...pr, options: { ...pr.options, metadata: inject(s.active, pr.options.metadata) } }));
        end(s.span);
      } catch (e) {
        end(s.span, e);
        throw e;
      }
    },
  };
}
