import { retryAfterMs, serviceUnavailable, tooManyRequests } from '@tsmicro/core';
import { type Clock, systemClock } from './clock.js';

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open a circuit. Default 5. */
  consecutiveFailures?: number;
  /** Failure ratio in the window that opens a circuit (0..1]. Default 0.5. */
  failureRate?: number;
  /** Calls the window needs before `failureRate` applies. Default 20. */
  minCalls?: number;
  /** Length of the failure-rate window, ms. Default 10_000. */
  window?: number;
  /** How long a circuit stays open before letting trial calls through, ms. Default 5000. */
  openFor?: number;
  /** Trial calls let through at once while half-open; that many successes close the circuit. Default 1. */
  halfOpenCalls?: number;
  /**
   * Which errors count as failures. Default: every error. Whatever it says, a 429 whose detail ends in
   * `retry after N ms` rests the circuit: `acquire` refuses with a 429 for those N ms (the node is not failing, just busy).
   */
  isFailure?: (error: unknown) => boolean;
  /** Circuits kept; the least recently used closed ones are dropped beyond it. Default 10_000. */
  maxKeys?: number;
  /** Default `systemClock`. */
  clock?: Pick<Clock, 'now'>;
}

/** A circuit's state: `closed` lets calls through, `open` fails them fast, `half-open` lets trial calls through. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** A permission to make one call; report its outcome exactly once. */
export interface BreakerPermit {
  done(result?: { error?: unknown }): void;
}

/** One circuit per key (e.g. `${node.id} ${endpoint}`). */
export interface CircuitBreaker {
  /** A permit for a call on `key`; throws `serviceUnavailable` (reason in the detail) while the circuit is open. */
  acquire(key: string): BreakerPermit;
  state(key: string): CircuitState;
  /** Forgets one circuit, or all. */
  reset(key?: string): void;
}

interface Circuit {
  state: CircuitState;
  consecutive: number;
  windowStart: number;
  calls: number;
  failures: number;
  openedAt: number;
  reason: string;
  trials: number;
  trialSuccesses: number;
  /** Until when (clock ms) the node asked callers to wait with a 429's `retry after`; 0 when it did not. */
  restUntil: number;
}

/** One call's permit; a class, so a permit is one small object instead of an object and a closure per call. */
class Permit implements BreakerPermit {
  private ended = false;

  constructor(
    private readonly c: Circuit,
    private readonly trial: boolean,
    /** When the permit was given; a success is counted at that time, a failure at its own. */
    private readonly at: number,
    private readonly report: (c: Circuit, error: unknown, trial: boolean, at: number) => void,
  ) {}

