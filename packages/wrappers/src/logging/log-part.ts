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

/** The last two hex digits of request ids, made once. */
const lowDigits = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Fresh request ids in UUID v4 form: about 78 random bits drawn once, then a counter in the last
 * group. As unique as random UUIDs across processes, without drawing and formatting 16 random bytes
 * per call; the counter's upper digits are formatted once every 256 ids, so an id is one concatenation.
 */
function requestIds(): () => string {
  const r = randomBytes(10).toString('hex');
  const variant = '89ab'[Number.parseInt(r.charAt(15), 16) & 3] ?? '8';
  const prefix = `${r.slice(0, 8)}-${r.slice(8, 12)}-4${r.slice(12, 15)}-${variant}${r.slice(16, 19)}-`;
  let n = 0;
  let upper = '';
  return () => {
    const low = ++n & 255;
    if (low === 0 || upper === '') upper = prefix + (Math.floor(n / 256) % 2 ** 40).toString(16).padStart(10, '0');
    return upper + lowDigits[low];
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
