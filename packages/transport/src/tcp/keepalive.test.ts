import { connect, createServer, type Socket as NetSocket, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { msg, text } from '../testing/index.js';
import type { Socket } from '../transport.js';
import { tcpTransport } from './index.js';

/** A TCP relay to `port` that can be told to black-hole: keep both connections open but forward nothing. */
async function relay(port: number): Promise<{ address: string; blackhole(): void; close(): Promise<void> }> {
  let dropping = false;
  const conns = new Set<NetSocket>();
  const server: Server = createServer((down) => {
    const up = connect({ host: '127.0.0.1', port });
    for (const s of [down, up]) {
      conns.add(s);
      s.on('error', () => undefined);
      s.on('close', () => conns.delete(s));
    }
    down.on('data', (d: Buffer) => dropping || up.write(d));
    up.on('data', (d: Buffer) => dropping || down.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    blackhole: () => {
      dropping = true;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const c of conns) c.destroy();
        server.close(() => r());
      }),
  };
}

describe('tcp transport: keepalive', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(o: { keepaliveInterval: number; keepaliveTimeout: number }) {
    const t = tcpTransport(o);
    const l = await t.listen('127.0.0.1:0');
    cleanups.push(() => l.close());
    const accepted = new Promise<Socket>((r) => l.accept(r));
    const port = Number(l.address.split(':').pop());
    const r = await relay(port);
    cleanups.push(() => r.close());
    const c = await t.dial(r.address);
    cleanups.push(() => c.close());
    return { c, s: await accepted, r };
  }

  it('detects a silently dead peer within interval + timeout on both sides', async () => {
    const { c, s, r } = await setup({ keepaliveInterval: 150, keepaliveTimeout: 150 });
    await c.send(msg(1));
    await s.recv();
    r.blackhole();
    const started = Date.now();
    const [ce, se] = await Promise.all([c.closed, s.closed]);
    const took = Date.now() - started;
    expect(ce?.message).toContain('did not answer a keepalive ping within 150 ms');
    expect(se?.message).toContain('keepalive');
    expect(took).toBeLessThan(150 + 150 + 500);
    const reading = c.recv().catch((e: unknown) => e);
    expect(String(await reading)).toContain('keepalive');
  });

  it('keeps a healthy idle connection open (pings are answered, never surfaced)', async () => {
    const { c, s } = await setup({ keepaliveInterval: 40, keepaliveTimeout: 60 });
    let surfaced = 0;
    void (async () => {
      for await (const m of s) {
        surfaced++;
        await s.send(m);
      }
    })();
    // Idle for many keepalive rounds: there is no event for "nothing went wrong", so wait a bounded time.
    await new Promise((res) => setTimeout(res, 500));
    await c.send(msg(7, 'after idle'));
    expect(text(await c.recv())).toBe('after idle');
    expect(surfaced).toBe(1);
  });
});
