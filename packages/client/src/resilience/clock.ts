/** Time as the resilience modules see it; inject a manual one for deterministic tests. */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

/** The real clock: `performance.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** A clock that moves only when told to: `advance(ms)` runs the timers that fall due, in order. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  /** Timers not yet run or cancelled. */
  pending(): number;
}

/**
 * A manual clock for tests (no real timers, no sleeps).
 * @example const clock = manualClock(); hedge(fn, { delay: 50, clock }); clock.advance(50)
 */
export function manualClock(start = 0): ManualClock {
  let time = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => time,
    setTimeout(fn, ms) {
      const id = seq++;
      timers.set(id, { at: time + Math.max(0, ms), fn });
      return () => timers.delete(id);
    },
    advance(ms) {
      const end = time + ms;
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const t of timers) if (t[1].at <= end && (!due || t[1].at < due[1].at)) due = t;
        if (!due) break;
        timers.delete(due[0]);
        time = due[1].at;
        due[1].fn();
      }
      time = end;
    },
    pending: () => timers.size,
  };
}
