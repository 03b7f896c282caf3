import type { Codec, CodecSet } from '@tsmicro/codec';
import { badRequest, type Logger, notFound, timeout, toMicroError } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import { type CallScope, callScope, H, type RpcStream, raceScope, readMetadata } from '@tsmicro/transport/rpc';
import type { Route } from './router.js';
import type { ServerContext } from './server.js';

/** What serving a call needs from the server. */
export interface DispatchEnv {
  readonly name: string;
  readonly routes: ReadonlyMap<string, Route>;
  readonly codecs: CodecSet;
  readonly logger: Logger;
  /** Keeps the scope of a running call so `stop()` can abort it after the grace period; returns the untrack function. */
  track(scope: CallScope): () => void;
}

async function* inputs(s: RpcStream, codec: Codec): AsyncGenerator<unknown> {
  for (;;) {
    const body = await s.recv();
    if (body === undefined) return;
    yield codec.decode(body);
  }
}

async function firstInput(s: RpcStream, codec: Codec, endpoint: string): Promise<unknown> {
  const body = await s.recv();
  if (body === undefined) throw badRequest(`${endpoint} needs a request message, the stream ended without one`);
  return codec.decode(body);
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

/** The handler's result, waiting (raced against the call's scope) only when it is a promise. */
function invoke(route: Route, input: unknown, ctx: ServerContext, scope: CallScope): unknown {
  if (!route.direct) return raceScope(route.invoke(input, ctx), scope);
  const out = route.direct(input, ctx);
  return isPromiseLike(out) ? raceScope(Promise.resolve(out), scope) : out;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

async function pump(out: unknown, s: RpcStream, codec: Codec, scope: CallScope, endpoint: string): Promise<void> {
  if (!isAsyncIterable(out)) throw new TypeError(`${endpoint} is a stream handler but returned no AsyncIterable`);
  const it = out[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await raceScope(it.next(), scope);
      if (r.done) break;
      await s.send(codec.encode(r.value));
    }
  } catch (e) {
    // Stop the producer (a generator's finally blocks run); do not wait for it, it may be stuck.
    void it.return?.()?.catch(() => {});
    throw e;
  }
  await s.end();
}

/** Serves one call from its request frame to its last frame; never throws. */
export async function dispatch(env: DispatchEnv, s: RpcStream, req: Message): Promise<void> {
  const h = req.header;
  const endpoint = h[H.endpoint] ?? '';
  const route = env.routes.get(endpoint);
  if (!route) {
    await s.fail(notFound(`service ${env.name} has no endpoint '${endpoint}'`, { id: env.name })).catch(() => {});
    return;
  }
  const ms = Number(h[H.timeout]);
  const deadline = h[H.timeout] !== undefined && Number.isFinite(ms) && ms >= 0 ? Date.now() + ms : undefined;
  const scope = callScope({
    deadline,
    onDeadline: () => timeout(`${endpoint} exceeded the caller's deadline of ${ms} ms`, { id: env.name }),
  });
  const offFail = s.onFail((e) => scope.abort(e));
  const untrack = env.track(scope);
  const logger = route.logger;
  const ctx: ServerContext = {
    metadata: readMetadata(h),
    // A getter: the AbortController behind it is only made for handlers that read it.
    get signal() {
      return scope.signal;
    },
    ...(deadline === undefined ? {} : { deadline }),
    service: env.name,
    endpoint,
    logger,
    kind: route.kind,
  };
  try {
    const codec = env.codecs.get(h[H.contentType] ?? 'application/json');
    const streamingIn = route.kind === 'client-stream' || route.kind === 'bidi-stream';
    let input: unknown;
    if (streamingIn) input = inputs(s, codec);
    else if (h[H.stream] !== '1') {
      // A unary request carries its one message in the request frame: no turn to wait for it.
      if (scope.aborted) throw scope.reason;
      input = codec.decode(req.body);
    } else input = await raceScope(firstInput(s, codec, endpoint), scope);
    let out = invoke(route, input, ctx, scope);
    if (isPromiseLike(out)) out = await out;
    else if (scope.aborted) throw scope.reason;
    if (route.kind === 'server-stream' || route.kind === 'bidi-stream') await pump(out, s, codec, scope, endpoint);
    else await s.sendLast(codec.encode(out));
  } catch (e) {
    // A cancelled call or a lost connection has nobody left to answer.
    if (s.failed) return;
    const err = toMicroError(e, env.name);
    if (err.code >= 500 && err.code !== 503) logger.warn({ err: err.detail, code: err.code }, 'handler failed');
    await s.fail(err).catch(() => {});
  } finally {
    offFail();
    untrack();
    scope.dispose();
  }
}
