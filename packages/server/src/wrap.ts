import type { HandlerWrapper } from './server.js';

/**
 * `fn` inside `wrappers`, the first listed outermost: what a handler or subscriber becomes before
 * the server calls it.
 */
export function chain<F>(fn: F, wrappers: ReadonlyArray<(next: F) => F>): F {
  let out = fn;
  for (let i = wrappers.length - 1; i >= 0; i--) out = wrappers[i]!(out);
  return out;
}

/**
 * Kept for wrappers written before every handler wrapper passed values: returns `wrap` unchanged.
 * @deprecated Every {@link HandlerWrapper} passes values now; write the wrapper without it.
 */
export function passingValues(wrap: HandlerWrapper): HandlerWrapper {
  return wrap;
}
