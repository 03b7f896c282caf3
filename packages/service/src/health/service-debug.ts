import type { HandlerWrapper } from '@tsmicro/server';
import type { ServiceHooks, ServiceOptions } from '../service.js';
import { type DebugHandler, debugHandler } from './debug.js';
import { type Readiness, readiness } from './readiness.js';
import { statsWrapper } from './stats.js';

/** The handler name a service with debug on answers itself. */
export const DEBUG = 'Debug';

/** What a service with debug on adds to itself. */
export interface ServiceDebug {
  /** Flipped by `hooks`; exposed as `svc.readiness`. */
  readonly readiness: Readiness;
  /** Served as `Debug`. */
  readonly handler: DebugHandler;
  /** The service's handler wrappers behind the stats wrapper. */
  readonly handlerWrappers: HandlerWrapper[];
  /** The service's hooks plus the readiness flips. */
  readonly hooks: ServiceHooks;
}

/**
 * The `debug` option resolved: `undefined` when off, else the readiness flag, the `Debug` handler, and
 * the wrappers and hooks that feed them. The stats wrapper goes first, the outermost, so it also
 * counts calls that other wrappers refuse (auth, rate limit). The flag turns ready after the user's
 * `afterStart` hooks, which are still part of starting (warming a cache, say), and `'stopping'`
 * before the user's `beforeStop` hooks: probes should hear of a stop before anything is torn down.
 */
export function serviceDebug(o: ServiceOptions): ServiceDebug | undefined {
  if (o.debug === false) return undefined;
  const r = o.debug?.readiness ?? readiness();
  const stats = o.debug?.stats ?? statsWrapper();
  const user = o.hooks ?? {};
  return {
    readiness: r,
    handler: debugHandler({ stats, readiness: r }),
    handlerWrappers: [stats, ...(o.wrappers?.handler ?? [])],
    hooks: {
      ...user,
      afterStart: [...(user.afterStart ?? []), ...r.hooks.afterStart],
      beforeStop: [...r.hooks.beforeStop, ...(user.beforeStop ?? [])],
    },
  };
}
