import { type HttpEndpoint, listenHttp } from '../internal/http.js';

/** Options of {@link healthServer}. */
export interface HealthServerOptions {
  /** Port to listen on (0 picks a free one). Required: probes need a known port. */
  port: number;
  /** Default `'127.0.0.1'`; `'0.0.0.0'` for probes from outside the host or pod. */
  host?: string;
  /** Whether `/health/ready` answers 200. Default: always ready. */
  ready?: () => boolean;
}

const json = (status: number, body: object) => ({ status, type: 'application/json', body: JSON.stringify(body) });

/**
 * HTTP probes over node:http: `GET /health/live` → 200 while the process runs; `GET /health/ready`
 * → 200 when `ready()`, else 503 (before registration and while stopping).
 * @example const r = readiness(); const probes = await healthServer({ port: 8086, ready: r.isReady })
 */
export function healthServer(o: HealthServerOptions): Promise<HttpEndpoint> {
  const ready = o.ready ?? (() => true);
  return listenHttp(o.port, o.host ?? '127.0.0.1', async (path) => {
    if (path === '/health/live') return json(200, { status: 'ok' });
    if (path === '/health/ready') return ready() ? json(200, { status: 'ready' }) : json(503, { status: 'not-ready' });
    return json(404, { error: 'not found; probes are /health/live and /health/ready' });
  });
}
