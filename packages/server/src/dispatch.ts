import type { Codec } from '@tsmicro/codec';
import { badRequest, notFound, timeout } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import { type CallScope, callScope, H, type RpcStream, raceScope } from '@tsmicro/transport/rpc';
import { CallContext } from './call-context.js';
import { answerError, begin, type DispatchEnv, finish, noop, type Running } from './call-lifecycle.js';
import { isAsyncIterable, isThenable } from './guards.js';
import { LateAnswer } from './late-answer.js';
import type { Route } from './router.js';
import type { ServerContext } from './server.js';
import { streamsOut } from './settle.js';

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

/** The handler's result, waiting (raced against the call's scope) only when it is a promise. */
function invoke(route: Route, input: unknown, ctx: ServerContext, scope: CallScope): unknown {
  if (!route.direct) return raceScope(route.invoke(input, ctx), scope);
  const out = route.direct(input, ctx);
  return isThenable(out) ? raceScope(Promise.resolve(out), scope) : out;
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

/**
 * Serves one call from its request frame to its last frame; never throws. A unary call to a plain
 * handler that answers at once is served synchronously; a call that goes on is counted with
 * `env.started()` / `env.ended()`.
 */
export function dispatch(env: DispatchEnv, s: RpcStream, req: Message): void {
  const h = req.header;
  const endpoint = h[H.endpoint] ?? '';
  const route = env.routes.get(endpoint);
  if (!route) {
    s.refuse(notFound(`service ${env.name} has no endpoint '${endpoint}'`, { id: env.name })).catch(noop);
    return;
  }
  const ms = Number(h[H.timeout]);
  const deadline = h[H.timeout] !== undefined && Number.isFinite(ms) && ms >= 0 ? Date.now() + ms : undefined;
  const scope = callScope({
    deadline,
    onDeadline: () => timeout(`${endpoint} exceeded the caller's deadline of ${ms} ms`, { id: env.name }),
    deferTimer: true,
  });
  const ctx = new CallContext(h, scope, deadline, env.name, endpoint, route.logger, route.kind, env.node, env.peer);
  if (route.kind !== 'unary' || h[H.stream] === '1') {
    env.started();
    void serve(env, s, req, route, ctx, begin(env, s, scope));
    return;
  }
  // The hot path: the request is in the frame and the handler (or its wrapper chain, whose promise
  // a LateAnswer waits for) is called from here, without serve's async frame.
  const fn = route.direct ?? route.invoke;
  let out: unknown;
  let codec: Codec;
  try {
    if (scope.aborted) throw scope.reason;
    codec = env.codecs.get(h[H.contentType] ?? 'application/json');
    out = fn(codec.decode(req.body), ctx);
    if (!isThenable(out)) {
      if (scope.aborted) throw scope.reason;
      // The frame is queued now; a failed write means the connection is gone, with nobody to tell.
      s.sendLast(codec.encode(out)).catch(noop);
      scope.dispose();
      return;
    }
  } catch (e) {
    scope.dispose();
    answerError(env, s, e, route.logger);
    return;
  }
  new LateAnswer(env, s, codec, route.logger, scope).wait(out);
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
    if (isThenable(out)) out = await out;
    else if (scope.aborted) throw scope.reason;
    if (streamsOut(route.kind)) await pump(out, s, codec, scope, endpoint);
    else await s.sendLast(codec.encode(out));
  } catch (e) {
    // A cancelled call or a lost connection has nobody left to answer.
    answerError(env, s, e, route.logger);
  } finally {
    finish(env, r);
    env.ended();
  }
}
