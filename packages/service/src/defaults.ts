import { httpBroker } from '@tsmicro/broker/http';
import { badRequest, createLogger } from '@tsmicro/core';
import { mdnsRegistry } from '@tsmicro/registry/mdns';
import { tcpTransport } from '@tsmicro/transport';
import { grpcHealth, tcpWithGrpc, withGrpc } from '@tsmicro/transport/grpc';
import { serviceDebug } from './health/service-debug.js';
import type { ServiceOptions } from './service.js';

/**
 * The one place the service's pluggable defaults are chosen: tcp on 127.0.0.1, mDNS discovery
 * (zero-conf: processes on one host or LAN find each other; pin the interface with env
 * `TSMICRO_MDNS_INTERFACE`), and the http broker, whose subscribers are found through that registry.
 * `owned` lists what the service made itself and therefore closes on `stop()`. `debug` (on unless
 * `debug: false`) holds the service's own readiness flag, Debug handler, and the wrappers and hooks
 * that feed them.
 */
export function resolveDefaults(o: ServiceOptions) {
  const logger = o.logger ?? createLogger({ name: o.name });
  const registry = o.registry ?? mdnsRegistry({ logger: logger.child({ component: 'registry' }) });
  const broker = o.broker ?? httpBroker({ registry, logger: logger.child({ component: 'broker' }) });
  if (o.grpc && o.transport) throw badRequest(`${o.name}: pass either grpc or transport (a transport given serves gRPC only if it is one)`);
  // The gRPC health state follows the service (see ServiceOptions.grpc), so the service owns it.
  const health = o.grpc ? grpcHealth({ status: 'NOT_SERVING' }) : undefined;
  health?.addService(o.name);
  const grpc = o.grpc === true ? {} : o.grpc;
  return {
    transport: o.transport ?? (grpc && health ? tcpWithGrpc({ grpc: { logger, ...grpc, health } }) : withGrpc(tcpTransport())),
    grpcHealth: health,
    registry,
    broker,
    logger,
    debug: serviceDebug(o),
    owned: { registry: o.registry === undefined ? registry : undefined, broker: o.broker === undefined ? broker : undefined },
  };
}
