import type { Stream } from '@tsmicro/client';
import { canceled, toMicroError } from '@tsmicro/core';
import { settleIterable } from '@tsmicro/server';

/** The code an outcome is reported under: 200 for success, else the error's MicroError code. */
export function codeOf(err: unknown): number {
  return err === undefined ? 200 : toMicroError(err).code;
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

/**
 * `out` itself, with `e.end` run with its error (undefined on success) as it settles, before
 * whatever waits on `out` after this. Handing `next`'s own promise back, not a new one, lets the
 * client skip converting its rejection. A failure inside `end` is dropped: observing a call must
 * not fail it, nor leave a rejection nobody handles.
 */
export function endWith<T>(out: Promise<T>, e: Ending): Promise<T> {
  out.then(
    () => endQuietly(e, undefined),
    (err: unknown) => endQuietly(e, err),
  );
  return out;
}

function endQuietly(e: Ending, err: unknown): void {
  try {
    e.end(err);
  } catch {
    // See endWith: the call's own outcome stands.
  }
}
