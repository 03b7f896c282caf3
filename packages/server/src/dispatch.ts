import type { Codec, CodecSet } from '@tsmicro/codec';
import { badRequest, type Logger, notFound, timeout, toMicroError } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import { type CallScope, callScope, H, type RpcStream, raceScope } from '@tsmicro/transport/rpc';
import { CallContext } from './call-context.js';
import type { Route } from './router.js';
import type { ServerContext } from './server.js';

/** What serving a call needs from the server. */
export interface DispatchEnv {
  readonly name: string;
  readonly routes: ReadonlyMap<string, Route>;
  readonly codecs: CodecSet;
  readonly logger: Logger;
  /** This server's node id. */
  readonly node: string;
  /** The caller's address (one env per connection). */
  readonly peer: string;
  /** Keeps the scope of a running call so `stop()` can abort it after the grace period. */
  track(scope: CallScope): void;
  /** The call ended: forget its scope. */
  untrack(scope: CallScope): void;
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

const noop = (): void => {};

/** What a call that outlives its first synchronous run holds until its end. */
interface Running {
  readonly scope: CallScope;
  readonly offFail: () => void;
}

/**
 * The call goes asynchronous: its deadline timer starts, a peer's cancel or a lost connection aborts
 * it, and `stop()` can find it. A call answered in the same synchronous run needs none of this: no
 * timer can fire and no frame can arrive before it is over.
 */
function begin(env: DispatchEnv, s: RpcStream, scope: CallScope): Running {
  scope.arm();
  env.track(scope);
  return { scope, offFail: s.onFail((e) => scope.abort(e)) };
}

function finish(env: DispatchEnv, r: Running): void {
  r.offFail();
  env.untrack(r.scope);
  r.scope.dispose();
}

/** Answers a failed call with its error, unless nobody is left to answer (cancelled, connection lost). */
function answerError(env: DispatchEnv, s: RpcStream, e: unknown, logger: Logger): Promise<void> | undefined {
  if (s.failed) return undefined;
  const err = toMicroError(e, env.name);
  if (err.code >= 500 && err.code !== 503) logger.warn({ err: err.detail, code: err.code }, 'handler failed');
  return s.fail(err).catch(noop);
}

/**
 * Serves one call from its request frame to its last frame; never throws. A unary call to a plain
 * handler that answers at once is served synchronously and returns undefined (no promise, no turn);
 * otherwise the promise settles when the call is over.
 */
export function dispatch(env: DispatchEnv, s: RpcStream, req: Message): Promise<void> | undefined {
  const h = req.header;
  const endpoint = h[H.endpoint] ?? '';
  const route = env.routes.get(endpoint);
  if (!route) return s.fail(notFound(`service ${env.name} has no endpoint '${endpoint}'`, { id: env.name })).catch(noop);
  const ms = Number(h[H.timeout]);
  const deadline = h[H.timeout] !== undefined && Number.isFinite(ms) && ms >= 0 ? Date.now() + ms : undefined;
  const scope = callScope({
    deadline,
    onDeadline: () => timeout(`${endpoint} exceeded the caller's deadline of ${ms} ms`, { id: env.name }),
    deferTimer: true,
  });
  const ctx = new CallContext(h, scope, deadline, env.name, endpoint, route.logger, route.kind, env.node, env.peer);
  if (route.kind !== 'unary' || h[H.stream] === '1') return serve(env, s, req, route, ctx, begin(env, s, scope));
  // The hot path: the request is in the frame and the handler (or its wrapper chain, whose promise
  // is answered by answerLater) is called from here, without serve's extra async frame.
  const fn = route.direct ?? route.invoke;
  let out: unknown;
  let codec: Codec;
  try {
    if (scope.aborted) throw scope.reason;
    codec = env.codecs.get(h[H.contentType] ?? 'application/json');
    out = fn(codec.decode(req.body), ctx);
    if (!isPromiseLike(out)) {
      if (scope.aborted) throw scope.reason;
      // The frame is queued now; a failed write means the connection is gone, with nobody to tell.
      s.sendLast(codec.encode(out)).catch(noop);
      scope.dispose();
      return undefined;
    }
  } catch (e) {
    scope.dispose();
    return answerError(env, s, e, route.logger);
  }
  return answerLater(env, s, raceScope(Promise.resolve(out), scope), codec, route.logger, begin(env, s, scope));
}

/** The hot path's handler returned a promise: answer when it settles. */
async function answerLater(env: DispatchEnv, s: RpcStream, out: Promise<unknown>, codec: Codec, logger: Logger, r: Running): Promise<void> {
  try {
    await s.sendLast(codec.encode(await out));
  } catch (e) {
    await answerError(env, s, e, logger);
  } finally {
    finish(env, r);
  }
}

/** Every other call: streams, wrapped handlers, stream-style requests. */
async function serve(env: DispatchEnv, s: RpcStream, req: Message, route: Route, ctx: CallContext, r: Running): Promise<void> {
  const h = req.header;
  const { scope } = r;
  const endpoint = ctx.endpoint;
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
    await answerError(env, s, e, route.logger);
  } finally {
    finish(env, r);
  }
}
