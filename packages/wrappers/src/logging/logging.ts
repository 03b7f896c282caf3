import { randomUUID } from 'node:crypto';
import type { CallOptions, CallWrapper, StreamWrapper } from '@tsmicro/client';
import { createLogger, type Logger, mergeMetadata, toMicroError } from '@tsmicro/core';
import type { HandlerWrapper, SubscriberWrapper } from '@tsmicro/server';
import { codeOf, settleResult, settleStream } from '../internal/outcome.js';

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

/** The call's request id: the caller's, the handler context's, or a fresh one. */
function withRequestId(o: CallOptions): { id: string; o: CallOptions } {
  const id = o.metadata?.[requestIdKey] ?? o.ctx?.metadata[requestIdKey];
  if (id !== undefined) return { id, o };
  const fresh = randomUUID();
  return { id: fresh, o: { ...o, metadata: mergeMetadata(o.metadata, { [requestIdKey]: fresh }) } };
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
  const line = (fields: Record<string, unknown>, start: number, err: unknown, msg: string) => {
    const code = codeOf(err);
    if (err === undefined && (sample === 0 || (sample < 1 && Math.random() >= sample))) return;
    const out = { ...fields, durationMs: Math.round((performance.now() - start) * 1000) / 1000, code };
    if (err === undefined) logger[successLevel](out, msg);
    else logger[code >= 500 ? 'error' : 'warn']({ ...out, err: toMicroError(err).detail }, msg);
  };
  return {
    handler: (next) => async (req, ctx) => {
      const start = performance.now();
      const md = ctx.metadata as Record<string, string>;
      md[requestIdKey] ??= randomUUID();
      const fields = { side: 'server', service: ctx.service, endpoint: ctx.endpoint, kind: ctx.kind, requestId: md[requestIdKey] };
      try {
        const out = await next(req, ctx);
        return settleResult(out, ctx.kind, (err) => line(fields, start, err, 'handled'));
      } catch (e) {
        line(fields, start, e, 'handled');
        throw e;
      }
    },
    subscriber: (next) => async (payload, ctx) => {
      const start = performance.now();
      const fields = { side: 'subscriber', service: ctx.service, topic: ctx.endpoint, requestId: ctx.metadata[requestIdKey] };
      try {
        await next(payload, ctx);
        line(fields, start, undefined, 'consumed');
      } catch (e) {
        line(fields, start, e, 'consumed');
        throw e;
      }
    },
    call: (next) => async (req, co) => {
      const start = performance.now();
      const r = withRequestId(co);
      const fields = { side: 'client', service: req.service, endpoint: req.endpoint, requestId: r.id, node: co.address };
      try {
        const res = await next(req, r.o);
        line(fields, start, undefined, 'called');
        return res;
      } catch (e) {
        line(fields, start, e, 'called');
        throw e;
      }
    },
    stream: (next) => async (req, co) => {
      const start = performance.now();
      const r = withRequestId(co);
      const fields = { side: 'client', service: req.service, endpoint: req.endpoint, requestId: r.id, node: co.address, stream: true };
      try {
        return settleStream(await next(req, r.o), (err) => line(fields, start, err, 'streamed'));
      } catch (e) {
        line(fields, start, e, 'streamed');
        throw e;
      }
    },
  };
}
