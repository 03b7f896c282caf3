import type * as Otel from '@opentelemetry/api';
import type { CallWrapper, PublishWrapper, StreamWrapper } from '@tsmicro/client';
import { type Context, mergeMetadata, toMicroError } from '@tsmicro/core';
import type { HandlerWrapper, SubscriberWrapper } from '@tsmicro/server';
import { optionalPeer } from '../internal/optional.js';
import { withMetadata } from '../internal/options.js';
import { settleResult, settleStream } from '../internal/outcome.js';
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
  /**
   * Starts a span, or returns undefined when there is nothing to record or pass on: a span that is
   * not recording and carries no valid trace (the no-op tracer, no SDK registered, no trace coming
   * in). Then the call runs as if untraced: no context to bind, no metadata to copy.
   */
  const start = (names: SpanNames, kind: Otel.SpanKind, parent: Otel.Context): Started | undefined => {
    // Attributes copied per span: some SDK versions merge sampler attributes into the given object.
    const span = tracer.startSpan(names.name, { kind, attributes: { ...names.attributes } }, parent);
    if (!span.isRecording() && !trace.isSpanContextValid(span.spanContext())) return undefined;
    return { span, active: trace.setSpan(parent, span) };
  };
  const inject = (active: Otel.Context, md: Readonly<Record<string, string>> | undefined) => {
    const out = mergeMetadata(md);
    prop.inject(active, out, metadataSetter);
    return out;
  };
  // Span names and attributes per endpoint or topic, built once, not per call.
  const rpc = namesBy((service, endpoint) =>
    spanNames(`${service}/${endpoint}`, { 'rpc.system': 'tsmicro', 'rpc.service': service, 'rpc.method': endpoint }),
  );
  const messaging = (operation: 'process' | 'send', suffix: string) =>
    namesBy((topic) =>
      spanNames(`${topic} ${suffix}`, {
        'messaging.system': 'tsmicro',
        'messaging.destination.name': topic,
        'messaging.operation.type': operation,
      }),
    );
  const consume = messaging('process', 'process');
  const produce = messaging('send', 'publish');

  // Outer functions are not async: an untraced call goes straight to `next`, costing no extra promise.
  return {
    handler: (next) => (req, ctx) => {
      const s = start(rpc(ctx.service, ctx.endpoint), SpanKind.SERVER, prop.extract(ROOT_CONTEXT, ctx.metadata, metadataGetter));
      if (!s) return next(req, ctx);
      spanContexts.set(ctx, s.active);
      return settle(
        s,
        () => next(req, ctx),
        (out) =>
          settleResult(
            out,
            ctx.kind,
            (err) => end(s.span, err),
            (f) => context.with(s.active, f),
          ),
      );
    },
    subscriber: (next) => (payload, ctx) => {
      const s = start(consume(ctx.endpoint), SpanKind.CONSUMER, prop.extract(ROOT_CONTEXT, ctx.metadata, metadataGetter));
      if (!s) return next(payload, ctx);
      spanContexts.set(ctx, s.active);
      return settle(
        s,
        () => next(payload, ctx),
        () => end(s.span),
      );
    },
    call: (next) => (req, co) => {
      const s = start(rpc(req.service, req.endpoint), SpanKind.CLIENT, (co.ctx && spanContexts.get(co.ctx)) ?? context.active());
      if (!s) return next(req, co);
      return settle(
        s,
        () => next(req, withMetadata(co, inject(s.active, co.metadata))),
        (r) => {
          end(s.span);
          return r;
        },
      );
    },
    stream: (next) => (req, co) => {
      const s = start(rpc(req.service, req.endpoint), SpanKind.CLIENT, (co.ctx && spanContexts.get(co.ctx)) ?? context.active());
      if (!s) return next(req, co);
      return settle(
        s,
        () => next(req, withMetadata(co, inject(s.active, co.metadata))),
        (st) => settleStream(st, (err) => end(s.span, err)),
      );
    },
    publish: (next) => (pr) => {
      const s = start(produce(pr.topic), SpanKind.PRODUCER, context.active());
      if (!s) return next(pr);
      return settle(
        s,
        () => next({ ...pr, options: withMetadata(pr.options, inject(s.active, pr.options.metadata)) }),
        () => end(s.span),
      );
    },
  };

  /** Runs `work` with the span active; a failure ends the span as an error, a result goes through `ok`. */
  async function settle<T, R>(s: Started, work: () => Promise<T>, ok: (v: T) => R): Promise<R> {
    let v: T;
    try {
      v = await context.with(s.active, work);
    } catch (e) {
      end(s.span, e);
      throw e;
    }
    return ok(v);
  }
}

/** A started span and the context it is active in. */
interface Started {
  span: Otel.Span;
  active: Otel.Context;
}

/** A span's name and attributes. */
interface SpanNames {
  name: string;
  attributes: Otel.Attributes;
}

function spanNames(name: string, attributes: Otel.Attributes): SpanNames {
  return { name, attributes };
}

/** Past this many names, new ones are built per span instead of kept (topics may carry ids). */
const MAX_NAMES = 1024;

/** Memoises `make` by its one or two arguments, with nested maps so a lookup builds no key string. */
function namesBy(make: (a: string, b: string) => SpanNames): (a: string, b?: string) => SpanNames {
  const byA = new Map<string, Map<string, SpanNames>>();
  let size = 0;
  return (a, b = '') => {
    const hit = byA.get(a)?.get(b);
    if (hit) return hit;
    const n = make(a, b);
    if (size >= MAX_NAMES) return n;
    let byB = byA.get(a);
    if (!byB) {
      byB = new Map();
      byA.set(a, byB);
    }
    byB.set(b, n);
    size++;
    return n;
  };
}
