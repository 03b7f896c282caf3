import { mergeMetadata } from '@tsmicro/core';
import type { HandlerKind } from '@tsmicro/transport/rpc';
import type { CallOptions, Client, Stream } from './client.js';
import type { ServiceProxy } from './proxy-types.js';

/** Finds an endpoint's kind (from the registry record), `undefined` when unknown. */
export type KindLookup = (service: string, endpoint: string) => Promise<HandlerKind | undefined>;

function merge(base: CallOptions, o: unknown): CallOptions {
  if (o === undefined) return base;
  const call = o as CallOptions;
  const merged = { ...base, ...call };
  if (base.metadata && call.metadata) merged.metadata = mergeMetadata(base.metadata, call.metadata);
  return merged;
}

/**
 * One proxied call. Its shape is only known to the types, so the object serves all of them and
 * starts the call on first use: awaiting it makes a unary call `(req, o)`; `send`/`closeSend`/`close`
 * open a client or bidi stream `(o)`; iterating first opens a server stream `(req, o)` unless the
 * registry says the endpoint is a client or bidi stream.
 */
function proxiedCall(client: Client, kinds: KindLookup, service: string, endpoint: string, base: CallOptions, a0: unknown, a1: unknown) {
  let unary: Promise<unknown> | undefined;
  let stream: Promise<Stream<unknown, unknown>> | undefined;
  const run = () => {
    unary ??= client.call(service, endpoint, a0, merge(base, a1));
    return unary;
  };
  const duplex = () => {
    stream ??= client.stream(service, endpoint, merge(base, a0));
    return stream;
  };
  const serverStream = async () => {
    const s = await client.stream(service, endpoint, merge(base, a1));
    await s.send(a0);
    await s.closeSend();
    return s;
  };
  return {
    // biome-ignore lint/suspicious/noThenProperty: the unary shape must be awaitable, and the call starts on first use.
    then<A = unknown, B = never>(ok?: ((v: unknown) => A | PromiseLike<A>) | null, ko?: ((e: unknown) => B | PromiseLike<B>) | null) {
      return run().then(ok, ko);
    },
    catch<B = never>(ko?: ((e: unknown) => B | PromiseLike<B>) | null) {
      return run().catch(ko);
    },
    finally(f?: (() => void) | null) {
      return run().finally(f);
    },
    send: async (m: unknown) => (await duplex()).send(m),
    closeSend: async () => (await duplex()).closeSend(),
    close: async () => (await duplex()).close(),
    async *[Symbol.asyncIterator]() {
      if (!stream) {
        const k = await kinds(service, endpoint);
        stream = k === 'client-stream' || k === 'bidi-stream' ? duplex() : serverStream();
      }
      yield* await stream;
    },
  };
}

/** The runtime behind {@link ServiceProxy}: `proxy.Handler.method(...)` for any names. */
export function createServiceProxy<T>(client: Client, kinds: KindLookup, service: string, base: CallOptions): ServiceProxy<T> {
  const handlers = new Map<string, object>();
  const handlerProxy = (handler: string) =>
    new Proxy(Object.create(null) as object, {
      get(_t, method) {
        if (typeof method !== 'string' || method === 'then') return undefined;
        const endpoint = `${handler}.${method}`;
        return (a0?: unknown, a1?: unknown) => proxiedCall(client, kinds, service, endpoint, base, a0, a1);
      },
    });
  return new Proxy(Object.create(null) as object, {
    get(_t, handler) {
      if (typeof handler !== 'string' || handler === 'then') return undefined;
      let h = handlers.get(handler);
      if (!h) {
        h = handlerProxy(handler);
        handlers.set(handler, h);
      }
      return h;
    },
  }) as ServiceProxy<T>;
}
