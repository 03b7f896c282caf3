import { randomBytes } from 'node:crypto';
import type { CallOptions, CallWrapper, Stream, StreamRequest, StreamWrapper } from '@tsmicro/client';
import { type Context, createLogger, type Logger, mergeMetadata, toMicroError } from '@tsmicro/core';
import type { HandlerWrapper, ServerContext, SubscriberWrapper } from '@tsmicro/server';
import { withMetadata } from '../internal/options.js';
import { settleResult, settleStream, streamsOut } from '../internal/outcome.js';

/** The metadata key carrying the request id across calls. */
export const requestIdKey = 'x-request-id';

/** Options of {@link logging}. */
export interface LoggingOptions {
  /** Where lines go. Default `createLogger()` (pino, JSON on stdout). */
  logger?: Logger;
  /** Fraction (0..1) of success lines written; errors are always written. Default 1. */
  sampleSuccess?: number;
  /** Level of success lines. Default `'info'`. */
  successLevel?: 'info' | 'debug';
}

/** Logging wrappers for a server (handlers, subscribers) and a client (calls, streams). */
export interface Logging {
  handler: HandlerWrapper;
  subscriber: SubscriberWrapper;
  call: CallWrapper;
  stream: StreamWrapper;
}

/**
 * Fresh request ids in UUID v4 form: about 78 random bits drawn once per `logging()`, then a
 * counter in the last group. As unique as random UUIDs across processes, without drawing and
 * formatting 16 random bytes on every call.
 */
function requestIds(): () => string {
  const r = randomBytes(10).toString('hex');
  const variant = '89ab'[Number.parseInt(r.charAt(15), 16) & 3] ?? '8';
  const prefix = `${r.slice(0, 8)}-${r.slice(8, 12)}-4${r.slice(12, 15)}-${variant}${r.slice(16, 19)}-`;
  let n = 0;
  return () => prefix + (++n).toString(16).padStart(12, '0');
}

/** The call's options carrying a request id: the caller's, the handler context's, or a fresh one. */
function withRequestId(o: CallOptions, fresh: () => string): CallOptions {
  if (o.metadata?.[requestIdKey] !== undefined) return o;
  const inherited = o.ctx?.metadata[requestIdKey];
  if (inherited !== undefined) return o;
  const id = fresh();
  // With no metadata of the caller's there is no foreign key to guard against: a literal is cheapest.
  return withMetadata(o, o.metadata ? mergeMetadata(o.metadata, { [requestIdKey]: id }) : { [requestIdKey]: id });
}

/**
 * One structured line per call, stream, handled call and handled message: service, endpoint,
 * node (when known), request id, duration in ms and code. Success at `successLevel` (sampled),
 * 4xx at warn, 5xx at error. Metadata other than the request id is never logged (it may hold tokens).
 * The client wrapper creates `x-request-id` when absent; the server wrapper adds one to
 * `ctx.metadata` when absent, so calls made with `{ ctx }` carry it downstream.
 * @example const log = logging({ logger, sampleSuccess: 0.1 }); createService({ name, wrappers: { handler: [log.handler], call: [log.call] } })
 */
export function logging(o: LoggingOptions = {}): Logging {
  const logger = o.logger ?? createLogger();
  const sample = Math.min(1, Math.max(0, o.sampleSuccess ?? 1));
  const successLevel = o.successLevel ?? 'info';
  const nextId = requestIds();
  // Decided before any line is built: a sampled-out success costs one random number.
  const keep = (err: unknown) => err !== undefined || sample >= 1 || (sample > 0 && Math.random() < sample);
  const write = (fields: Record<string, unknown>, start: number, err: unknown, msg: string) => {
    fields.durationMs = Math.round((performance.now() - start) * 1000) / 1000;
    if (err === undefined) {
      fields.code = 200;
      logger[successLevel](fields, msg);
      return;
    }
    const e = toMicroError(err);
    fields.code = e.code;
    fields.err = e.detail;
    logger[e.code >= 500 ? 'error' : 'warn'](fields, msg);
  };
  const handled = (ctx: ServerContext, requestId: string | undefined, start: number, err?: unknown) => {
    if (keep(err))
      write(
        { side: 'server', service: ctx.service, endpoint: ctx.endpoint, kind: ctx.kind, node: ctx.node, peer: ctx.peer, requestId },
        start,
        err,
        'handled',
      );
  };
  const consumed = (ctx: Context, start: number, err?: unknown) => {
    if (keep(err))
      write(
        { side: 'subscriber', service: ctx.service, topic: ctx.endpoint, requestId: ctx.metadata[requestIdKey] },
        start,
        err,
        'consumed',
      );
  };
  const called = (req: StreamRequest, co: CallOptions, start: number, err: unknown, stream: boolean) => {
    if (!keep(err)) return;
    const fields = {
      side: 'client',
      service: req.service,
      endpoint: req.endpoint,
      requestId: co.metadata?.[requestIdKey] ?? co.ctx?.metadata[requestIdKey],
      node: co.address,
    };
    write(stream ? { ...fields, stream } : fields, start, err, stream ? 'streamed' : 'called');
  };
  return {
    handler: (next) => async (req, ctx) => {
      const start = performance.now();
      const md = ctx.metadata as Record<string, string>;
      md[requestIdKey] ??= nextId();
      const requestId = md[requestIdKey];
      let out: unknown;
      try {
        out = await next(req, ctx);
      } catch (e) {
        handled(ctx, requestId, start, e);
        throw e;
      }
      if (!streamsOut(ctx.kind)) {
        handled(ctx, requestId, start);
        return out;
      }
      return settleResult(out, ctx.kind, (err) => handled(ctx, requestId, start, err));
    },
    subscriber: (next) => async (payload, ctx) => {
      const start = performance.now();
      try {
        await next(payload, ctx);
      } catch (e) {
        consumed(ctx, start, e);
        throw e;
      }
      consumed(ctx, start);
    },
    call: (next) => async (req, co) => {
      const start = performance.now();
      const o = withRequestId(co, nextId);
      try {
        const res = await next(req, o);
        called(req, o, start, undefined, false);
        return res;
      } catch (e) {
        called(req, o, start, e, false);
        throw e;
      }
    },
    stream: (next) => async (req, co) => {
      const start = performance.now();
      const o = withRequestId(co, nextId);
      let stream: Stream<unknown, unknown>;
      try {
        stream = await next(req, o);
      } catch (e) {
        called(req, o, start, e, true);
        throw e;
      }
      return settleStream(stream, (err) => called(req, o, start, err, true));
    },
  };
}
