import { badRequest, createLogger, type Logger } from '@tsmicro/core';
import { tcpTransport } from '@tsmicro/transport';
import { grpcHealth, tcpWithGrpc, withGrpc } from '@tsmicro/transport/grpc';
import { serviceDebug } from './health/service-debug.js';
import { createBroker, createRegistry } from './plugins/build.js';
import { brokerChoice, describeBrokerChoice, describeRegistryChoice, registryChoice } from './plugins/choice.js';
import type { ServiceOptions } from './service.js';

/**
 * The one place the pluggable defaults are chosen, for services and client-only processes alike:
 * tcp on 127.0.0.1, the registry named by env `TSMICRO_REGISTRY` (default mDNS: zero-conf, processes
 * on one host or LAN find each other; pin the interface with env `TSMICRO_MDNS_INTERFACE`), and the
 * broker named by env `TSMICRO_BROKER` (default http, whose subscribers are found through that
 * registry); see `PluginEnv`. Explicit options win and their environment variables are then not read.
 * The default transport logs bad input on its port through the given logger, and its client side
 * also dials `grpc://` nodes (docs/grpc.md).
 * `owned` lists what was made here and is therefore closed by its owner. Without a `logger`, the
 * registry and broker use their own (silent) default.
 */
export function resolvePlumbing(o: Pick<ServiceOptions, 'registry' | 'broker' | 'transport'>, logger: Logger | undefined) {
  const part = (component: string) => (logger ? { logger: logger.child({ component }) } : {});
  let registry = o.registry;
  if (registry === undefined) {
    const c = registryChoice();
    registry = createRegistry(c, part('registry'));
    logger?.debug({ registry: c.kind, address: c.address, interface: c.interface }, `registry: ${describeRegistryChoice(c)}`);
  }
  let broker = o.broker;
  if (broker === undefined) {
    const c = brokerChoice();
    broker = createBroker(c, { registry, ...part('broker') });
    logger?.debug({ broker: c.kind, address: c.address }, `broker: ${describeBrokerChoice(c)}`);
  }
  return {
    transport: o.transport ?? withGrpc(tcpTransport(part('transport'))),
    registry,
    broker,
    owned: { registry: o.registry === undefined ? registry : undefined, broker: o.broker === undefined ? broker : undefined },
  };
}

/**
 * A service's defaults: the plumbing above (with `grpc`: tsmicro's protocol and gRPC on one port,
 * with a gRPC health state the service drives), a pino logger named after the service, and `debug` (on
 * unless `debug: false`): the service's own readiness flag, Debug handler, and the wrappers and hooks
 * that feed them.
 */
export function resolveDefaults(o: ServiceOptions) {
  const logger = o.logger ?? createLogger({ name: o.name });
  if (o.grpc && o.transport) throw badRequest(`${o.name}: pass either grpc or transport (a transport given serves gRPC only if it is one)`);
  // The gRPC health state follows the service (see ServiceOptions.grpc), so the service owns it.
  const health = o.grpc ? grpcHealth({ status: 'NOT_SERVING' }) : undefined;
  health?.addService(o.name);
  const grpc = o.grpc === true ? {} : o.grpc;
  const transport =
    grpc && health
      ? tcpWithGrpc({ tcp: { logger: logger.child({ component: 'transport' }) }, grpc: { logger, ...grpc, health } })
      : undefined;
  return { ...resolvePlumbing(transport ? { ...o, transport } : o, logger), grpcHealth: health, logger, debug: serviceDebug(o) };
}