  done(result?: { error?: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    this.report(this.c, result?.error, this.trial, this.at);
  }
}

/**
 * A circuit breaker with one circuit per key: it opens after `consecutiveFailures` failures in a row
 * or a `failureRate` of the window's calls, fails calls fast while open, and closes again after
 * `halfOpenCalls` trial calls succeed.
 * @example const cb = circuitBreaker({ openFor: 2000 }); const permit = cb.acquire(`${node.id} Greeter.hello`); permit.done({ error })
 */
export function circuitBreaker(o: CircuitBreakerOptions = {}): CircuitBreaker {
  const cfg = {
    consecutiveFailures: o.consecutiveFailures ?? 5,
    failureRate: o.failureRate ?? 0.5,
    minCalls: o.minCalls ?? 20,
    window: o.window ?? 10_000,
    openFor: o.openFor ?? 5000,
    halfOpenCalls: o.halfOpenCalls ?? 1,
    isFailure: o.isFailure ?? ((e: unknown) => e !== undefined),
    maxKeys: o.maxKeys ?? 10_000,
  };
  const clock = o.clock ?? systemClock;
  const circuits = new Map<string, Circuit>();

  const fresh = (now: number): Circuit => ({
    state: 'closed',
    consecutive: 0,
    windowStart: now,
    calls: 0,
    failures: 0,
    openedAt: 0,
    reason: '',
    trials: 0,
    trialSuccesses: 0,
    restUntil: 0,
  });

  // The most recently used key: using it again changes no LRU order, so the delete + set is skipped (the hot path).
  let lastKey: string | undefined;
  const get = (key: string, now: number): Circuit => {
    let c = circuits.get(key);
    if (c && key === lastKey) return halfOpenIfDue(c, now);
    if (c)
      circuits.delete(key); // re-inserted below: Map order is then least recently used first
    else c = fresh(now);
    circuits.set(key, c);
    lastKey = key;
    if (circuits.size > cfg.maxKeys) {
      for (const [k, v] of circuits) {
        if (circuits.size <= cfg.maxKeys) break;
        if (v.state === 'closed' && k !== key) circuits.delete(k);
      }
    }
    return halfOpenIfDue(c, now);
  };

  const halfOpenIfDue = (c: Circuit, now: number): Circuit => {
    if (c.state === 'open' && now - c.openedAt >= cfg.openFor) {
      c.state = 'half-open';
      c.trials = 0;
      c.trialSuccesses = 0;
    }
    return c;
  };

  const open = (c: Circuit, now: number, reason: string) => {
    c.state = 'open';
    c.openedAt = now;
    c.reason = reason;
  };

  const record = (c: Circuit, failed: boolean, now: number, trial: boolean) => {
    // The circuit moved on while the call ran (opened, or a trial raced a reset): the outcome is stale.
    if (c.state !== (trial ? 'half-open' : 'closed')) return;
    if (trial) {
      c.trials--;
      if (failed) open(c, now, 'a trial call failed while half-open');
      else if (++c.trialSuccesses >= cfg.halfOpenCalls) Object.assign(c, fresh(now));
      return;
    }
    if (now - c.windowStart >= cfg.window) Object.assign(c, { windowStart: now, calls: 0, failures: 0 });
    c.calls++;
    if (!failed) {
      c.consecutive = 0;
      return;
    }
    c.failures++;
    c.consecutive++;
    if (c.consecutive >= cfg.consecutiveFailures) open(c, now, `${c.consecutive} consecutive failures`);
    else if (c.calls >= cfg.minCalls && c.failures / c.calls >= cfg.failureRate) {
      open(c, now, `${c.failures} of ${c.calls} calls failed within ${cfg.window} ms`);
    }
  };

  // A success only moves the failure-rate window, for which the permit's time is as good as now (and saves
  // reading the clock on every call); a failure may open the circuit, which must count from now.
  const report = (c: Circuit, error: unknown, trial: boolean, at: number) => {
    const failed = cfg.isFailure(error);
    const rest = error === undefined ? undefined : retryAfterMs(error);
    if (rest !== undefined) c.restUntil = Math.max(c.restUntil, clock.now() + rest);
    record(c, failed, failed ? clock.now() : at, trial);
  };

  return {
    acquire(key) {
      const now = clock.now();
      const c = get(key, now);
      if (c.state === 'open' || (c.state === 'half-open' && c.trials >= cfg.halfOpenCalls)) {
        const left = Math.max(0, Math.ceil(cfg.openFor - (now - c.openedAt)));
        const why = c.state === 'open' ? `retry in ${left} ms` : 'trial call in progress';
        throw serviceUnavailable(`circuit open for ${key}: ${c.reason}; ${why}`);
      }
      if (c.restUntil > now) {
        // The node answered 429 with a retry-after: honour it here rather than call and be refused again.
        throw tooManyRequests(`${key} asked callers to wait (429): retry after ${Math.ceil(c.restUntil - now)} ms`);
      }
      const trial = c.state === 'half-open';
      if (trial) c.trials++;
      return new Permit(c, trial, now, report);
    },
    state: (key) => (circuits.has(key) ? get(key, clock.now()).state : 'closed'),
    reset(key) {
      if (key === undefined) circuits.clear();
      else circuits.delete(key);
    },
  };
}
