/** Lifecycle states a readiness probe reports. */
export type ReadinessState = 'starting' | 'ready' | 'stopping';

/** A flag the app (or the service) flips: ready once registered, not ready once stopping. */
export interface Readiness {
  readonly state: ReadinessState;
  /** Call after the service is registered and serving. */
  markReady(): void;
  /** Call when a graceful stop begins, before draining (a later restart marks ready again). */
  markStopping(): void;
  /** True only in state `ready`. A bound function: pass it as `healthServer({ ready: r.isReady })`. */
  readonly isReady: () => boolean;
  /** Service lifecycle hooks that flip this flag; a service with debug on (the default) adds them itself. */
  readonly hooks: { afterStart: Array<() => void>; beforeStop: Array<() => void> };
}

/**
 * A readiness flag, `starting` until marked; `hooks` lets a service flip it (ready after registration,
 * not ready as soon as a graceful stop begins). A service made by `createService` has one already,
 * `svc.readiness`; make your own when something else flips it too (`debug: { readiness: r }`).
 * @example const r = readiness(); createService({ name: 'a', debug: { readiness: r } }); await healthServer({ port: 8086, ready: r.isReady })
 */
export function readiness(): Readiness {
  let state: ReadinessState = 'starting';
  const markReady = () => {
    state = 'ready';
  };
  const markStopping = () => {
    state = 'stopping';
  };
  return {
    get state() {
      return state;
    },
    markReady,
    markStopping,
    isReady: () => state === 'ready',
    hooks: { afterStart: [markReady], beforeStop: [markStopping] },
  };
}

/** Anything started and stopped: a Server or a Service. */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A view of `target` whose `start()` marks `r` ready once started (registered) and whose `stop()`
 * marks it stopping before the graceful stop begins. Other members are the target's own (live).
 * A service keeps its own flag (`svc.readiness`); this is for a bare `createServer` server.
 * @example const server = trackReadiness(createServer({ name: 'a', registry }), r)
 */
export function trackReadiness<T extends Lifecycle>(target: T, r: Readiness): T {
  const view = Object.create(target) as T;
  view.start = async () => {
    await target.start();
    r.markReady();
  };
  view.stop = async () => {
    r.markStopping();
    await target.stop();
  };
  return view;
}
