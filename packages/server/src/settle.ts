import { canceled } from '@tsmicro/core';
import type { HandlerKind } from '@tsmicro/transport/rpc';
import { isAsyncIterable } from './guards.js';

/** Runs `f` in some ambient context (tracing binds a span to it); identity by default. */
export type Runner = <T>(f: () => T) => T;
const direct: Runner = (f) => f();

/** True for the kinds whose handler returns a stream of responses (server and bidi streams). */
export function streamsOut(kind: HandlerKind | undefined): boolean {
  return kind === 'server-stream' || kind === 'bidi-stream';
}

/**
 * Reports the end of a handler's work exactly once, for wrappers that count or observe calls. A unary
 * or client-stream result ends at return; a response stream ends when it is exhausted, fails, or is
 * abandoned by the server (a cancelled call: reported as 499). Returns what the server should get:
 * `out` itself, or for a response stream an iterable re-yielding it. Each `next()` of that stream runs
 * through `run` (default: directly) so work done while producing a response sees the same ambient
 * context as the handler itself.
 * @example const out = next(req, ctx); return isThenable(out) ? Promise.resolve(out).then((v) => settleResult(v, ctx.kind, done)) : settleResult(out, ctx.kind, done)
 */
export function settleResult(out: unknown, kind: HandlerKind | undefined, done: (err?: unknown) => void, run: Runner = direct): unknown {
  if (!streamsOut(kind) || !isAsyncIterable(out)) {
    done();
    return out;
  }
  return settleIterable(out, done, run);
}

/**
 * An iterable re-yielding `src` that calls `done` once: when it ends (no error), fails (its error), or
 * is returned early (a 499 `canceled` error). `run` as in {@link settleResult}.
 * @example for await (const r of settleIterable(responses, (err) => log(err))) use(r)
 */
export function settleIterable<T>(src: AsyncIterable<T>, done: (err?: unknown) => void, run: Runner = direct): AsyncIterable<T> {
  let settled = false;
  const finish = (err?: unknown) => {
    if (settled) return;
    settled = true;
    done(err);
  };
  return {
    [Symbol.asyncIterator]() {
      const it = src[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            const r = await run(() => it.next());
            if (r.done) finish();
            return r;
          } catch (e) {
            finish(e);
            throw e;
          }
        },
        async return(value?: unknown) {
          finish(canceled('the stream was abandoned before its end'));
          const r = await run(() => it.return?.(value));
          return r ?? { done: true, value: undefined };
        },
      } as AsyncIterator<T>;
    },
  };
}
