/** @deprecated Every client wrapper is a plain `ClientWrapper` now: use `W` itself. */
export type ErrorPassingWrapper<W> = W;

/**
 * Kept for wrappers written when the client had to be told that a wrapper makes no errors of its
 * own: returns `w` unchanged. The client now sees it for itself (a wrapper that hands back the
 * promise `next` gave it costs no conversion).
 * @deprecated Write the wrapper without it.
 */
export function passingErrors<W extends (next: never) => unknown>(w: W): ErrorPassingWrapper<W> {
  return w;
}
