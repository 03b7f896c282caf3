/**
 * Long-lived responses (event streams) end when the caller leaves or the gateway closes: this is
 * the signal for both, and a keep-alive comment timer that dies with it.
 */
export function liveSignal(request: AbortSignal, closing: AbortSignal): AbortSignal {
  return AbortSignal.any([request, closing]);
}

/** Resolves on abort (at once when already aborted); never rejects. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Merges a source of values with a periodic keep-alive tick (so proxies and browsers keep an idle
 * event stream open) until `signal` aborts. Yields `undefined` for a tick.
 */
export async function* withKeepAlive<T>(
  next: () => Promise<IteratorResult<T>>,
  signal: AbortSignal,
  everyMs: number,
): AsyncGenerator<T | undefined, void> {
  const stop = aborted(signal).then(() => 'stop' as const);
  let pending = next();
  while (!signal.aborted) {
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<'tick'>((r) => {
      timer = setTimeout(() => r('tick'), everyMs);
    });
    const r = await Promise.race([pending, tick, stop]).finally(() => clearTimeout(timer));
    if (r === 'stop') return;
    if (r === 'tick') {
      yield undefined;
      continue;
    }
    if (r.done) return;
    yield r.value;
    pending = next();
  }
}
