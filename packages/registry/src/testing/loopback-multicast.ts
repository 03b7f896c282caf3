import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';

/** True when a datagram sent to 224.0.0.251 from 127.0.0.1 comes back to a member on loopback. */
export function probeLoopbackMulticast(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    const token = Buffer.from(`tsmicro-probe-${process.pid}-${Math.random()}`);
    const done = (ok: boolean) => {
      clearTimeout(t);
      s.close(() => resolve(ok));
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.on('error', () => done(false));
    s.on('message', (m) => {
      if (m.equals(token)) done(true);
    });
    s.bind(port, '0.0.0.0', () => {
      try {
        s.addMembership('224.0.0.251', '127.0.0.1');
        s.setMulticastInterface('127.0.0.1');
        s.setMulticastLoopback(true);
        s.send(token, port, '224.0.0.251');
      } catch {
        done(false);
      }
    });
  });
}

/**
 * Makes multicast over loopback work for tests. Linux delivers it on `lo` when the sender pins
 * IP_MULTICAST_IF to 127.0.0.1, but some kernels/containers refuse while `lo` lacks the MULTICAST
 * flag; then (as root) this sets it, which is idempotent and touches no other interface.
 * Returns a reason when loopback multicast still doesn't work.
 */
export async function ensureLoopbackMulticast(port: number): Promise<string | undefined> {
  if (await probeLoopbackMulticast(port)) return undefined;
  if (process.platform === 'linux' && process.getuid?.() === 0) {
    try {
      execFileSync('ip', ['link', 'set', 'lo', 'multicast', 'on'], { stdio: 'ignore' });
    } catch {}
    if (await probeLoopbackMulticast(port)) return undefined;
  }
  return 'multicast on loopback does not work here: as root run `ip link set lo multicast on`';
}
