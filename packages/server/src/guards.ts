/**
 * True for anything with a `then` method: what `await` would wait for. A wrapper that observes asks it
 * of `next`'s result, so it pays for a `.then` only when the handler did not answer at once.
 * @example const out = next(req, ctx); return isThenable(out) ? Promise.resolve(out).then(onValue) : onValue(out)
 */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return ((typeof v === 'object' && v !== null) || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';
}

/** True for anything `for await` can iterate. */
export function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}
