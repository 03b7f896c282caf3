import type { Context } from '@tsmicro/core';
import { EndpointKeys } from './schemas.js';

/**
 * Marks a handler function with its call shape. It lives here, in the protocol shared by client
 * and server, so the client's typed proxy can read the kind from the server's handler types
 * without importing the server.
 */
export const handlerKind: unique symbol = Symbol.for('tsmicro.handlerKind');

/** The four call shapes; recorded as `kind` in the registry's endpoint metadata. */
export type HandlerKind = 'unary' | 'server-stream' | 'client-stream' | 'bidi-stream';

/** A unary handler: one request in, one response out. A plain function; for contracts written as types. */
export type UnaryHandler<Req, Res> = (req: Req, ctx: Context) => Res | Promise<Res>;
/** A server-stream handler: one request in, a stream of responses out. Made by `serverStream(fn)`. */
export type ServerStreamHandler<Req, Res> = ((req: Req, ctx: Context) => AsyncIterable<Res>) & {
  readonly [handlerKind]: 'server-stream';
};
/** A client-stream handler: a stream of requests in, one response out. Made by `clientStream(fn)`. */
export type ClientStreamHandler<Req, Res> = ((reqs: AsyncIterable<Req>, ctx: Context) => Res | Promise<Res>) & {
  readonly [handlerKind]: 'client-stream';
};
/** A bidirectional handler: streams both ways. Made by `bidiStream(fn)`. */
export type BidiStreamHandler<Req, Res> = ((reqs: AsyncIterable<Req>, ctx: Context) => AsyncIterable<Res>) & {
  readonly [handlerKind]: 'bidi-stream';
};

/** `k` when it names a stream shape, else `unary`: the one reading of a recorded kind. */
function asHandlerKind(k: unknown): HandlerKind {
  return k === 'server-stream' || k === 'client-stream' || k === 'bidi-stream' ? k : 'unary';
}

/** The kind of a handler function: its mark, or `unary` for a plain function. */
export function kindOf(fn: Function): HandlerKind {
  return asHandlerKind((fn as { [handlerKind]?: unknown })[handlerKind]);
}

/**
 * The call shape an endpoint's registry metadata records; `'unary'` when it records none or one
 * this version does not know (an older or foreign server).
 * @example registeredKind(record.endpoints[0].metadata) === 'server-stream'
 */
export function registeredKind(metadata: Readonly<Record<string, string>>): HandlerKind {
  return asHandlerKind(metadata[EndpointKeys.kind]);
}
