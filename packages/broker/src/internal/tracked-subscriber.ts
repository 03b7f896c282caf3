import type { Subscriber } from '../broker.js';

/**
 * A Subscriber whose `unsubscribe()` runs `stop` once (later calls share that run) and removes itself
 * from `live`, the set a broker's `disconnect()` stops. Shared by the adapters with remote servers.
 */
export function trackedSubscriber(
  live: Set<() => Promise<void>>,
  topic: string,
  queue: string | undefined,
  stop: () => Promise<void>,
): Subscriber {
  let done: Promise<void> | undefined;
  const unsubscribe = () => {
    done ??= (async () => {
      live.delete(unsubscribe);
      await stop();
    })();
    return done;
  };
  live.add(unsubscribe);
  return queue === undefined ? { topic, unsubscribe } : { topic, queue, unsubscribe };
}
