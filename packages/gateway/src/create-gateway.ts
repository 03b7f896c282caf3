import { type Client, createClient } from '@tsmicro/client';
import { type Logger, serviceUnavailable } from '@tsmicro/core';
import { cacheRegistry } from '@tsmicro/registry';
import { tcpTransport } from '@tsmicro/transport';
import { createApp } from './app.js';
import { type BytesClient, isClient, sharedClient } from './bytes-client.js';
import type { GatewayDeps } from './deps.js';
import { callerGoneSignals } from './disconnect.js';
import type { Gateway, GatewayClientOptions, GatewayOptions } from './gateway.js';
import { GATEWAY_ID } from './http-error.js';
import { type Listening, listenHttp } from './listen.js';
import { resolveOptions } from './options.js';
import { passthroughJson } from './passthrough-codec.js';
import { serveHttp } from './serve-http.js';

/** The gateway's own client: its JSON codec passes bytes through (see passthrough-codec.ts). */
function ownClient(settings: GatewayClientOptions | undefined, options: GatewayOptions, logger: Logger): Client {
  return createClient({
    // One write per event-loop iteration: each HTTP request arrives in its own socket callback.
    transport: tcpTransport({ coalesceWrites: 'loop' }),
    logger,
    ...settings,
    registry: options.registry,
    ...(options.broker && { broker: options.broker }),
    codecs: [passthroughJson],
    contentType: passthroughJson.contentType,
  });
}

/**
 * An HTTP gateway (and web dashboard) in front of the services of a registry: every exposed
 * endpoint is `POST /{service}/{Handler.method}`, called through a normal tsmicro client
 * (discovery, load balancing, retries, deadlines): its own, or a ready one passed as `client`. The
 * registry, broker and a ready client stay the caller's: `close()` stops what the gateway started
 * (server, streams, watches, its own client), not them.
 * @example
 * const gw = createGateway({ registry: mdnsRegistry() });
 * const { url } = await gw.listen({ port: 8080 }); // http://127.0.0.1:8080
 * // curl -H 'content-type: application/json' -d '{"name":"Ada"}' $url/greeter/Greeter.hello
 */
export function createGateway(options: GatewayOptions): Gateway {
  const o = resolveOptions(options);
  const closing = new AbortController();
  const registry = cacheRegistry(options.registry, { logger: o.logger });
  let own: Client | undefined;
  let client: BytesClient;
  if (isClient(options.client)) client = sharedClient(options.client);
  else client = own = ownClient(options.client, options, o.logger);
  const deps: GatewayDeps = {
    o,
    client,
    registry,
    source: options.registry,
    broker: options.broker,
    closing: closing.signal,
    callerGone: callerGoneSignals(),
  };
  const app = createApp(deps);
  const serve = serveHttp(deps, app);
  const servers = new Set<Listening>();
  return {
    fetch: async (req) => app.fetch(req),
    async listen(l = {}) {
      if (closing.signal.aborted) throw serviceUnavailable('this gateway is closed; create a new one to listen again', { id: GATEWAY_ID });
      const s = await listenHttp(serve, {
        port: l.port ?? 0,
        host: l.host ?? '127.0.0.1',
        headersTimeoutMs: o.headersTimeoutMs,
        requestTimeoutMs: o.requestTimeoutMs,
      });
      servers.add(s);
      o.logger.info({ url: s.address.url }, 'gateway listening');
      return s.address;
    },
    async close() {
      if (closing.signal.aborted) return;
      // Event streams end first, so the servers' close is not held open by them.
      closing.abort();
      await Promise.all([...servers].map((s) => s.close()));
      servers.clear();
      // A ready client is its owner's, like the registry and broker.
      await own?.close();
      await registry.close();
    },
  };
}
