import { isMicroError, mergeMetadata } from '@tsmicro/core';
import type { HandlerKind } from '@tsmicro/transport/rpc';
import type { CallOptions, Client, Stream } from './client.js';
import type { ServiceProxy } from './proxy-types.js';
import { refusedAsStream } from './stream-kind.js';

/** Endpoint kinds from the registry record: `lookup` asks it, `known` answers only from what was learnt already. */
export interface KindLookup {
  lookup(service: string, endpoint: string): Promise<HandlerKind | undefined>;
  known(service: string, endpoint: string): HandlerKind | undefined;
  /** Remembers a kind learnt otherwise (a server's refusal of a unary request). */
  learn(service: string, endpoint: string, kind: HandlerKind): void;
}

function merge(base: CallOptions, o: unknown): CallOptions {
  if (o === undefined) return base;
  const call = o as CallOptions;
  const merged = { ...base, ...call };
  if (base.metadata && call.metadata) merged.metadata = mergeMetadata(base.metadata, call.metadata);
  return merged;
}

const isStreamKind = (k: HandlerKind | undefined) => k !== undefined && k !== 'unary';

/** The stream side of a proxied call: `send`/`closeSend`/`close` and iteration, whichever shape it turns out to be. */
type StreamView = Stream<unknown, unknown>;

/**
 * One proxied call. Its shape is known only to the types, so the result is a real `Promise` (the
 * unary answer) that also carries the stream methods. The call starts at once, in the same turn
 * (awaited or not): a unary request, unless the result was used as a stream in the turn it was made
 * (`send`/`closeSend`/`close` open a client or bidi stream, iterating a server stream unless the
 * registry says client or bidi), or the registry already told this client the endpoint is a stream.
 * A unary call to an endpoint the registry lists as a stream is refused by the client before
 * anything is sent; the promise then resolves with the stream view instead of failing, so using the
 * result as a stream later still works (without a registry, e.g. with `address`, the unary request goes out).
 */
function proxiedCall(client: Client, kinds: KindLookup, service: string, endpoint: string, base: CallOptions, a0: unknown, a1: unknown) {
  let stream: Promise<StreamView> | undefined;
  let streaming = false;
  const duplex = () => {
    streaming = true;
    stream ??= client.stream(service, endpoint, merge(base, a0));
    return stream;
  };
  const serverStream = async () => {
    const s = await client.stream(service, endpoint, merge(base, a1));
    await s.send(a0);
    await s.closeSend();
    return s;
  };
  const view: StreamView = {
    send: async (m: unknown) => (await duplex()).send(m),
    closeSend: async () => (await duplex()).closeSend(),
    close: async () => (await duplex()).close(),
    [Symbol.asyncIterator]() {
      streaming = true;
      return iterate();
    },
  };
  async function* iterate() {
    if (!stream) {
      const k = kinds.known(service, endpoint) ?? (await kinds.lookup(service, endpoint));
      stream = k === 'client-stream' || k === 'bidi-stream' ? duplex() : serverStream();
    }
    yield* await stream;
  }
  // A microtask, not a later turn: code that uses the result as a stream does so synchronously after the call.
  const call = Promise.resolve().then(() => {
    if (streaming || isStreamKind(kinds.known(service, endpoint))) return view;
    return client.call(service, endpoint, a0, merge(base, a1)).catch((e: unknown) => {
      const kind = isMicroError(e) && e.code === 400 ? refusedAsStream(e.detail) : undefined;
      if (!kind) throw e;
      kinds.learn(service, endpoint, kind);
      return view;
    });
  });
  return Object.assign(call, view);
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
