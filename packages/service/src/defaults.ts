import { memoryBroker } from '@tsmicro/broker';
import { createLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { tcpTransport } from '@tsmicro/transport';
import type { ServiceOptions } from './service.js';

/**
 * The one place the service's pluggable defaults are chosen. `owned` lists what the service made
 * itself and therefore closes on `stop()`.
 */
export function resolveDefaults(o: ServiceOptions) {
  const registry = o.registry ?? memoryRegistry();
  const broker = o.broker ?? memoryBroker();
  return {
    transport: o.transport ?? tcpTransport(),
    registry,
    broker,
    logger: o.logger ?? createLogger({ name: o.name }),
    owned: { registry: o.registry === undefined ? registry : undefined, broker: o.broker === undefined ? broker : undefined },
  };
}
