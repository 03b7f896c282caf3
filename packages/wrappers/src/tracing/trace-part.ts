import type * as Otel from '@opentelemetry/api';
import type { CallOptions, StreamRequest } from '@tsmicro/client';
import { type Context, type Metadata, toMicroError } from '@tsmicro/core';
import type { ServerContext } from '@tsmicro/server';
import { metadataGetter, metadataSetter } from './carrier.js';

/** Options of {@link tracing}. */
export interface TracingOptions {
  /** Default `trace.getTracer('@tsmicro/wrappers')` from the global tracer provider. */
  tracer?: Otel.Tracer;
  /** Injects/extracts trace context in metadata. Default: the global `propagation` API (W3C trace context once an SDK registers it). */
  propagator?: Otel.TextMapPropagator;
}

/** A started span and the context it is active in. */
export interface Started {
  readonly span: Otel.Span;
  readonly active: Otel.Context;
}

const tracerName = '@tsmicro/wrappers';

/**
 * Where the span context of a handled call or message rides on its ctx, so a call made with
 * `{ ctx }` continues the trace even where the async context was lost (callbacks, other context
 * managers). A property of the ctx rather than a WeakMap entry: an entry per call cost every
 * garbage collection an ephemeron to trace, about a tenth of a traced call's CPU.
 */
const spanContextKey = Symbol('tsmicro.otelContext');
type Traced = { [spanContextKey]?: Otel.Context };

/** The OpenTelemetry context of the span serving `ctx` (handler or subscriber), when traced. */
export function otelContextOf(ctx: Context): Otel.Context | undefined {
  return (ctx as Traced)[spanContextKey];
}

/** A span's name and attributes. */
interface SpanNames {
  name: string;
  attributes: Otel.Attributes;
}

/**
 * What tracing does at the start and at the end of observed work: starts spans (or finds there is
 * nothing to trace), carries their context in metadata, ends them. The wrappers (tracing's own, or
 * the fused ones of `allObservability`) call it; it never wraps anything itself.
 */
export class TracePart {
  private readonly tracer: Otel.Tracer;
  private readonly prop: Otel.TextMapPropagator;
  // The API's exports are getters (its CommonJS build): read once, not on every call.
  private readonly trace: Otel.TraceAPI;
  private readonly context: Otel.ContextAPI;
  private readonly root: Otel.Context;
  private readonly statusError: Otel.SpanStatusCode;
  private readonly kind: typeof Otel.SpanKind;
  /**
   * The global provider while it has no SDK behind it, else undefined. Its tracer then only makes
   * no-op spans, so without a trace coming in a call skips `startSpan` (and its span and options
   * objects) entirely. Checked per call: an SDK may register after startup.
   */
  private sdkless: Otel.ProxyTracerProvider | undefined;
  private readonly rpcNames = namesBy((service, endpoint) => ({
    name: `${service}/${endpoint}`,
    attributes: { 'rpc.system': 'tsmicro', 'rpc.service': service, 'rpc.method': endpoint },
  }));
  private readonly consumeNames = messagingNames('process', 'process');
  private readonly produceNames = messagingNames('send', 'publish');

  constructor(api: typeof Otel, o: TracingOptions) {
    this.trace = api.trace;
    this.context = api.context;
    this.root = api.ROOT_CONTEXT;
    this.statusError = api.SpanStatusCode.ERROR;
    this.kind = api.SpanKind;
    const provider = api.trace.getTracerProvider();
    this.tracer = o.tracer ?? provider.getTracer(tracerName);
    this.prop = o.propagator ?? api.propagation;
    const ProxyProvider = api.ProxyTracerProvider;
    // instanceof our copy of the API only: a provider of another copy takes the general path.
    if (!o.tracer && typeof ProxyProvider === 'function' && provider instanceof ProxyProvider && this.tracer instanceof api.ProxyTracer)
      this.sdkless = provider;
  }

