import { createHook } from 'node:async_hooks';

/** Resource types that keep a process busy: timers, sockets, servers, DNS and fs requests. */
const WATCHED = new Set([
  'Timeout',
  'Immediate',
  'UDPWRAP',
  'TCPWRAP',
  'TCPSERVERWRAP',
  'TCPCONNECTWRAP',
  'PIPEWRAP',
  'GETADDRINFOREQWRAP',
]);

/** Tracks the timers and sockets created between `trackHandles()` and `stop()`. */
export interface HandleTracker {
  /** Types of tracked resources not yet destroyed (e.g. `['Timeout', 'UDPWRAP']`). */
  alive(): string[];
  /** Stops recording new resources but keeps noticing destroyed ones (so polling timers don't count). */
  freeze(): void;
  stop(): void;
}

/**
 * Records every timer/socket created from now on and whether it was destroyed again, so a test can
 * prove `close()` left nothing running (cleared timers and closed sockets count as destroyed).
 * @example const h = trackHandles(); const r = newRegistry(); …; await r.close(); h.freeze(); await waitFor(() => h.alive().length === 0)
 */
export function trackHandles(): HandleTracker {
  const live = new Map<number, string>();
  let recording = true;
  const hook = createHook({
    init(id, type) {
      if (recording && WATCHED.has(type)) live.set(id, type);
    },
    destroy(id) {
      live.delete(id);
    },
  });
  hook.enable();
  return {
    alive: () => [...live.values()],
    freeze: () => {
      recording = false;
    },
    stop: () => hook.disable(),
  };
}
