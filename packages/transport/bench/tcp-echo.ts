/**
 * Small-message echo at concurrency 64 over one connection: tcpTransport vs a raw node:net
 * length-prefixed JSON echo (the baseline the RPC layer is measured against).
 * Run: node --conditions=source --import tsx packages/transport/bench/tcp-echo.ts [messages]
 */
import { createConnection, createServer, type Socket as NetSocket } from 'node:net';
import { tcpTransport } from '../src/tcp/index.js';
import type { Message } from '../src/transport.js';

const TOTAL = Number(process.argv[2] ?? 200_000);
const CONCURRENCY = 64;
const body = Buffer.from(JSON.stringify({ name: 'world', n: 42 }));

/** Splits a stream of u32-length-prefixed frames. */
function frames(sock: NetSocket, on: (f: Buffer) => void): void {
  let acc: Buffer = Buffer.alloc(0);
  sock.on('data', (chunk: Buffer) => {
    acc = acc.length ? Buffer.concat([acc, chunk]) : chunk;
    let off = 0;
    while (acc.length - off >= 4) {
      const len = acc.readUInt32BE(off);
      if (acc.length - off - 4 < len) break;
      on(acc.subarray(off + 4, off + 4 + len));
      off += 4 + len;
    }
    acc = acc.subarray(off);
  });
}

function frame(obj: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(obj));
  const out = Buffer.allocUnsafe(4 + json.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, 4);
  return out;
}

async function raw(): Promise<number> {
  const server = createServer((s) => frames(s, (f) => s.write(frame(JSON.parse(f.toString())))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const c = createConnection({ port, host: '127.0.0.1' });
  c.setNoDelay(true);
  await new Promise((r) => c.once('connect', r));
  const waiting = new Map<number, () => void>();
  frames(c, (f) => {
    const m = JSON.parse(f.toString()) as { id: number };
    waiting.get(m.id)?.();
    waiting.delete(m.id);
  });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TOTAL) {
        const id = next++;
        const done = new Promise<void>((r) => waiting.set(id, r));
        c.write(
          frame({ id, service: 'greeter', endpoint: 'Greeter.Hello', contentType: 'application/json', body: { name: 'world', n: 42 } }),
        );
        await done;
      }
    }),
  );
  const rate = TOTAL / ((performance.now() - t0) / 1000);
  c.destroy();
  server.close();
  return rate;
}

async function tsmicro(): Promise<number> {
  const t = tcpTransport();
  const l = await t.listen('127.0.0.1:0');
  l.accept((s) => {
    void (async () => {
      for await (const m of s) void s.send({ header: m.header, body: m.body }).catch(() => undefined);
    })();
  });
  const c = await t.dial(l.address);
  const waiting = new Map<string, (m: Message) => void>();
  void (async () => {
    for await (const m of c) {
      const id = m.header['Micro-Id'] ?? '';
      waiting.get(id)?.(m);
      waiting.delete(id);
    }
  })();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TOTAL) {
        const id = String(next++);
        const done = new Promise<Message>((r) => waiting.set(id, r));
        await c.send({
          header: {
            'Micro-Id': id,
            'Micro-Frame': 'request',
            'Micro-Service': 'greeter',
            'Micro-Endpoint': 'Greeter.Hello',
            'Content-Type': 'application/json',
          },
          body,
        });
        await done;
      }
    }),
  );
  const rate = TOTAL / ((performance.now() - t0) / 1000);
  await c.close();
  await l.close();
  return rate;
}

const r = await raw();
const m = await tsmicro();
const r2 = await raw();
const m2 = await tsmicro();
const base = Math.max(r, r2);
const ours = Math.max(m, m2);
process.stdout.write(
  `raw node:net JSON echo: ${base.toFixed(0)} msg/s\ntcpTransport echo:      ${ours.toFixed(0)} msg/s (${(ours / base).toFixed(2)}x)\n`,
);
