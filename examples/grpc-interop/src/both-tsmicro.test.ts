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
});
