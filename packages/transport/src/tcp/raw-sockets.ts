import type { Socket as NetSocket } from 'node:net';

/**
 * Forgets the raw connection `sock` stands for, once something owns it: `sock` itself, or, for a TLS
 * socket (`tls`), the raw socket it wraps, which shares its peer address and port.
 */
export function forgetRaw(raw: Set<NetSocket>, sock: NetSocket, tls: boolean): void {
  if (raw.delete(sock) || !tls) return;
  for (const r of raw) {
    if (r.remotePort === sock.remotePort && r.remoteAddress === sock.remoteAddress) {
      raw.delete(r);
      return;
    }
  }
}
