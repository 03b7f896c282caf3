import type { HandlerWrapper } from '@tsmicro/server';
import type { Readiness, ReadinessState } from './readiness.js';
import { type EndpointStats, type StatsCollector, statsWrapper } from './stats.js';

/** What `Debug.health` answers. */
export interface HealthReport {
  /** `'ok'` while the process serves calls. */
  status: 'ok';
  /** Present when a readiness flag was given. */
  readiness?: ReadinessState;
}

/** What `Debug.stats` answers. */
export interface StatsReport {
  /** Ms since the handler was created. */
  uptimeMs: number;
  /** Bytes, from `process.memoryUsage()`. */
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number };
  /** Calls being handled now (those passing the stats wrapper). */
  inFlight: number;
  /** Per endpoint `Handler.method`. */
  endpoints: Record<string, EndpointStats>;
}

/** Options of {@link debugHandler}. */
export interface DebugHandlerOptions {
  /** The collector feeding `stats`. Default: a new `statsWrapper()`, reachable as `.wrapper`. */
  stats?: StatsCollector;
  /** Reported by `health`. Default: none. */
  readiness?: Readiness;
}

/** The `Debug` handler object: `health` and `stats` endpoints, plus the wrapper feeding them. */
export interface DebugHandler {
  health(): Promise<HealthReport>;
  stats(): Promise<StatsReport>;
  /** Add it to the server's handler wrappers so `stats` sees the calls. A getter, so it is not an endpoint. */
  readonly wrapper: HandlerWrapper;
}

class Debug implements DebugHandler {
  readonly #stats: StatsCollector;
  readonly #readiness: Readiness | undefined;
  readonly #started = Date.now();

  constructor(o: DebugHandlerOptions) {
    this.#stats = o.stats ?? statsWrapper();
    this.#readiness = o.readiness;
  }

  get wrapper(): HandlerWrapper {
    return this.#stats;
  }

  async health(): Promise<HealthReport> {
    return this.#readiness ? { status: 'ok', readiness: this.#readiness.state } : { status: 'ok' };
  }

  async stats(): Promise<StatsReport> {
    const m = process.memoryUsage();
    return {
      uptimeMs: Date.now() - this.#started,
      memory: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external },
      inFlight: this.#stats.inFlight,
      endpoints: this.#stats.endpoints(),
    };
  }
}

/**
 * Introspection endpoints for `handle('Debug', debug)`: `Debug.health` → `{ status: 'ok' }`,
 * `Debug.stats` → uptime, memory, in-flight and per-endpoint counts fed by `debug.wrapper`.
 * `createService` serves one by default; this is for a bare server or a service with `debug: false`.
 * @example const debug = debugHandler(); createServer({ name, wrappers: { handler: [debug.wrapper] } }).handle('Debug', debug)
 */
export function debugHandler(o: DebugHandlerOptions = {}): DebugHandler {
  return new Debug(o);
}
