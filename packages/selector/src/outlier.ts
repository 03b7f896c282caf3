import type { Hearing } from './silence.js';

/**
 * Outlier ejection settings: a node failing too much is left out of selections for a while, then
 * given one trial call. Modelled on Envoy's outlier detection.
 */
export interface OutlierOptions {
  /** Consecutive failures that eject a node. Default 5. */
  consecutiveFailures?: number;
  /** Failure ratio in a window that ejects a node (0..1]. Default 0.5. */
  failureRate?: number;
  /** Calls a window needs before `failureRate` applies. Default 20. */
  minCalls?: number;
  /** Length of the failure-rate window, ms. Default 10_000. */
  window?: number;
  /** First ejection period, ms; doubles on each repeat ejection. Default 10_000. */
  baseEjection?: number;
  /** Cap of the ejection period, ms; a node healthy this long has its repeat count reset. Default 300_000. */
  maxEjection?: number;
  /** Most nodes ejected at once, percent of the service's nodes; at least one node always stays. Default 50. */
  maxEjectionPercent?: number;
}

export type ResolvedOutlier = Required<OutlierOptions>;

/** Defaults of {@link OutlierOptions}, in one place. */
export function resolveOutlier(o: OutlierOptions = {}): ResolvedOutlier {
  return {
    consecutiveFailures: o.consecutiveFailures ?? 5,
    failureRate: o.failureRate ?? 0.5,
    minCalls: o.minCalls ?? 20,
    window: o.window ?? 10_000,
    baseEjection: o.baseEjection ?? 10_000,
    maxEjection: o.maxEjection ?? 300_000,
    maxEjectionPercent: o.maxEjectionPercent ?? 50,
  };
}

/** What the selector knows about one node. */
export interface NodeHealth extends Hearing {
  inflight: number;
  /** EWMA latency in ms, 0 until measured. */
  latency: number;
  consecutive: number;
  windowStart: number;
  calls: number;
  failures: number;
  /** 0 while healthy; else when the node may next be probed (one trial call). */
  ejectedUntil: number;
  ejections: number;
  /** When the node last returned to service. */
  restoredAt: number;
}

export function newHealth(now: number): NodeHealth {
  return {
    inflight: 0,
    latency: 0,
    consecutive: 0,
    windowStart: now,
    calls: 0,
    failures: 0,
    ejectedUntil: 0,
    ejections: 0,
    restoredAt: now,
    awaiting: 0,
    heard: now,
    gap: 0,
    // Not judged silent before its first answer: there is no usual gap to compare with yet.
    quietLimit: Number.POSITIVE_INFINITY,
  };
}

/** Whether a call may go to the node now: healthy, or its ejection is over (a probe). */
export function available(h: NodeHealth | undefined, now: number): boolean {
  return h === undefined || h.ejectedUntil === 0 || now >= h.ejectedUntil;
}

/** Records one outcome in the failure window; true when the node should now be ejected. */
export function recordOutcome(h: NodeHealth, failed: boolean, now: number, o: ResolvedOutlier): boolean {
  if (now - h.windowStart >= o.window) {
    h.windowStart = now;
    h.calls = 0;
    h.failures = 0;
  }
  h.calls++;
  if (!failed) {
    h.consecutive = 0;
    return false;
  }
  h.failures++;
  h.consecutive++;
  if (h.ejectedUntil !== 0) return false;
  return h.consecutive >= o.consecutiveFailures || (h.calls >= o.minCalls && h.failures / h.calls >= o.failureRate);
}

/** Ejects for base × 2^(repeats), capped; repeats are forgotten after `maxEjection` of good health. */
export function eject(h: NodeHealth, now: number, o: ResolvedOutlier): number {
  if (h.ejectedUntil === 0 && now - h.restoredAt >= o.maxEjection) h.ejections = 0;
  const period = Math.min(o.maxEjection, o.baseEjection * 2 ** Math.min(h.ejections, 30));
  h.ejections++;
  h.ejectedUntil = now + period;
  return period;
}

/**
 * Starts a probe: the node stays out for another `baseEjection` while the trial runs, so only one
 * probe is out at a time and a probe whose `done()` never comes does not lock the node out for good.
 */
export function startProbe(h: NodeHealth, now: number, o: ResolvedOutlier): void {
  h.ejectedUntil = now + o.baseEjection;
}

/** Puts a node back in service after a successful probe. */
export function restore(h: NodeHealth, now: number): void {
  h.ejectedUntil = 0;
  h.consecutive = 0;
  h.calls = 0;
  h.failures = 0;
  h.windowStart = now;
  h.restoredAt = now;
}

/** How many of `total` nodes may be ejected at once: at least one, never all. */
export function maxEjected(total: number, o: ResolvedOutlier): number {
  return Math.min(total - 1, Math.max(1, Math.floor((total * o.maxEjectionPercent) / 100)));
}
