import { type Context, internalServerError, isMicroError } from '@tsmicro/core';
import { streamsOut } from '@tsmicro/server';
import { type HandlerKind, handlerKind, kindOf, schemaSymbol, schemasOf, withSchemas } from '@tsmicro/transport/rpc';
import { type Schema, validate } from './standard-schema.js';

/** The schemas a handler declares; published under {@link schemaSymbol}. */
export interface HandlerSchemas {
  /** Each request (each message for client and bidi streams) must satisfy it. */
  readonly request?: Schema;
  /** Each response (each message for server and bidi streams) is checked against it when enabled. */
  readonly response?: Schema;
}

/** Options of {@link validated}. */
export interface ValidatedOptions<I> {
  /** Request schema (any Standard Schema). The handler receives its output. */
  request: Schema<I>;
  /** Response schema. Default: none. */
  response?: Schema;
  /** Check responses: `true`, `false`, or `'development'` (when `NODE_ENV !== 'production'`). Default `'development'`. */
  validateResponse?: boolean | 'development';
}

/** Where {@link validated} attaches a handler's schemas (the carrier protocol of @tsmicro/transport/rpc, which the server publishes in endpoint metadata). */
export { schemaSymbol };

/** The schemas a handler was declared with, or `undefined`. */
export function schemaOf(fn: Function): HandlerSchemas | undefined {
  return schemasOf(fn) as HandlerSchemas | undefined;
}

type Handler = (req: never, ctx: Context) => unknown;
type Marked = Handler & { readonly [handlerKind]: HandlerKind };

async function* eachValid<T>(reqs: AsyncIterable<unknown>, schema: Schema<T>): AsyncGenerator<T> {
  for await (const r of reqs) yield await validate(schema, r);
}

async function checkResponse(schema: Schema, value: unknown): Promise<unknown> {
  try {
    return await validate(schema, value, 'response');
  } catch (e) {
    // The server broke its own contract: the caller's request was fine, so this is a 500.
    throw internalServerError(isMicroError(e) ? e.detail : String(e), { cause: e });
  }
}

async function* eachValidResponse(out: AsyncIterable<unknown>, schema: Schema): AsyncGenerator<unknown> {
  for await (const r of out) yield await checkResponse(schema, r);
}

/**
 * Declares a handler's request (and optionally response) schema. Invalid input is refused with
 * `badRequest` listing every issue before the handler runs; for client and bidi streams each
 * incoming message is checked. Works inside a stream marker (`serverStream(validated(…))`, the
 * usual order) or around one. The schemas are readable with {@link schemaOf}.
 * @example { hello: validated({ request: z.object({ name: z.string().min(1) }) }, async (req) => ({ msg: `hi ${req.name}` })) }
 */
export function validated<F extends Marked>(o: ValidatedOptions<unknown>, fn: F): F;
export function validated<I, R>(o: ValidatedOptions<I>, fn: (req: I, ctx: Context) => R): (req: I, ctx: Context) => R;
export function validated<I, R>(
  o: ValidatedOptions<I>,
  fn: (reqs: AsyncIterable<I>, ctx: Context) => R,
): (reqs: AsyncIterable<I>, ctx: Context) => R;
export function validated(o: ValidatedOptions<unknown>, fn: Function): Function {
  const mode = o.validateResponse ?? 'development';
  const response = o.response;
  const checkOut = response !== undefined && (mode === 'development' ? process.env.NODE_ENV !== 'production' : mode);
  const inner = kindOf(fn);
  const wrapped = async function (this: unknown, req: unknown, ctx: Context) {
    // An outer marker is only known at call time: the server passes the kind in its context.
    const kind = inner !== 'unary' ? inner : ((ctx as { kind?: HandlerKind }).kind ?? 'unary');
    const manyIn = kind === 'client-stream' || kind === 'bidi-stream';
    const input = manyIn ? eachValid(req as AsyncIterable<unknown>, o.request) : await validate(o.request, req);
    const out: unknown = await fn.call(this, input, ctx);
    if (!checkOut || response === undefined) return out;
    return streamsOut(kind) ? eachValidResponse(out as AsyncIterable<unknown>, response) : checkResponse(response, out);
  };
  if (inner !== 'unary') Object.defineProperty(wrapped, handlerKind, { value: inner });
  const schemas: HandlerSchemas = response === undefined ? { request: o.request } : { request: o.request, response };
  return withSchemas(wrapped, schemas);
}
