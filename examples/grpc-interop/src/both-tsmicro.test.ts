import { createClient } from '@tsmicro/client';
import { type MicroError, notFound, silentLogger } from '@tsmicro/core';
import { createServer, serverStream } from '@tsmicro/server';
import { grpcTransport } from '@tsmicro/transport/grpc';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('tsmicro client ↔ tsmicro server over gRPC (application/grpc+json)', () => {
  it('keeps the MicroError whole (id, code, detail), the deadline and the metadata', async () => {
    const name = `both-${Math.random().toString(36).slice(2, 8)}`;
    let deadline: number | undefined;
    const server = createServer({ name, transport: grpcTransport() });
    server.handle('G', {
      async hi(req: { n: number }, ctx: { metadata: Record<string, string>; deadline?: number }) {
        deadline = ctx.deadline;
        if (req.n < 0) throw notFound(`no ${req.n}`);
        return { n: req.n + 1, who: ctx.metadata['x-who'] };
      },
      ticks: serverStream(async function* (req: { n: number }) {
        for (let i = 0; i < req.n; i++) yield i;
      }),
    });
    await server.start();
    const client = createClient({ transport: grpcTransport(), logger: silentLogger() });
    cleanups.push(
      () => server.stop(),
      () => client.close(),
    );
    const at = { address: server.address };
    const before = Date.now();
    expect(await client.call(name, 'G.hi', { n: 1 }, { ...at, timeout: 3000, metadata: { 'x-who': 'me' } })).toEqual({ n: 2, who: 'me' });
    expect(deadline).toBeGreaterThan(before + 2000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 3000);
    const e = (await client.call(name, 'G.hi', { n: -1 }, at).catch((x: MicroError) => x)) as MicroError;
    expect({ id: e.id, code: e.code, detail: e.detail }).toEqual({ id: name, code: 404, detail: 'no -1' });
    const s = await client.stream<unknown, number>(name, 'G.ticks', at);
    await s.send({ n: 100 });
    await s.closeSend();
    let count = 0;
    for await (const _ of s) count++;
    expect(count).toBe(100);
  });

  it('flow control: a server stream waits for a slow reader instead of buffering without bound', async () => {
    const name = `flow-${Math.random().toString(36).slice(2, 8)}`;
    let produced = 0;
    const server = createServer({ name, transport: grpcTransport({ window: 64 * 1024 }) });
    server.handle('F', {
      many: serverStream(async function* () {
        for (let i = 0; i < 5000; i++) {
          produced++;
          yield 'x'.repeat(10_000);
        }
      }),
    });
    await server.start();
    const client = createClient({ transport: grpcTransport({ window: 64 * 1024 }), logger: silentLogger() });
    cleanups.push(
      () => server.stop(),
      () => client.close(),
    );
    const s = await client.stream<unknown, string>(name, 'F.many', { address: server.address, timeout: 20_000 });
    await s.send({});
    await s.closeSend();
    const it = s[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 500));
    // 5000 messages of 10 kB are 50 MB; held back by HTTP/2 windows, credit and socket buffers, far fewer are made.
    expect(produced).toBeLessThan(500);
    let rest = 0;
    for (let r = await it.next(); !r.done; r = await it.next()) rest++;
    expect(rest).toBe(4999);
  });

  it('a response over the client’s maxMessageSize fails the call with 413, the connection stays usable', async () => {
    const name = `big-${Math.random().toString(36).slice(2, 8)}`;
    const server = createServer({ name, transport: grpcTransport() });
    server.handle('B', {
      async big(req: { n: number }) {
        return 'y'.repeat(req.n);
      },
    });
    await server.start();
    const client = createClient({ transport: grpcTransport({ maxMessageSize: 1000 }), logger: silentLogger() });
    cleanups.push(
      () => server.stop(),
      () => client.close(),
    );
    const at = { address: server.address, retries: 0 };
    const e = (await client.call(name, 'B.big', { n: 5000 }, at).catch((x: MicroError) => x)) as MicroError;
    expect(e.code).toBe(413);
    expect(await client.call(name, 'B.big', { n: 10 }, at)).toBe('y'.repeat(10));
  });
});
