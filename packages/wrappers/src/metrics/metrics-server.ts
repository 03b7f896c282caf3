import type * as Prom from 'prom-client';
import { type HttpEndpoint, listenHttp } from '../internal/http.js';

export type { HttpEndpoint };

/** Options of {@link metricsServer}. */
export interface MetricsServerOptions {
  /** The registry to expose (e.g. `metrics().registry`). Required. */
  registry: Prom.Registry;
  /** Default 9464 (the usual Prometheus exporter port); 0 picks a free one. */
  port?: number;
  /** Default `'127.0.0.1'`; use `'0.0.0.0'` for a scraper on another host. */
  host?: string;
  /** Default `'/metrics'`. */
  path?: string;
}

/**
 * Exposes a prom-client registry at `GET /metrics` over node:http.
 * @example const m = metrics(); const http = await metricsServer({ registry: m.registry, port: 9464 }); … await http.close()
 */
export function metricsServer(o: MetricsServerOptions): Promise<HttpEndpoint> {
  const path = o.path ?? '/metrics';
  return listenHttp(o.port ?? 9464, o.host ?? '127.0.0.1', async (p) =>
    p === path
      ? { status: 200, type: o.registry.contentType, body: await o.registry.metrics() }
      : { status: 404, type: 'text/plain', body: `not found; metrics are at ${path}` },
  );
}
