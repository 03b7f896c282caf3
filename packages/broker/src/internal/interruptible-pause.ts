/** A pause a consumer loop sleeps in between retries, which its `stop()` cuts short. */
export interface InterruptiblePause {
  /** Resolves after `ms`, or at once when `interrupt()` is called meanwhile. */
  (ms: number): Promise<void>;
  /** Ends the current pause now and clears its timer (a stop need not wait out a back-off). */
  interrupt(): void;
}

/**
 * One pause per consumer loop; only one pause runs at a time in a loop, so one pending timer is kept.
 * @example const pause = interruptiblePause(); await pause(500); // in stop(): pause.interrupt()
 */
export function interruptiblePause(): InterruptiblePause {
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  return Object.assign(pause, {
    interrupt() {
      clearTimeout(timer);
      wake?.();
    },
  });
}
