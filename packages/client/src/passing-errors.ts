/** A client wrapper marked by {@link passingErrors}. */
export type ErrorPassingWrapper<W> = W & { readonly passesErrors: true };

/**
 * Marks a call, stream or publish wrapper as making no errors of its own: what it rejects with
 * came from `next`, or is a `MicroError` already. When every wrapper of a kind is marked, the client
 * skips turning each call's rejection into a `MicroError` (one promise and one turn per call less).
 * A synchronous throw is still converted. Observing wrappers (logs, metrics, spans) are this kind.
 * @example passingErrors<CallWrapper>((next) => (req, co) => { count(req.endpoint); return next(req, co); })
 */
export function passingErrors<W extends (next: never) => unknown>(w: W): ErrorPassingWrapper<W> {
  return Object.assign(((next: never) => w(next)) as W, { passesErrors: true as const });
}

/** True for a wrapper marked by {@link passingErrors}. */
export function passesErrors(w: unknown): boolean {
  return (w as Partial<ErrorPassingWrapper<unknown>>).passesErrors === true;
}
