import { createClient } from '@tsmicro/client';
import { type Context, MicroError } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { createServer } from '@tsmicro/server';
import { memoryTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { pair } from './fixtures.js';

/** A handler that waits until its signal aborts and reports why. */
function waiter() {
  let resolveAborted!: (reason: unknown) => void;
  const aborted = new Promise<unknown>((r) => {
    resolveAborted = r;
  });
  let started!: () => void;
  const running = new Promise<void>((r) => {
    started = r;
  });
  const handler = {
    wait(_req: unknown, ctx: Context) {
      started();
      return new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => {
          resolveAborted(ctx.signal.reason);
          reject(ctx.signal.reason);
        });
      });
    },
  };
  return { handler, aborted, running };
}

describe('deadlines and cancellation', () => {
  it('gives the caller a timeout on time and aborts the handler', async () => {
    const w = waiter();
    const p = await pair({ handlers: { W: w.handler } });
    try {
      const t0 = Date.now();
      const e = await p.client.call('greeter', 'W.wait', {}, { timeout: 150 }).catch((x: unknown) => x);
      const took = Date.now() - t0;
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(408);
      expect(took).toBeGreaterThanOrEqual(140);
      expect(took).toBeLessThan(1000);
      const reason = await w.aborted;
      expect(reason).toBeInstanceOf(MicroError);
      expect([408, 499]).toContain((reason as MicroError).code);
    } finally {
      await p.close();
    }
  });

  it('client cancel (signal) aborts the handler', async () => {
    const w = waiter();
    const p = await pair({ handlers: { W: w.handler } });
    try {
      const ac = new AbortController();
      const call = p.client.call('greeter', 'W.wait', {}, { signal: ac.signal, timeout: 10_000 }).catch((x: unknown) => x);
      await w.running;
      ac.abort();
      const e = await call;
      expect((e as MicroError).code).toBe(499);
      expect(((await w.aborted) as MicroError).code).toBe(499);
    } finally {
      await p.close();
    }
  });

  it('closing a stream aborts the handler', async () => {
    const { bidiStream } = await import('@tsmicro/server');
    let aborted!: (r: unknown) => void;
    const gotAbort = new Promise<unknown>((r) => {
      aborted = r;
    });
    const p = await pair({
      handlers: {
        B: {
          hang: bidiStream(async function* (_reqs: AsyncIterable<unknown>, ctx: Context) {
            yield 'ready';
            await new Promise((r) => ctx.signal.addEventListener('abort', r));
            aborted(ctx.signal.reason);
          }),
        },
      },
    });
    try {
      const s = await p.client.stream<unknown, string>('greeter', 'B.hang');
      const it = s[Symbol.asyncIterator]();
      expect((await it.next()).value).toBe('ready');
      await s.close();
      expect(((await gotAbort) as MicroError).code).toBe(499);
    } finally {
      await p.close();
    }
  });

  it('propagates metadata and the remaining deadline through ctx (A calls B)', async () => {
    const transport = memoryTransport();
    const registry = memoryRegistry();
    const seen: Array<{ md: Record<string, string>; remaining: number | undefined }> = [];
    const b = createServer({ name: 'b', transport, registry });
    b.handle('B', {
      async look(_req: unknown, ctx: Context) {
        seen.push({ md: { ...ctx.metadata }, remaining: ctx.deadline === undefined ? undefined : ctx.deadline - Date.now() });
        return 'ok';
      },
    });
    await b.start();
    const aClient = createClient({ transport, registry });
    const a = createServer({ name: 'a', transport, registry });
    a.handle('A', {
      async relay(_req: unknown, ctx: Context) {
        await new Promise((r) => setTimeout(r, 50));
        return aClient.call('b', 'B.look', {}, { ctx, metadata: { hop: 'a' } });
      },
    });
    await a.start();
    const client = createClient({ transport, registry });
    try {
      expect(await client.call('a', 'A.relay', {}, { timeout: 1000, metadata: { trace: 't-1' } })).toBe('ok');
      expect(seen[0]?.md).toEqual({ trace: 't-1', hop: 'a' });
      const rem = seen[0]?.remaining ?? Number.NaN;
      expect(rem).toBeLessThanOrEqual(960);
      expect(rem).toBeGreaterThan(500);
    } finally {
      await client.close();
      await aClient.close();
      await a.stop();
      await b.stop();
      await registry.close();
    }
  });
});
