import { performance } from 'node:perf_hooks';
import type { Context } from '@tsmicro/core';
import {
  type HandlerFunc,
  type HandlerWrapper,
  isThenable,
  type Runner,
  type ServerContext,
  type SubscriberFunc,
  type SubscriberWrapper,
  settleResult,
  streamsOut,
} from '@tsmicro/server';
import type { Series } from '../metrics/family.js';
import type { Started } from '../tracing/trace-part.js';
import { endAfter } from './outcome.js';
import type { Parts } from './parts.js';

/**
 * One handler wrapper running the given parts: a SERVER span, the `server_*` metrics, a `handled`
 * line. A handler answering at once is answered at once, and one returning a promise costs one
 * `.then` on it.
 */
export function observeHandler(p: Parts): HandlerWrapper {
  return receivingWrapper(p, (t, ctx) => t.handler(ctx), handle);
}

/**
 * The wrapper shape handlers and subscribers share: a span when `begin` starts one, then `observe`;
 * an untraced call with nothing else to observe goes straight to the function.
 */
function receivingWrapper<In, Ctx extends Context, Out>(
  p: Parts,
  begin: (trace: NonNullable<Parts['trace']>, ctx: Ctx) => Started | undefined,
  observe: (p: Parts, next: (input: In, ctx: Ctx) => Out, input: In, ctx: Ctx, s: Started | undefined) => Out,
): (next: (input: In, ctx: Ctx) => Out) => (input: In, ctx: Ctx) => Out {
  const { trace } = p;
  return (next) => {
    if (!trace) return (input, ctx) => observe(p, next, input, ctx, undefined);
    const bare = !p.metrics && !p.log;
    return (input, ctx) => {
      const s = begin(trace, ctx);
      if (s) return trace.run(s, () => observe(p, next, input, ctx, s));
      // Untraced, with nothing else to do: straight to the function.
      return bare ? next(input, ctx) : observe(p, next, input, ctx, undefined);
    };
  };
}

function handle(p: Parts, next: HandlerFunc, req: unknown, ctx: ServerContext, s: Started | undefined): unknown {
  const series = p.metrics?.server.series(ctx.service, ctx.endpoint);
  const requestId = p.log?.handlerId(ctx);
  if (series) series.inFlight++;
  const call = new HandledCall(p, ctx, series, requestId, s, performance.now());
  let out: unknown;
  try {
    out = next(req, ctx);
  } catch (e) {
    call.end(e);
    return Promise.reject(e);
  }
  // A plain value goes back as it came, so the dispatcher can answer without waiting a turn; only a
  // promise costs a `.then` (and its closures).
  return isThenable(out) ? later(call, out) : call.result(out);
}

function later(call: HandledCall, out: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(out).then(
    (v) => call.result(v),
    (e: unknown) => {
      call.end(e);
      throw e;
    },
  );
}

/** A handled call being observed: what its end needs. */
class HandledCall {
  constructor(
    private readonly p: Parts,
    private readonly ctx: ServerContext,
    private readonly series: Series | undefined,
    private readonly requestId: string | undefined,
    private readonly span: Started | undefined,
    private readonly start: number,
  ) {}

  /** The handler's result: a unary call ends here; a response stream later, when exhausted, failed or abandoned. */
  result(v: unknown): unknown {
    const { ctx, span, p } = this;
    if (!streamsOut(ctx.kind)) {
      this.end(undefined);
      return v;
    }
    const run: Runner | undefined = span && ((f) => p.trace!.run(span, f));
    return settleResult(v, ctx.kind, (err) => this.end(err), run);
  }

  /** Innermost part first: the line, the metrics, then the span. */
  end(err: unknown): void {
    const { p, series, span } = this;
    const log = p.log?.keep(err) ? p.log : undefined;
    const ms = series || log ? performance.now() - this.start : 0;
    log?.handled(this.ctx, this.requestId as string, ms, err);
    series?.finish(ms, err);
    if (span) p.trace!.end(span, err);
  }
}

/** One subscriber wrapper running the given parts: a CONSUMER span, the `broker_consume*` metrics, a `consumed` line. */
export function observeSubscriber(p: Parts): SubscriberWrapper {
  return receivingWrapper(p, (t, ctx) => t.consumer(ctx), consume);
}

function consume(p: Parts, next: SubscriberFunc, payload: unknown, ctx: Context, s: Started | undefined): unknown {
  const series = p.metrics?.consumed.series(ctx.service, ctx.endpoint);
  const start = performance.now();
  /** Innermost part first: the line, the metrics, then the span. */
  const end = (err: unknown) => {
    const log = p.log?.keep(err) ? p.log : undefined;
    const ms = series || log ? performance.now() - start : 0;
    log?.consumed(ctx, ms, err);
    series?.end(ms, err);
    if (s) p.trace!.end(s, err);
  };
  let out: unknown;
  try {
    out = next(payload, ctx);
  } catch (e) {
    end(e);
    return Promise.reject(e);
  }
  // As for handlers: a subscriber done at once is done at once; only a promise costs a `.then`.
  if (isThenable(out)) return endAfter(out, { end });
  end(undefined);
  return out;
}