  /** The SERVER span of a handled call (its context is kept for `otelContextOf`), or undefined when untraced. */
  handler(ctx: ServerContext): Started | undefined {
    const parent = this.prop.extract(this.root, ctx.metadata, metadataGetter);
    if (this.quiet(parent)) return undefined;
    const s = this.start(this.rpcNames(ctx.service, ctx.endpoint), this.kind.SERVER, parent);
    if (s) (ctx as Traced)[spanContextKey] = s.active;
    return s;
  }

  /** The CONSUMER span of a handled message, or undefined. */
  consumer(ctx: Context): Started | undefined {
    const parent = this.prop.extract(this.root, ctx.metadata, metadataGetter);
    if (this.quiet(parent)) return undefined;
    const s = this.start(this.consumeNames(ctx.endpoint), this.kind.CONSUMER, parent);
    if (s) (ctx as Traced)[spanContextKey] = s.active;
    return s;
  }

  /** The CLIENT span of a call or stream: a child of the `ctx`'s span, else of the active one. Or undefined. */
  client(req: StreamRequest, co: CallOptions): Started | undefined {
    const parent = (co.ctx && otelContextOf(co.ctx)) ?? this.context.active();
    if (this.quiet(parent)) return undefined;
    return this.start(this.rpcNames(req.service, req.endpoint), this.kind.CLIENT, parent);
  }

  /** The PRODUCER span of a publish, or undefined. */
  producer(topic: string): Started | undefined {
    const parent = this.context.active();
    if (this.quiet(parent)) return undefined;
    return this.start(this.produceNames(topic), this.kind.PRODUCER, parent);
  }

  /** Writes the span's context (W3C `traceparent`, ...) into `md`. */
  inject(s: Started, md: Metadata): void {
    this.prop.inject(s.active, md, metadataSetter);
  }

  /** Runs `f` with the span active. */
  run<T>(s: Started, f: () => T): T {
    return this.context.with(s.active, f);
  }

  /** Ends the span; a failure sets status ERROR and `rpc.tsmicro.code`. */
  end(s: Started, err?: unknown): void {
    if (err !== undefined) {
      const e = toMicroError(err);
      s.span.setAttribute('rpc.tsmicro.code', e.code);
      s.span.setStatus({ code: this.statusError, message: e.detail });
    }
    s.span.end();
  }

  /**
   * True when a span would be a no-op with nothing to pass on: the tracer is still the one of a
   * provider with no SDK behind it, and `parent` holds no trace. Saves even building the span.
   */
  private quiet(parent: Otel.Context): boolean {
    const p = this.sdkless;
    if (p === undefined) return false;
    if (p.getDelegateTracer(tracerName) !== undefined) {
      this.sdkless = undefined;
      return false;
    }
    return this.trace.getSpanContext(parent) === undefined;
  }

  /**
   * Starts a span, or returns undefined when there is nothing to record or pass on: a span that is
   * not recording and carries no valid trace (the no-op tracer, no SDK registered, no trace coming
   * in). Then the work runs as if untraced: no context to bind, no metadata to copy.
   */
  private start(names: SpanNames, kind: Otel.SpanKind, parent: Otel.Context): Started | undefined {
    const trace = this.trace;
    // Attributes copied per span: some SDK versions merge sampler attributes into the given object.
    const span = this.tracer.startSpan(names.name, { kind, attributes: { ...names.attributes } }, parent);
    if (!span.isRecording() && !trace.isSpanContextValid(span.spanContext())) return undefined;
    return { span, active: trace.setSpan(parent, span) };
  }
}

const messagingNames = (operation: 'process' | 'send', suffix: string) =>
  namesBy((topic) => ({
    name: `${topic} ${suffix}`,
    attributes: { 'messaging.system': 'tsmicro', 'messaging.destination.name': topic, 'messaging.operation.type': operation },
  }));

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
