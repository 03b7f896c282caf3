import { gatewayTimeout, serviceUnavailable } from '@tsmicro/core';

/** Items arriving from elsewhere (a child's messages, watch events), taken by predicate with a bound. */
export interface Inbox<T> {
  push(item: T): void;
  /** Ends the inbox: pending and later `take`s reject with `reason`. */
  end(reason: string): void;
  /** Removes and returns the first item matching `match`; rejects after `ms` naming `what`. */
  take(match: (item: T) => boolean, ms: number, what: string): Promise<T>;
}

export function createInbox<T>(): Inbox<T> {
  const items: T[] = [];
  const waiters = new Set<() => void>();
  let ended: string | undefined;
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  return {
    push(item) {
      items.push(item);
      wake();
    },
    end(reason) {
      ended ??= reason;
      wake();
    },
    take(match, ms, what) {
      return new Promise<T>((resolve, reject) => {
        const finish = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        const check = () => {
          const i = items.findIndex(match);
          if (i >= 0) {
            const [item] = items.splice(i, 1);
            return finish(() => resolve(item as T));
          }
          if (ended !== undefined) finish(() => reject(serviceUnavailable(`${what}: ${ended}`)));
        };
        const timer = setTimeout(() => finish(() => reject(gatewayTimeout(`no ${what} within ${ms} ms`))), ms);
        waiters.add(check);
        check();
      });
    },
  };
}
