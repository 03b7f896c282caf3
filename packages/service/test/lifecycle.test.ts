import { type Context, MicroError } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { pair, until } from './fixtures.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

describe('server lifecycle', () => {
  it('stop deregisters first, then lets in-flight calls finish', async () => {
    const g = gate();
    let entered = 0;
    const p = await pair({
      handlers: {
        G: {
          async wait(req: number) {
            entered++;
            await g.opened;
            return req * 2;
          },
        },
      },
    });
    try {
      const calls = Array.from({ length: 20 }, (_, i) => p.client.call('greeter', 'G.wait', i));
      await until(() => entered === 20);
      const stopping = p.server.stop();
      await until(async () => (await p.registry.getService('greeter')).length === 0);
      // Deregistered while every call is still running.
      expect(entered).toBe(20);
      g.open();
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
      await stopping;
      await p.server.start();
      expect(await p.client.call('greeter', 'G.wait', 21)).toBe(42);
      expect((await p.registry.getService('greeter'))[0]?.nodes[0]?.address).toBe(p.server.address);
    } finally {
      g.open();
      await p.close();
    }
  });

  it('aborts calls still running when the grace period ends', async () => {
    let reason: unknown;
    let entered = false;
    const p = await pair({
      server: { gracePeriod: 100 },
      handlers: {
        G: {
          forever(_req: unknown, ctx: Context) {
            entered = true;
            return new Promise((_, reject) =>
              ctx.signal.addEventListener('abort', () => {
                reason = ctx.signal.reason;
                reject(ctx.signal.reason);
              }),
            );
          },
        },
      },
    });
    try {
      const call = p.client.call('greeter', 'G.forever', {}, { retries: 0 }).catch((e: unknown) => e);
      await until(() => entered);
      const t0 = Date.now();
      await p.server.stop();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
      const e = (await call) as MicroError;
      expect(e).toBeInstanceOf(MicroError);
      // The handler ran: the caller learns its outcome is unknown (502), not a retryable 503.
      expect(e.code).toBe(502);
      expect(e.detail).toMatch(/grace period of 100 ms; the handler may have run/);
      expect((reason as MicroError).code).toBe(502);
      await p.server.start();
    } finally {
      await p.close();
    }
  });

  it('heartbeat registers the node again after it vanished', async () => {
    const p = await pair({ server: { registerTtl: 1000, registerInterval: 30 } });
    try {
      const [rec] = await p.registry.getService('greeter');
      expect(rec?.endpoints.find((e) => e.name === 'Greeter.count')?.metadata.kind).toBe('server-stream');
      await p.registry.deregister(rec!);
      expect(await p.registry.getService('greeter')).toEqual([]);
      await until(async () => (await p.registry.getService('greeter')).length === 1);
    } finally {
      await p.close();
    }
  });

  it('refuses calls beyond maxStreamsPerConnection with a 429', async () => {
    const g = gate();
    const p = await pair({
      server: { maxStreamsPerConnection: 2 },
      client: { poolSize: 1 },
      handlers: { G: { wait: () => g.opened.then(() => 'ok') } },
    });
    try {
      const calls = [1, 2, 3].map(() => p.client.call('greeter', 'G.wait', {}, { retries: 0 }).catch((e: unknown) => e));
      const third = (await calls[2]) as MicroError;
      expect(third.code).toBe(429);
      g.open();
      expect(await Promise.all(calls.slice(0, 2))).toEqual(['ok', 'ok']);
    } finally {
      g.open();
      await p.close();
    }
  });
});
