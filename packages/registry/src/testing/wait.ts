/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this many ms. Default 5000. */
  timeout?: number;
  /** Ms between checks. Default 20. */
  interval?: number;
  /** Named in the error when time runs out. Default `'condition'`. */
  what?: string;
}

/**
 * Bounded polling: resolves with the first truthy value `check` returns, rejects after `timeout`.
 * @example await waitFor(async () => (await reg.getService('x')).length === 0, { what: 'x to expire' })
 */
export async function waitFor<T>(check: () => T | Promise<T>, o: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeout = o.timeout ?? 5000;
  const interval = o.interval ?? 20;
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() >= end) throw new Error(`timed out after ${timeout} ms waiting for ${o.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * The next value of `it` matching `match`, skipping others; rejects after `timeout` ms (default 5000).
 * Leaves the iterator open so later events can still be read.
 */
export async function nextMatching<T>(it: AsyncIterator<T>, match: (v: T) => boolean, timeout = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no matching event within ${timeout} ms`)), timeout);
  });
  try {
    for (;;) {
      const r = await Promise.race([it.next(), expired]);
      if (r.done) throw new Error('iteration ended before a matching event');
      if (match(r.value)) return r.value;
    }
  } finally {
    clearTimeout(timer);
  }
}
