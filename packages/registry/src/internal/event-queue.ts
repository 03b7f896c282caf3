/**
 * One watcher's events: pushed by a producer, pulled by `for await`. Ends on `end()`, on the
 * signal's abort, or when the consumer breaks out of its loop (`return()`); `onEnd` callbacks then
 * run once so the producer can drop the watcher. Shared by the etcd and consul registries and the
 * watch hub (memory, mdns).
 */
export interface EventQueue<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
  end(): void;
  readonly ended: boolean;
  onEnd(fn: () => void): void;
}

export function createEventQueue<T>(signal?: AbortSignal): EventQueue<T> {
  const buffered: T[] = [];
  const endHooks: (() => void)[] = [];
  let wake: ((r: IteratorResult<T>) => void) | undefined;
  let ended = false;
  const onAbort = () => q.end();

  const q: EventQueue<T> = {
    get ended() {
      return ended;
    },
    push(value) {
      if (ended) return;
      if (wake) {
        const resolve = wake;
        wake = undefined;
        resolve({ value, done: false });
      } else buffered.push(value);
    },
    end() {
      if (ended) return;
      ended = true;
      signal?.removeEventListener('abort', onAbort);
      if (wake) {
        const resolve = wake;
        wake = undefined;
        resolve({ value: undefined, done: true });
      }
      for (const fn of endHooks.splice(0)) fn();
    },
    onEnd(fn) {
      if (ended) fn();
      else endHooks.push(fn);
    },
    next() {
      if (buffered.length > 0) return Promise.resolve({ value: buffered.shift() as T, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        wake = resolve;
      });
    },
    return() {
      buffered.length = 0;
      q.end();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return q;
    },
  };
  if (signal?.aborted) q.end();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return q;
}
