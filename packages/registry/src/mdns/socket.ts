import { loadOptional, serviceUnavailable } from '@tsmicro/core';
import type { MulticastDNS, Options } from 'multicast-dns';

/** Where the mDNS socket listens and sends. */
export interface SocketOptions {
  port: number;
  /** IPv4 address of the interface to join the group on and send from; `undefined` for all interfaces. */
  interface: string | undefined;
}

/**
 * Opens a multicast-dns socket (imported on demand: it is an optional peer dependency) and resolves
 * once it is bound. Binds the wildcard address with SO_REUSEADDR so several registries, in one process
 * or many, share the port; a socket bound to a unicast address would not receive multicast on Linux.
 */
export async function openMdns(o: SocketOptions): Promise<MulticastDNS> {
  const make: (o: Options) => MulticastDNS = (await loadOptional('multicast-dns', 'mdnsRegistry', () => import('multicast-dns'))).default;
  const m = make({
    port: o.port,
    reuseAddr: true,
    loopback: true,
    ...(o.interface === undefined ? {} : { interface: o.interface, bind: '0.0.0.0' }),
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      m.destroy();
      reject(
        serviceUnavailable(`mdns: cannot listen on port ${o.port}${o.interface ? ` (interface ${o.interface})` : ''}: ${err.message}`, {
          cause: err,
        }),
      );
    };
    m.once('error', onError);
    m.once('ready', () => {
      m.off('error', onError);
      resolve();
    });
  });
  return m;
}

/** Sends a response and resolves when the datagram left (or failed: UDP errors are reported, not thrown). */
export function respond(m: MulticastDNS, answers: Parameters<MulticastDNS['respond']>[0]): Promise<Error | null> {
  return new Promise((resolve) => m.respond(answers, (err) => resolve(err ?? null)));
}
