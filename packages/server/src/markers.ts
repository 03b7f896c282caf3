import type { Context } from '@tsmicro/core';
import { type BidiStreamHandler, type ClientStreamHandler, handlerKind, type ServerStreamHandler } from '@tsmicro/transport/rpc';

function mark<F extends Function>(fn: F, kind: string): F {
  Object.defineProperty(fn, handlerKind, { value: kind });
  return fn;
}

/**
 * Marks a server-stream handler: one request in, responses out.
 * @example { watch: serverStream(async function* (req: { n: number }) { for (let i = 0; i < req.n; i++) yield i }) }
 */
export function serverStream<Req, Res>(fn: (req: Req, ctx: Context) => AsyncIterable<Res>): ServerStreamHandler<Req, Res> {
  return mark(fn, 'server-stream') as ServerStreamHandler<Req, Res>;
}

/**
 * Marks a client-stream handler: requests in, one response out.
 * @example { sum: clientStream(async (nums: AsyncIterable<number>) => { let s = 0; for await (const n of nums) s += n; return s }) }
 */
export function clientStream<Req, Res>(fn: (reqs: AsyncIterable<Req>, ctx: Context) => Res | Promise<Res>): ClientStreamHandler<Req, Res> {
  return mark(fn, 'client-stream') as ClientStreamHandler<Req, Res>;
}

/**
 * Marks a bidirectional handler: requests in, responses out, at their own pace.
 * @example { echo: bidiStream(async function* (reqs: AsyncIterable<string>) { for await (const r of reqs) yield r }) }
 */
export function bidiStream<Req, Res>(fn: (reqs: AsyncIterable<Req>, ctx: Context) => AsyncIterable<Res>): BidiStreamHandler<Req, Res> {
  return mark(fn, 'bidi-stream') as BidiStreamHandler<Req, Res>;
}
