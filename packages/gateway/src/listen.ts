import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayAddress } from './gateway.js';

/** Ms in-flight requests get to finish on close before their connections are cut. */
const CLOSE_GRACE_MS = 5000;

/** A started HTTP server and its stop. */
export interface Listening {
  readonly address: GatewayAddress;
  /** Stops accepting, lets in-flight requests finish (bounded), then cuts what is left. */
  close(): Promise<void>;
}

/** Starts node:http with slow-client timeouts on the request listener. */
export async function listenHttp(
  listener: RequestListener,
  o: { port: number; host: string; headersTimeoutMs: number; requestTimeoutMs: number },
): Promise<Listening> {
  // headersTimeout / requestTimeout cut clients that trickle headers or a body (slowloris).
  // Node checks those every connectionsCheckingInterval (default 30 s): check each second so the limits hold.
  const server = createServer(
    { headersTimeout: o.headersTimeoutMs, requestTimeout: o.requestTimeoutMs, connectionsCheckingInterval: 1000 },
    listener,
  );
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    address: { url: `http://${host}:${port}`, port },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A connection turns idle when its last response ends (event streams end as the gateway
      // closes): drop each then, rather than wait for the keep-alive timeout.
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 20);
      const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearInterval(idle);
      clearTimeout(grace);
    },
  };
}
