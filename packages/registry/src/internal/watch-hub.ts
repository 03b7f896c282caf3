import type { WatchEvent, WatchOptions } from '../registry.js';
import { cloneRecord } from './records.js';

/** Fans registry events out to any number of watchers; each watcher is an async iterator with its own queue. */
export interface WatchHub {
  /** Subscribes at once (events emitted before iteration starts are kept). */
  watch(o?: WatchOptions): AsyncIterableIterator<WatchEvent>;
  emit(e: WatchEvent): void;
  /** Ends every watcher. Later `watch()` calls return an ended iterator. */
  close(): void;
  /** Live watchers (for tests and diagnostics). */
  readonly size: number;
}

interface Watcher {
  service: string | undefined;
  push(e: WatchEvent): void;
  end(): void;
}

/** `onEmpty`: called whenever the last live watcher ends (a registry may then release its sockets). */
export function createWatchHub(onEmpty?: () => void): WatchHub {
  const watchers = new Set<Watcher>();
  let closed = false;

  function watch(o: WatchOptions = {}): AsyncIterableIterator<WatchEvent> {
    const queue: WatchEvent[] = [];
    let wake: ((r: IteratorResult<WatchEvent>) => void) | undefined;
    let done = closed || o.signal?.aborted === true;
    const onAbort = () => w.end();
    const w: Watcher = {
      service: o.service,
      push(e) {
        if (done) return;
        if (wake) {
          const resolve = wake;
          wake = undefined;
          resolve({ value: e, done: false });
        } else queue.push(e);
      },
      end() {
        if (done) return;
        done = true;
        watchers.delete(w);
        o.signal?.removeEventListener('abort', onAbort);
        if (watchers.size === 0) onEmpty?.();
        if (wake) {
          const resolve = wake;
          wake = undefined;
          resolve({ value: undefined, done: true });
        }
      },
    };
    if (!done) {
      watchers.add(w);
      o.signal?.addEventListener('abort', onAbort, { once: true });
    }
    const it: AsyncIterableIterator<WatchEvent> = {
      next() {
        const e = queue.shift();
        if (e) return Promise.resolve({ value: e, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          wake = resolve;
        });
      },
      return() {
        queue.length = 0;
        w.end();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  return {
    watch,
    emit(e) {
      for (const w of watchers) {
        // each watcher gets its own copy so one consumer cannot alter what another sees
        if (w.service === undefined || w.service === e.service.name) w.push({ action: e.action, service: cloneRecord(e.service) });
      }
    },
    close() {
      closed = true;
      for (const w of [...watchers]) w.end();
    },
    get size() {
      return watchers.size;
    },
  };
}
