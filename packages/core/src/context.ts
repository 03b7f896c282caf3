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
