import { badRequest } from '@tsmicro/core';
import { validate } from './internal/records.js';
import { memoryRegistry } from './memory.js';
import type { Registry, ServiceRecord } from './registry.js';

/** Addresses (`host:port`) by service name: `{ greeter: ['10.0.0.5:7000', '10.0.0.6:7000'] }`. */
export type StaticNodes = Readonly<Record<string, string | readonly string[]>>;

/** Options of {@link staticRegistry}. */
export interface StaticRegistryOptions {
  /** The version every listed service is recorded under. Default `'latest'`. */
  version?: string;
}

/** host:port, host a name, IPv4 or bracketed IPv6, port 1–65535. */
const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

function checkAddress(service: string, address: string): void {
  const m = ADDRESS.exec(address);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65_535) {
    throw badRequest(`staticRegistry: '${address}' of service ${service} is not host:port (e.g. '127.0.0.1:7000' or '[::1]:7000')`);
  }
}

/** One record per service; node ids are `name@address`, so a node keeps its id (and its selector stats) across restarts of the app. */
function toRecords(nodes: StaticNodes, version: string): ServiceRecord[] {
  return Object.entries(nodes).map(([name, list]) => {
    const addresses = typeof list === 'string' ? [list] : [...list];
    if (addresses.length === 0) throw badRequest(`staticRegistry: service ${name} lists no address; give at least one host:port`);
    for (const a of addresses) checkAddress(name, a);
    const unique = [...new Set(addresses)];
    return {
      name,
      version,
      metadata: {},
      endpoints: [],
      nodes: unique.map((address) => ({ id: `${name}@${address}`, address, metadata: {} })),
    };
  });
}

/**
 * A registry holding a fixed node list, for apps without discovery (or tests and scripts): calls by
 * name then go through the selector (load balancing, outlier ejection, retries on another node)
 * exactly as with a discovery backend. It behaves as a full registry: `getService`, `listServices`
 * and `watch` answer from the list, and services registered in this process (a server given the same
 * registry) are added and removed as in `memoryRegistry`; listed nodes never expire.
 * Throws a 400 naming the entry when an address is not `host:port` or a service lists none.
 * @example const client = createClient({ transport: tcpTransport(), registry: staticRegistry({ greeter: ['10.0.0.5:7000', '10.0.0.6:7000'] }) })
 */
export function staticRegistry(nodes: StaticNodes, o: StaticRegistryOptions = {}): Registry {
  const records = toRecords(nodes, o.version ?? 'latest');
  for (const r of records) validate(r);
  const inner = memoryRegistry();
  // memoryRegistry stores before its first await: the list is in place when this returns.
  for (const r of records) void inner.register(r);
  return {
    name: 'static',
    register: (s, ro) => inner.register(s, ro),
    deregister: (s) => inner.deregister(s),
    getService: (name) => inner.getService(name),
    listServices: () => inner.listServices(),
    watch: (wo) => inner.watch(wo),
    close: () => inner.close(),
  };
}
