import { canceled, isMicroError } from '@tsmicro/core';
import { type Clock, systemClock } from './clock.js';

/** Options of {@link hedge}. */
export interface HedgeOptions {
  /** Ms to wait for an attempt before starting the next one alongside it. Default 50 (use about the p95 latency). */
  delay?: number;
  /** Attempts at most, the first included. Default 2. */
  maxAttempts?: number;
  /** A failed attempt starts the next one at once (when attempts remain) instead of waiting for the delay. Default true. */
  failFast?: boolean;
  /** Aborts every attempt and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Default `systemClock`. */
  clock?: Pick<Clock, 'setTimeout'>;
}

function reasonOf(signal: AbortSignal): unknown {
  return isMicroError(signal.reason) ? signal.reason : canceled('the hedged call was cancelled');
}

/**
 * Hedged requests for idempotent calls: starts `attempt(signal, 0)`; each `delay` ms without a
 * result starts another attempt (the attempt number lets it pick another node, e.g. the next
 * `Next()`), up to `maxAttempts`. The first success wins and the others are aborted through their
 * signal; when every attempt failed, the last error is thrown.
 * @example await hedge((signal, n) => callNode(next(), { signal }), { delay: 20 })
 */
export function hedge<T>(attempt: (signal: AbortSignal, n: number) => Promise<T>, o: HedgeOptions = {}): Promise<T> {
  const delay = o.delay ?? 50;
  const maxAttempts = Math.max(1, o.maxAttempts ?? 2);
  const failFast = o.failFast ?? true;
  const clock = o.clock ?? systemClock;
  const outer = o.signal;
  if (outer?.aborted) return Promise.reject(reasonOf(outer));

  return new Promise<T>((resolve, reject) => {
    const running = new Set<AbortController>();
    let started = 0;
    let settled = false;
    let cancelTimer: (() => void) | undefined;

    const finish = (why: string) => {
      settled = true;
      cancelTimer?.();
      outer?.removeEventListener('abort', onOuterAbort);
      for (const ac of running) ac.abort(canceled(why));
      running.clear();
    };
    const onOuterAbort = () => {
      if (settled) return;
      finish('the hedged call was cancelled');
      reject(reasonOf(outer!));
    };

    const launch = () => {
      cancelTimer?.();
      cancelTimer = undefined;
      if (settled || started >= maxAttempts) return;
      const n = started++;
      const ac = new AbortController();
      running.add(ac);
      if (started < maxAttempts) cancelTimer = clock.setTimeout(launch, delay);
      let p: Promise<T>;
      try {
        p = attempt(ac.signal, n);
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (value) => {
          if (settled) return;
          running.delete(ac);
          finish(`hedged attempt ${n} won`);
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          running.delete(ac);
          if (started < maxAttempts && failFast) launch();
          else if (running.size === 0 && started >= maxAttempts) {
            finish('every hedged attempt failed');
            reject(error);
          }
        },
      );
    };

    outer?.addEventListener('abort', onOuterAbort, { once: true });
    launch();
  });
}
