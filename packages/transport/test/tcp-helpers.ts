import { connect, createServer, type Socket as NetSocket } from 'node:net';
import { formatAddress, parseAddress } from '../src/tcp/address.js';

export { type LogLine, recordingLogger } from '@tsmicro/core/testing';

/** A plain socket to a transport address, connected; for speaking bad protocol at a listener. */
export async function rawConnect(address: string): Promise<NetSocket> {
  const a = parseAddress(address);
  const s = a.kind === 'unix' ? connect({ path: a.path }) : connect({ host: a.host, port: a.port });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  return s;
}

/** Resolves when the raw socket is closed by the other side; collects what it received. */
export function closedBy(s: NetSocket): Promise<Buffer> {
  const got: Buffer[] = [];
  s.on('data', (c: Buffer) => got.push(c));
  s.on('error', () => undefined);
  return new Promise((resolve) => s.once('close', () => resolve(Buffer.concat(got))));
}

/** A server on `address` that accepts connections and never says a word: dials to it cannot finish. */
export async function silentServer(address: string): Promise<{ address: string; close(): Promise<void> }> {
  const a = parseAddress(address);
  const conns = new Set<NetSocket>();
  const server = createServer((c) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
  });
  await new Promise<void>((r) => (a.kind === 'unix' ? server.listen(a.path, r) : server.listen(a.port, a.host, r)));
  const bound = server.address();
  return {
    address: a.kind === 'unix' ? address : typeof bound === 'object' && bound ? formatAddress(bound.address, bound.port) : address,
    close: () =>
      new Promise<void>((r) => {
        for (const c of conns) c.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * A TCP relay to `target` that forwards the client-to-server direction at `bytesPerSecond` (in 10 ms
 * slices) and the other direction at full speed: a slow uplink. It stops reading from the client while
 * it holds more than a few slices, so the client's writes back up as they would on a slow link.
 */
export async function throttledRelay(target: string, bytesPerSecond: number): Promise<{ address: string; close(): Promise<void> }> {
  const to = parseAddress(target);
  if (to.kind !== 'tcp') throw new Error('throttledRelay needs a tcp address');
  const slice = Math.max(1, Math.round(bytesPerSecond / 100));
  const conns = new Set<NetSocket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((down) => {
    const up = connect({ host: to.host, port: to.port });
    for (const s of [down, up]) {
      conns.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        conns.delete(s);
        down.destroy();
        up.destroy();
      });
    }
    let held: Buffer[] = [];
    let heldBytes = 0;
    down.on('data', (d: Buffer) => {
      held.push(d);
      heldBytes += d.length;
      if (heldBytes > 4 * slice) down.pause();
    });
    const tick = setInterval(() => {
      if (heldBytes === 0) return;
      const all = Buffer.concat(held);
      up.write(all.subarray(0, slice));
      held = all.length > slice ? [all.subarray(slice)] : [];
      heldBytes = Math.max(0, all.length - slice);
      if (heldBytes <= 2 * slice) down.resume();
    }, 10);
    timers.add(tick);
    up.on('close', () => {
      clearInterval(tick);
      timers.delete(tick);
    });
    up.on('data', (d: Buffer) => down.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: formatAddress('127.0.0.1', (server.address() as { port: number }).port),
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        for (const c of conns) c.destroy();
        server.close(() => r());
      }),
  };
}
