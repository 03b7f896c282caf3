import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer as createNetServer, type Socket as NetSocket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { MuxCompression } from '@tsmicro/transport/rpc';

/** What the compression tests share: a payload, a server process, a relay that counts bytes. */

/** 500 records of about 130 bytes of JSON each: about 64 KiB, the realistic payload. */
export const records = Array.from({ length: 500 }, (_, i) => ({
  id: i,
  name: `customer-${i}`,
  email: `customer${i}@example.com`,
  city: ['Berlin', 'Lisbon', 'Osaka', 'Lima'][i % 4],
  balance: Math.round(i * 37.5),
  active: i % 3 !== 0,
}));

/** A tsmicro server in its own process (on the `node` binary given), with the given compression options; resolves with its address. */
export async function serverProcess(
  compression: MuxCompression,
  node: string = process.execPath,
): Promise<{ address: string; child: ChildProcess }> {
  const code = `
    const { createServer, serverStream, clientStream, bidiStream } = await import('@tsmicro/server');
    const { tcpTransport } = await import('@tsmicro/transport');
    export const records = ${JSON.stringify(records)};
    const server = createServer({ name: 'z', address: '127.0.0.1:0', transport: tcpTransport(), compression: ${JSON.stringify(compression)} });
    server.handle('Z', {
      records: () => records,
      size: (req) => JSON.stringify(req).length,
      many: serverStream(async function* () { for (let i = 0; i < 3; i++) yield records; }),
      count: clientStream(async (reqs) => { let n = 0; for await (const r of reqs) n += r.length; return n; }),
      echo: bidiStream(async function* (reqs) { for await (const r of reqs) yield r; }),
    });
    await server.start();
    console.log(JSON.stringify({ address: server.address }));
  `;
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(node, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { address: string }).address));
    child.once('exit', (c) => reject(new Error(`server process exited with ${c}`)));
  });
  return { address, child };
}

/** A TCP relay to `target` counting the bytes each way: what went over the wire. */
export async function countingRelay(
  target: string,
): Promise<{ address: string; up: () => number; down: () => number; close(): Promise<void> }> {
  const i = target.lastIndexOf(':');
  let up = 0;
  let down = 0;
  const conns = new Set<NetSocket>();
  const server = createNetServer((d) => {
    const u = connect({ host: target.slice(0, i), port: Number(target.slice(i + 1)) });
    for (const s of [d, u]) {
      conns.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        d.destroy();
        u.destroy();
      });
    }
    d.on('data', (b: Buffer) => {
      up += b.length;
      u.write(b);
    });
    u.on('data', (b: Buffer) => {
      down += b.length;
      d.write(b);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    up: () => up,
    down: () => down,
    close: () =>
      new Promise<void>((r) => {
        for (const c of conns) c.destroy();
        server.close(() => r());
      }),
  };
}
