import type { Stream } from '@tsmicro/client';
import { canceled, toMicroError } from '@tsmicro/core';
import type { HandlerKind } from '@tsmicro/transport/rpc';

/** The code an outcome is reported under: 200 for success, else the error's MicroError code. */
export function codeOf(err: unknown): number {
  return err === undefined ? 200 : toMicroError(err).code;
}

/** Runs `f` in some ambient context (tracing binds the span); identity by default. */
export type Runner = <T>(f: () => T) => T;
const direct: Runner = (f) => f();

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** True for the kinds whose handler returns a stream of responses. */
export function streamsOut(kind: HandlerKind | undefined): boolean {
  return kind === 'server-stream' || kind === 'bidi-stream';
}

/**
 * Reports the end of a handler's work exactly once. A unary or client-stream result ends at
 * return; a response stream ends when it is exhausted, fails, or is abandoned by the server
 * (a cancelled call: reported as 499). Each `next()` runs through `run` so work done while
 * producing a response sees the same ambient context as the handler itself.
 */
export function settleResult(out: unknown, kind: HandlerKind | undefined, done: (err?: unknown) => void, run: Runner = direct): unknown {
  if (!streamsOut(kind) || !isAsyncIterable(out)) {
    done();
    return out;
  }
  return settleIterable(out, done, run);
}

/** An iterable re-yielding `src` that calls `done` once when it ends, fails or is returned early. */
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

/** A client stream that calls `done` once: at the end of its responses, on error, or on `close()`. */
export function settleStream<Req, Res>(s: Stream<Req, Res>, done: (err?: unknown) => void): Stream<Req, Res> {
  let settled = false;
  const finish = (err?: unknown) => {
    if (settled) return;
    settled = true;
    done(err);
  };
  const responses = settleIterable(s, finish);
  return {
    send: (m) => s.send(m),
    closeSend: () => s.closeSend(),
    async close() {
      finish(canceled('the stream was closed by the caller'));
      await s.close();
    },
    [Symbol.asyncIterator]: () => responses[Symbol.asyncIterator]() as AsyncIterator<Res>,
  };
}

/** Something observed that ends once, with its error (undefined on success). */
export interface Ending {
  end(err: unknown): void;
}

/** `out` as it settles, after `e.end` ran with its error (undefined on success); value and error pass on unchanged. */
export function endAfter<T>(out: PromiseLike<T>, e: Ending): Promise<T> {
  return Promise.resolve(out).then(
    (v) => {
      e.end(undefined);
      return v;
    },
    (err: unknown) => {
      e.end(err);
      throw err;
    },
  );
}
