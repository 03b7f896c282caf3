import { canceled, isMicroError, tooManyRequests } from '@tsmicro/core';

/** Options of {@link bulkhead}. */
export interface BulkheadOptions {
  /** Calls running at once. Default 100. */
  maxConcurrent?: number;
  /** Calls waiting for a slot; more are refused with `tooManyRequests`. Default 100. */
  maxQueue?: number;
  /** Named in errors. Default `'bulkhead'`. */
  name?: string;
}

/** Limits concurrency so one slow dependency cannot take every resource of the caller. */
export interface Bulkhead {
  /** Runs `fn` in a slot, waiting in the queue when all are taken; rejects with `tooManyRequests` when the queue is full. */
  run<T>(fn: () => Promise<T>, o?: { signal?: AbortSignal }): Promise<T>;
  /** Takes a slot (waiting if needed); call the returned function once to give it back. */
  acquire(o?: { signal?: AbortSignal }): Promise<() => void>;
  readonly active: number;
  readonly queued: number;
}

interface Waiter {
  grant(): void;
}

/**
 * A bulkhead: at most `maxConcurrent` calls run, up to `maxQueue` wait in order, the rest are
 * refused at once with `tooManyRequests`. A queued call whose signal aborts leaves the queue.
 * @example const bh = bulkhead({ maxConcurrent: 10, maxQueue: 20 }); await bh.run(() => client.call(...))
 */
export function bulkhead(o: BulkheadOptions = {}): Bulkhead {
  const max = o.maxConcurrent ?? 100;
  const maxQueue = o.maxQueue ?? 100;
  const name = o.name ?? 'bulkhead';
  const queue = new Set<Waiter>(); // insertion-ordered, O(1) removal on abort
  let active = 0;

  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const first = queue.values().next();
      if (first.done) active--;
      else {
        // The slot passes straight to the first waiter: active stays the same.
        queue.delete(first.value);
        first.value.grant();
      }
    };
  };

  const acquire = (ao: { signal?: AbortSignal } = {}): Promise<() => void> => {
    const signal = ao.signal;
    if (signal?.aborted) {
      return Promise.reject(isMicroError(signal.reason) ? signal.reason : canceled(`${name}: the call was cancelled before it got a slot`));
    }
    if (active < max) {
      active++;
      return Promise.resolve(releaser());
    }
    if (queue.size >= maxQueue) {
      return Promise.reject(tooManyRequests(`${name}: ${active} calls running and ${queue.size} queued, the limit`));
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        queue.delete(waiter);
        // Keep a MicroError reason (e.g. the call's deadline) so the caller sees why.
        reject(isMicroError(signal?.reason) ? signal.reason : canceled(`${name}: the call was cancelled while queued`));
      };
      const waiter: Waiter = {
        grant() {
          signal?.removeEventListener('abort', onAbort);
          resolve(releaser());
        },
      };
      queue.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };

  return {
    acquire,
    async run(fn, ro) {
      const release = await acquire(ro);
      try {
        return await fn();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get queued() {
      return queue.size;
    },
  };
}
