import { httpBroker } from '@tsmicro/broker/http';
import { createLogger } from '@tsmicro/core';
import { mdnsRegistry } from '@tsmicro/registry/mdns';
import { tcpTransport } from '@tsmicro/transport';
import { serviceDebug } from './health/service-debug.js';
import type { ServiceOptions } from './service.js';

/**
 * The one place the service's pluggable defaults are chosen: tcp on 127.0.0.1, mDNS discovery
 * (zero-conf: processes on one host or LAN find each other; pin the interface with env
 * `TSMICRO_MDNS_INTERFACE`), and the http broker, whose subscribers are found through that registry.
 * The default transport logs through the service's logger. `owned` lists what the service made itself and
 * therefore closes on `stop()`. `debug` (on unless
 * `debug: false`) holds the service's own readiness flag, Debug handler, and the wrappers and hooks
 * that feed them.
 */
export function resolveDefaults(o: ServiceOptions) {
  const logger = o.logger ?? createLogger({ name: o.name });
  const registry = o.registry ?? mdnsRegistry({ logger: logger.child({ component: 'registry' }) });
  const broker = o.broker ?? httpBroker({ registry, logger: logger.child({ component: 'broker' }) });
  return {
    transport: o.transport ?? tcpTransport({ logger: logger.child({ component: 'transport' }) }),
    registry,
    broker,
    logger,
    debug: serviceDebug(o),
    owned: { registry: o.registry === undefined ? registry : undefined, broker: o.broker === undefined ? broker : undefined },
  };
}
