import { badRequest, type Logger, silentLogger } from '@tsmicro/core';

/** Options of {@link mdnsRegistry}. */
export interface MdnsRegistryOptions {
  /**
   * IPv4 address of the network interface to use (e.g. `'127.0.0.1'` to stay on this host).
   * Default: env `TSMICRO_MDNS_INTERFACE`, else every interface.
   */
  interface?: string;
  /** UDP port of the multicast group. Default 5353 (standard mDNS); a private port isolates a group, e.g. in tests. */
  port?: number;
  /**
   * For registrations without a ttl: peers drop such a node after this many ms without an announcement,
   * and this registry re-announces it every third of it. Default 90_000.
   */
  defaultTtl?: number;
  /** Ms the first lookup waits for peers to answer the startup query. Default 150. */
  discoveryTimeout?: number;
  /** Default `silentLogger()`. */
  logger?: Logger;
}

export function resolveOptions(o: MdnsRegistryOptions) {
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65_536)) {
    throw badRequest(`mdnsRegistry: port must be an integer in 1..65535, got ${o.port}`);
  }
  const iface = o.interface ?? (process.env.TSMICRO_MDNS_INTERFACE || undefined);
  return {
    interface: iface,
    port: o.port ?? 5353,
    defaultTtl: o.defaultTtl ?? 90_000,
    discoveryTimeout: o.discoveryTimeout ?? 150,
    logger: o.logger ?? silentLogger(),
    /** Pinned to loopback: packets from anywhere else are ignored, so nothing off-host can register. */
    loopbackOnly: iface !== undefined && (iface.startsWith('127.') || iface === '::1'),
  };
}
