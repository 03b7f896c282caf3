import type { BidiStreamHandler, ClientStreamHandler, handlerKind, ServerStreamHandler } from '@tsmicro/transport/rpc';
import type { CallOptions, Stream } from './client.js';

type Kind = typeof handlerKind;

/** The caller's signature of one handler function, chosen by its kind mark. */
export type ProxyMethod<F> =
  F extends ServerStreamHandler<infer Req, infer Res>
    ? (req: Req, o?: CallOptions) => AsyncIterable<Res>
    : F extends ClientStreamHandler<infer Req, infer Res>
      ? (o?: CallOptions) => Stream<Req, Awaited<Res>>
      : F extends BidiStreamHandler<infer Req, infer Res>
        ? (o?: CallOptions) => Stream<Req, Res>
        : F extends { readonly [K in Kind]: unknown }
          ? never
          : F extends (req: infer Req, ...rest: never[]) => infer R
            ? (req: Req, o?: CallOptions) => Promise<Awaited<R>>
            : never;

/** The caller's view of one handler object: its methods, typed by kind. */
export type HandlerProxy<O> = {
  readonly [M in keyof O as O[M] extends Function ? M : never]: ProxyMethod<O[M]>;
};

/** The caller's view of a service: `{ Greeter: typeof greeter }` becomes `proxy.Greeter.hello(req)`. */
export type ServiceProxy<T> = { readonly [H in keyof T]: HandlerProxy<T[H]> };
