/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Milliseconds before giving up. Default `5000`. */
  timeout?: number;
  /** Milliseconds between polls. Default `5`. */
  interval?: number;
  /** Named in the timeout error. Default `'condition'`. */
  what?: string;
}

/**
 * Polls `cond` until it returns true (bounded): for asynchronous brokers, where delivery has no
 * event the test can await.
 * @example await waitFor(() => got.length === 3, { what: '3 messages' })
 */
export async function waitFor(cond: () => boolean, o: WaitForOptions = {}): Promise<void> {
  const timeout = o.timeout ?? 5000;
  const interval = o.interval ?? 5;
  const end = Date.now() + timeout;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`waitFor: ${o.what ?? 'condition'} not met within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Resolves after `ms`: only for proving that something does NOT happen within a window. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
