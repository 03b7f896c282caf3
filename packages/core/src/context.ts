import type { Logger } from './logger.js';
import type { Metadata } from './metadata.js';

/**
 * What every handler and subscriber receives: the Node counterpart of Go's `context.Context`.
 * Pass it as `ctx` in a client call's options and the call inherits the remaining deadline,
 * the metadata and the signal.
 */
export interface Context {
  /** Metadata that came with the call or message (lower-case keys). */
  readonly metadata: Metadata;
  /** Aborts when the caller cancels, the deadline passes or the server stops. */
  readonly signal: AbortSignal;
  /** Absolute deadline in epoch milliseconds, when the caller set one. */
  readonly deadline?: number;
  /** This service's name. */
  readonly service: string;
  /** The endpoint (`Handler.method`) or topic being served. */
  readonly endpoint: string;
  /** A logger bound to service and endpoint. */
  readonly logger: Logger;
}

/** Milliseconds left until `deadline` (never negative), or `undefined` without one. */
export function remaining(deadline: number | undefined, now = Date.now()): number | undefined {
  return deadline === undefined ? undefined : Math.max(0, deadline - now);
}

/** The earlier of two optional deadlines. */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** A signal that aborts with the given reason when `deadline` passes or any parent aborts. */
export interface Scope {
  readonly signal: AbortSignal;
  readonly deadline: number | undefined;
  /** Clears the timer and detaches from the parents; call it when the work ends. */
  dispose(): void;
}

/**
 * Builds the cancellation scope of one unit of work from a deadline and parent signals.
 * `onDeadline` makes the abort reason (e.g. a `timeout` MicroError).
 */
export function createScope(o: {
  deadline?: number | undefined;
  parents?: ReadonlyArray<AbortSignal | undefined>;
  onDeadline: () => unknown;
}): Scope {
  const ac = new AbortController();
  const cleanups: Array<() => void> = [];
  for (const p of o.parents ?? []) {
    if (!p) continue;
    if (p.aborted) {
      ac.abort(p.reason);
      break;
    }
    const onAbort = () => ac.abort(p.reason);
    p.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => p.removeEventListener('abort', onAbort));
  }
  if (o.deadline !== undefined && !ac.signal.aborted) {
    const ms = o.deadline - Date.now();
    if (ms <= 0) ac.abort(o.onDeadline());
    else {
      const t = setTimeout(() => ac.abort(o.onDeadline()), ms);
      cleanups.push(() => clearTimeout(t));
    }
  }
  const dispose = () => {
    for (const c of cleanups.splice(0)) c();
  };
  ac.signal.addEventListener('abort', dispose, { once: true });
  return { signal: ac.signal, deadline: o.deadline, dispose };
}
