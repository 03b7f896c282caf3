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
