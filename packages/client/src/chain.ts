import { toMicroError } from '@tsmicro/core';
import type { ClientFunc, ClientWrapper } from './client.js';

/**
 * `fn` inside `wrappers`, the first listed outermost. Whatever a wrapper throws at once reaches the
 * caller as a `MicroError`. A rejection is converted only when `convert` is set and the promise the
 * caller gets is not one `fn` made: `fn` rejects with `MicroError`s already, so a wrapper that hands
 * `next`'s promise back costs no conversion (one promise and one turn per call less), and nothing
 * has to be marked to say so.
 */
export function chain<Req, Res, O>(
  fn: ClientFunc<Req, Res, O>,
  wrappers: ReadonlyArray<ClientWrapper<Req, Res, O>>,
  convert: boolean,
): ClientFunc<Req, Res, O> {
  if (wrappers.length === 0) return fn;
  // The promise `fn` made last. Wrappers call `next` synchronously on the way in, or not at all
  // before they return: compared right after the chain returns, a match means it came through untouched.
  let made: Promise<Res> | undefined;
  let out: ClientFunc<Req, Res, O> = (req, o) => {
    made = fn(req, o);
    return made;
  };
  for (let i = wrappers.length - 1; i >= 0; i--) out = wrappers[i]!(out);
  const outer = out;
  // Not an async function: `.then` costs one promise where async/await costs three, on every call.
  return (req, o) => {
    made = undefined;
    try {
      const p = outer(req, o);
      return !convert || p === made ? p : Promise.resolve(p).then(undefined, rethrowMicroError);
    } catch (e) {
      return Promise.reject(toMicroError(e));
    }
  };
}

function rethrowMicroError(e: unknown): never {
  throw toMicroError(e);
}
