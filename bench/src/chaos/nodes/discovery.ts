import type { Registry } from '@tsmicro/registry';
import type { DiscoverySpec } from './protocol.js';

/** The registry a chaos process uses; etcd is imported only when asked for, so mDNS runs need no etcd3. */
export async function openRegistry(d: DiscoverySpec): Promise<Registry> {
  if (d.kind === 'mdns') {
    const { mdnsRegistry } = await import('@tsmicro/registry/mdns');
    // Pinned to loopback on a private port: nothing leaves the host, and runs do not hear each other.
    return mdnsRegistry({ interface: '127.0.0.1', port: d.port, discoveryTimeout: 300 });
  }
  const { etcdRegistry } = await import('@tsmicro/registry/etcd');
  return etcdRegistry({ hosts: 'http://127.0.0.1:2379', prefix: d.prefix, timeout: 2000, retryDelay: 500 });
}

/** Sends one IPC message and resolves once it is handed to the OS (or at once without a channel). */
export function tell(m: object): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(m, () => resolve());
  });
}
