import type { Registry } from '@tsmicro/registry';

/**
 * How to open a registry, as plain data: the watcher (this process) and the registrant (a child
 * process) each open their own instance from the same spec.
 */
export type RegistrySpec =
  | { kind: 'mdns'; port: number }
  | { kind: 'etcd'; hosts: string; prefix: string }
  | { kind: 'consul'; address: string };

/** Opens a registry from its spec; each implementation is loaded only when asked for. */
export async function openRegistry(spec: RegistrySpec): Promise<Registry> {
  switch (spec.kind) {
    case 'mdns': {
      const { mdnsRegistry } = await import('@tsmicro/registry/mdns');
      // pinned to loopback on a private port: nothing leaves the host and real mDNS traffic stays out
      return mdnsRegistry({ interface: '127.0.0.1', port: spec.port, discoveryTimeout: 50 });
    }
    case 'etcd': {
      const { etcdRegistry } = await import('@tsmicro/registry/etcd');
      return etcdRegistry({ hosts: spec.hosts, prefix: spec.prefix, timeout: 3000 });
    }
    case 'consul': {
      const { consulRegistry } = await import('@tsmicro/registry/consul');
      return consulRegistry({ address: spec.address, watchWait: 5000, timeout: 3000 });
    }
  }
}
