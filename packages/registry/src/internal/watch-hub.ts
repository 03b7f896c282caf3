import type { WatchEvent, WatchOptions } from '../registry.js';
import { createEventQueue, type EventQueue } from './event-queue.js';
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
  readonly service: string | undefined;
  readonly queue: EventQueue<WatchEvent>;
}

/** `onEmpty`: called whenever the last live watcher ends (a registry may then release its sockets). */
export function createWatchHub(onEmpty?: () => void): WatchHub {
  const watchers = new Set<Watcher>();
  let closed = false;

  function watch(o: WatchOptions = {}): AsyncIterableIterator<WatchEvent> {
    const queue = createEventQueue<WatchEvent>(o.signal);
    if (closed) queue.end();
    // Born ended (hub closed, signal aborted): never a live watcher, so its end empties nothing.
    if (queue.ended) return queue;
    const w: Watcher = { service: o.service, queue };
    watchers.add(w);
    queue.onEnd(() => {
      watchers.delete(w);
      if (watchers.size === 0) onEmpty?.();
    });
    return queue;
  }

  return {
    watch,
    emit(e) {
      for (const w of watchers) {
        // each watcher gets its own copy so one consumer cannot alter what another sees
        if (w.service === undefined || w.service === e.service.name) w.queue.push({ action: e.action, service: cloneRecord(e.service) });
      }
    },
    close() {
      closed = true;
      for (const w of [...watchers]) w.queue.end();
    },
    get size() {
      return watchers.size;
    },
  };
}
