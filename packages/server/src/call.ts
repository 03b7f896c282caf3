/**
 * One call's life on the server, from its request frame to its last frame.
 *
 *   request ─ admit ──────────────▶ refused: 503 stopping, 429 too many on the connection, 404 no such endpoint
 *      │
 *      ▼
 *   first run: decode, wrappers and handler in the request's own turn
 *      ├─ unary, a plain value or a throw ──▶ answered (no timer, no promise, nothing tracked)
 *      ├─ unary, a promise ──▶ late: answered when it settles; if still pending after this turn's
 *      │                       microtasks (one batch per server, see Calls.later) ──▶ long
 *      └─ a stream, or a stream-style request ──▶ long at once (`serve`)
 *   long: the deadline timer runs, a peer's cancel or a lost connection aborts it, `stop()` tracks it
 *      ├─ settles ──▶ answered (value or error)
 *      └─ its scope aborts: deadline 408, cancel or lost connection (nobody to answer),
 *         `stop()` after the grace period 502 ──▶ cut
 *
 * Only `long` calls are counted by {@link Calls}; `stop()` waits for them, then cuts what is left.
 */
import type { Codec, CodecSet } from '@tsmicro/codec';
import {
  badRequest,
  type Logger,
  type Metadata,
  notFound,
  serviceUnavailable,
  timeout,
  toMicroError,
  tooManyRequests,
} from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import { type CallScope, callScope, H, type RpcStream, raceScope } from '@tsmicro/transport/rpc';
import { CallContext } from './call-context.js';
import type { Calls, LongCall } from './calls.js';
import { isAsyncIterable, isThenable } from './guards.js';
import type { Route } from './router.js';
import { streamsOut } from './settle.js';

/** What the calls of one connection share: the server's routes, codecs and calls, and the caller. */
export interface CallEnv {
  readonly name: string;
  /** This server's node id. */
  readonly node: string;
  /** The caller's address (one env per connection). */
  readonly peer: string;
  readonly routes: ReadonlyMap<string, Route>;
  readonly codecs: CodecSet;
  readonly calls: Calls;
  /** Concurrent calls one connection may have. */
  readonly maxStreams: number;
}

const noop = (): void => {};

/**
 * Serves one request of a connection that has `open` calls already; never throws. A unary call to a
 * handler that answers at once is served synchronously.
 */
export function serveRequest(env: CallEnv, open: number, s: RpcStream, req: Message): void {
  const { calls } = env;
  calls.seen++;
  if (!calls.open) {
    s.refuse(serviceUnavailable(`${env.name} is stopping`, { id: env.name })).catch(noop);
    return;
  }
  // The new call is not counted in `open` yet: the mux enters it only after this returns.
  if (open >= env.maxStreams) {
    s.refuse(tooManyRequests(`more than ${env.maxStreams} concurrent calls on one connection`, { id: env.name })).catch(noop);
    return;
  }
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
    deadlines: calls.deadlines,
  });
  const ctx = new CallContext(h, scope, deadline, env.name, endpoint, route.logger, route.kind, env.node, env.peer);
  if (route.kind !== 'unary' || h[H.stream] === '1') {
    calls.started();
    void serve(env, s, req, route, ctx, goLong(env, s, scope));
    return;
  }
  // The hot path: the request is in the frame and the handler inside its wrappers is called from
  // here, without serve's async frame.
  let out: unknown;
  let codec: Codec;
  try {
    if (scope.aborted) throw scope.reason;
    codec = env.codecs.get(h[H.contentType] ?? 'application/json');
    out = route.invoke(codec.decode(req.body), ctx);
    if (!isThenable(out)) {
      if (scope.aborted) throw scope.reason;
      // The frame is queued now; a failed write means the connection is gone, with nobody to tell.
      s.sendLast(codec.encode(out), ctx.trailer).catch(noop);
      scope.dispose();
      return;
    }
  } catch (e) {
    scope.dispose();
    answerError(env, s, e, route.logger, ctx.trailer);
    return;
  }
  new LateAnswer(env, s, codec, ctx, scope).wait(out);
}

