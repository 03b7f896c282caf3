import type { AnyHandlerWrapper, HandlerFunc, ValueHandlerFunc, ValueHandlerWrapper } from './server.js';

/**
 * Marks a wrapper as passing plain values through: its `next` may return the handler's value itself
 * (or a promise, or throw), and so may the function it returns. Wrappers that observe or check a
 * call and hand its result back untouched (logging, metrics, rate limits) can be written this way
 * and cost a synchronous handler nothing but their own work.
 * @example passingValues((next) => (req, ctx) => { count(ctx.endpoint); return next(req, ctx); })
 */
export function passingValues(wrap: (next: ValueHandlerFunc) => ValueHandlerFunc): ValueHandlerWrapper {
  return Object.assign((next: ValueHandlerFunc) => wrap(next), { passesValues: true as const });
}

function passesValues(w: AnyHandlerWrapper): w is ValueHandlerWrapper {
  return (w as Partial<ValueHandlerWrapper>).passesValues === true;
}

/** `fn` as a {@link HandlerFunc}: a plain value becomes a resolved promise, a throw a rejected one. */
export function promised(fn: ValueHandlerFunc): HandlerFunc {
  // Not an async function: it would wrap a promise `fn` returns in one more promise and two more turns.
  return (req, ctx) => {
    try {
      return Promise.resolve(fn(req, ctx));
    } catch (e) {
      return Promise.reject(e);
    }
  };
}

/** A handler inside its wrappers (first listed outermost). */
export interface Wrapped {
  /** The chain, always answering with a promise. */
  readonly invoke: HandlerFunc;
  /** The same chain when its outermost wrapper passes values (or there is none): its result may be a plain value. */
  readonly direct: ValueHandlerFunc | undefined;
}

/**
 * Wraps `handler` in `wrappers`. A {@link HandlerWrapper} gets a promise-returning `next`: the
 * chain inside it is adapted with {@link promised} only where it could answer with a plain value.
 */
export function wrapHandler(handler: ValueHandlerFunc, wrappers: readonly AnyHandlerWrapper[]): Wrapped {
  let fn = handler;
  let plain = true;
  for (let i = wrappers.length - 1; i >= 0; i--) {
    const w = wrappers[i]!;
    if (passesValues(w)) {
      // It may answer with a plain value itself (a cache, say), whatever `next` does.
      fn = w(fn);
      plain = true;
    } else {
      fn = w(plain ? promised(fn) : (fn as HandlerFunc));
      plain = false;
    }
  }
  return plain ? { invoke: promised(fn), direct: fn } : { invoke: fn as HandlerFunc, direct: undefined };
}
