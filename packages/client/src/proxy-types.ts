import type { BidiStreamHandler, ClientStreamHandler, handlerKind, ServerStreamHandler } from '@tsmicro/transport/rpc';
import type { CallOptions, Stream } from './client.js';
import type { HandlersOf } from './contract.js';

type Kind = typeof handlerKind;

/** A unary caller; the request may be left out when the handler accepts `undefined` (or takes none). */
type UnaryMethod<Req, Res> = undefined extends Req
  ? (req?: Req, o?: CallOptions) => Promise<Res>
  : (req: Req, o?: CallOptions) => Promise<Res>;

/** An unmarked function: unary, unless it returns an `AsyncIterable` (a stream someone forgot to mark). */
type PlainMethod<A extends readonly unknown[], R> = [R] extends [never]
  ? UnaryMethod<A extends readonly [] ? undefined : A[0], never>
  : [R] extends [AsyncIterable<unknown>]
    ? never
    : UnaryMethod<A extends readonly [] ? undefined : A[0], R>;

/**
 * The caller's signature of one handler function, chosen by its kind mark: unary →
 * `Promise<Res>`, server stream → `AsyncIterable<Res>`, client and bidi streams → `Stream<Req, Res>`.
 * A plain function returning an `AsyncIterable` maps to `never`: it is a server stream that was
 * not marked with `serverStream()`, and calling it would fail at run time.
 */
export type ProxyMethod<F> =
  F extends ServerStreamHandler<infer Req, infer Res>
    ? (req: Req, o?: CallOptions) => AsyncIterable<Res>
    : F extends ClientStreamHandler<infer Req, infer Res>
      ? (o?: CallOptions) => Stream<Req, Awaited<Res>>
      : F extends BidiStreamHandler<infer Req, infer Res>
        ? (o?: CallOptions) => Stream<Req, Res>
        : F extends { readonly [K in Kind]: unknown }
          ? never
          : F extends (...args: infer A) => infer R
            ? PlainMethod<A, Awaited<R>>
            : never;

/** The caller's view of one handler object: its methods, typed by kind. */
export type HandlerProxy<O> = {
  readonly [M in keyof O as O[M] extends Function ? M : never]: ProxyMethod<O[M]>;
};

/**
 * The caller's view of a service: `{ Greeter: typeof greeter }` (or a `defineService` result)
 * becomes `proxy.Greeter.hello(req)`.
 */
export type ServiceProxy<T> = { readonly [H in keyof HandlersOf<T>]: HandlerProxy<HandlersOf<T>[H]> };