/** What a long call holds until its end. */
interface Long {
  readonly scope: CallScope;
  readonly offFail: () => void;
}

/**
 * The call goes asynchronous: its deadline timer starts, a peer's cancel or a lost connection aborts
 * it, and `stop()` can cut it. A call answered in the same synchronous run needs none of this: no
 * timer can fire and no frame can arrive before it is over.
 */
function goLong(env: CallEnv, s: RpcStream, scope: CallScope): Long {
  scope.arm();
  env.calls.track(scope);
  return { scope, offFail: s.onFail((e) => scope.abort(e)) };
}

function endLong(env: CallEnv, l: Long): void {
  l.offFail();
  env.calls.untrack(l.scope);
  l.scope.dispose();
}

/** Answers a failed call with its error, unless nobody is left to answer (cancelled, connection lost). */
function answerError(env: CallEnv, s: RpcStream, e: unknown, logger: Logger, trailer: Metadata | undefined): void {
  if (s.failed) return;
  const err = toMicroError(e, env.name);
  if (err.code >= 500 && err.code !== 503) logger.warn({ err: err.detail, code: err.code }, 'handler failed');
  s.fail(err, trailer).catch(noop);
}

/**
 * A unary call whose handler (or a wrapper) returned a promise: answered when it settles, or with
 * the scope's reason when that aborts first (deadline, cancel, lost connection, stop).
 *
 * Most such promises settle among the microtasks of the run that made them (wrappers around a quick
 * handler). The deadline timer, the cancel hook and stop's tracking are what a call needs only once
 * it outlives that run, so they start in one batch after it, and only for calls still pending then.
 */
class LateAnswer implements LongCall {
  private settled = false;
  private long: Long | undefined;

  constructor(
    private readonly env: CallEnv,
    private readonly s: RpcStream,
    private readonly codec: Codec,
    private readonly ctx: CallContext,
    private readonly scope: CallScope,
  ) {
    env.calls.started();
  }

  wait(out: PromiseLike<unknown>): void {
    out.then(
      (v) => this.answer(v),
      (e: unknown) => this.fail(e),
    );
    this.env.calls.later(this);
  }

  goLong(): void {
    if (this.settled) return;
    this.long = goLong(this.env, this.s, this.scope);
    this.scope.onAbort((reason) => this.fail(reason));
  }

  private answer(v: unknown): void {
    if (this.settled) return;
    let body: Uint8Array;
    try {
      body = this.codec.encode(v);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.settled = true;
    // The frame is queued now; a failed write means the connection is gone, with nobody to tell.
    this.s.sendLast(body, this.ctx.trailer).catch(noop);
    this.end();
  }

  private fail(e: unknown): void {
    if (this.settled) return;
    this.settled = true;
    answerError(this.env, this.s, e, this.ctx.logger, this.ctx.trailer);
    this.end();
  }

  private end(): void {
    if (this.long) endLong(this.env, this.long);
    else this.scope.dispose();
    this.env.calls.ended();
  }
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

async function pump(out: unknown, s: RpcStream, codec: Codec, scope: CallScope, ctx: CallContext): Promise<void> {
  const endpoint = ctx.endpoint;
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
  await s.end(ctx.trailer);
}

/** A long call from the start: streams, and unary requests sent stream-style. */
async function serve(env: CallEnv, s: RpcStream, req: Message, route: Route, ctx: CallContext, l: Long): Promise<void> {
  const h = req.header;
  const { scope } = l;
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
    let out = route.invoke(input, ctx);
    // The result is waited for (raced against the call's scope) only when it is a promise.
    if (isThenable(out)) out = await raceScope(Promise.resolve(out), scope);
    else if (scope.aborted) throw scope.reason;
    if (streamsOut(route.kind)) await pump(out, s, codec, scope, ctx);
    else await s.sendLast(codec.encode(out), ctx.trailer);
  } catch (e) {
    // A cancelled call or a lost connection has nobody left to answer.
    answerError(env, s, e, route.logger, ctx.trailer);
  } finally {
    endLong(env, l);
    env.calls.ended();
  }
}
