import { randomBytes } from 'node:crypto';
import type { CallOptions, StreamRequest } from '@tsmicro/client';
import { type Context, createLogger, type Logger, toMicroError } from '@tsmicro/core';
import type { ServerContext } from '@tsmicro/server';

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

/** The URL-safe base64 digits request ids are written in. */
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Ids a prefix serves before a fresh one is drawn: a four-digit counter. */
const PER_PREFIX = 64 ** 4;

/**
 * Fresh request ids: 12 URL-safe characters, 48 random bits drawn once per 16.7 million ids, then a
 * counter. Unique within a process and, across processes, unless two drew the same 48 bits. Twelve
 * characters, not a 36-character UUID: V8 concatenates strings under 13 characters into a flat
 * string, where a longer id is a rope the wire encoder must flatten on every call; and the id costs
 * a third of the bytes on every request. The counter's upper digits change once every 64 ids.
 */
function requestIds(): () => string {
  let prefix = '';
  let upper = '';
  let n = PER_PREFIX;
  return () => {
    if (n === PER_PREFIX) {
      prefix = randomBytes(6).toString('base64url');
      n = 0;
    }
    const low = n & 63;
    if (low === 0) upper = prefix + DIGITS[(n >> 18) & 63] + DIGITS[(n >> 12) & 63] + DIGITS[(n >> 6) & 63];
    n++;
    return upper + DIGITS[low];
  };
}

/**
 * What logging does at the start and at the end of observed work. The wrappers (logging's own,
 * or the fused ones of `allObservability`) call it; it never wraps anything itself.
 */
export class LogPart {
  private readonly logger: Logger;
  private readonly sample: number;
  private readonly successLevel: 'info' | 'debug';
  /** A fresh request id. */
  readonly freshId: () => string = requestIds();

  constructor(o: LoggingOptions) {
    this.logger = o.logger ?? createLogger();
    this.sample = Math.min(1, Math.max(0, o.sampleSuccess ?? 1));
    this.successLevel = o.successLevel ?? 'info';
  }

  /** Whether the end of some work is written: every error, a sampled share of successes (decided before any line is built). */
  keep(err: unknown): boolean {
    return err !== undefined || this.sample >= 1 || (this.sample > 0 && Math.random() < this.sample);
  }

  /** The request id of a handled call, added to `ctx.metadata` when absent so calls made with `{ ctx }` carry it on. */
  handlerId(ctx: Context): string {
    const md = ctx.metadata as Record<string, string>;
    let id = md[requestIdKey];
    if (id === undefined) {
      id = this.freshId();
      md[requestIdKey] = id;
    }
    return id;
  }

  /** The request id a call already carries (its own metadata's, then its ctx's), if any. */
  callId(co: CallOptions): string | undefined {
    return co.metadata?.[requestIdKey] ?? co.ctx?.metadata[requestIdKey];
  }

  handled(ctx: ServerContext, requestId: string, ms: number, err: unknown): void {
    const fields = {
      side: 'server',
      service: ctx.service,
      endpoint: ctx.endpoint,
      kind: ctx.kind,
      node: ctx.node,
      peer: ctx.peer,
      requestId,
    };
    this.write(fields, ms, err, 'handled');
  }

  consumed(ctx: Context, ms: number, err: unknown): void {
    this.write(
      { side: 'subscriber', service: ctx.service, topic: ctx.endpoint, requestId: ctx.metadata[requestIdKey] },
      ms,
      err,
      'consumed',
    );
  }

  /** A call (or, with `stream`, a stream) to `node` ended. */
  called(req: StreamRequest, node: string | undefined, requestId: string | undefined, ms: number, err: unknown, stream: boolean): void {
    const fields = { side: 'client', service: req.service, endpoint: req.endpoint, requestId, node };
    if (stream) this.write({ ...fields, stream }, ms, err, 'streamed');
    else this.write(fields, ms, err, 'called');
  }

  private write(fields: Record<string, unknown>, ms: number, err: unknown, msg: string): void {
    fields.durationMs = Math.round(ms * 1000) / 1000;
    if (err === undefined) {
      fields.code = 200;
      this.logger[this.successLevel](fields, msg);
      return;
    }
    const e = toMicroError(err);
    fields.code = e.code;
    fields.err = e.detail;
    this.logger[e.code >= 500 ? 'error' : 'warn'](fields, msg);
  }
}
