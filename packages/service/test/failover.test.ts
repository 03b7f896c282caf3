import { MicroError } from '@tsmicro/core';
import type { ServiceRecord } from '@tsmicro/registry';
import type { Listener, Socket, Transport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { pair, transports } from './fixtures.js';

/** A real listener that takes the first request frame, then drops the connection: a node dying mid-call. */
async function dyingNode(t: Transport): Promise<{ listener: Listener; requests: () => number }> {
  const listener = await t.listen(t.name === 'memory' ? '' : '127.0.0.1:0');
  let n = 0;
  listener.accept((s: Socket) => {
    void (async () => {
      for await (const _ of s) {
        n++;
        await s.close();
      }
    })();
  });
  return { listener, requests: () => n };
}

const record = (address: string): ServiceRecord => ({
  name: 'greeter',
  version: 'latest',
  metadata: {},
  endpoints: [],
  nodes: [{ id: `dead-${address}`, address, metadata: {} }],
});

describe.each(transports)('failover over $name', ({ make }) => {
  it('a connection that dies fails its in-flight call at once with a 502: the outcome is unknown', async () => {
    const p = await pair({ transport: make() });
    const dead = await dyingNode(p.transport);
    try {
      const t0 = Date.now();
      const e = await p.client
        .call('greeter', 'Greeter.hello', { name: 'x' }, { address: dead.listener.address, retries: 0, timeout: 5000 })
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(502);
      expect((e as MicroError).detail).toMatch(/lost after the request was sent; the handler may have run/);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(dead.requests()).toBe(1);
    } finally {
      await dead.listener.close();
      await p.close();
    }
  });

  it('retries on a different node when one node is dead or dies', async () => {
    const p = await pair({ transport: make(), client: { retries: 1 } });
    const dead = await dyingNode(p.transport);
    const unreachable = p.transport.name === 'memory' ? 'memory:nobody-here' : '127.0.0.1:1';
    await p.registry.register(record(dead.listener.address));
    try {
      // The dying node read the request: only an idempotent call may be repeated elsewhere.
      for (let i = 0; i < 8; i++) {
        expect(await p.client.call('greeter', 'Greeter.hello', { name: `r${i}` }, { idempotent: true })).toMatchObject({
          msg: `hello r${i}`,
        });
      }
      expect(dead.requests()).toBeGreaterThan(0);
      await p.registry.deregister(record(dead.listener.address));
      await p.registry.register(record(unreachable));
      for (let i = 0; i < 8; i++) {
        expect(await p.client.call('greeter', 'Greeter.hello', { name: `u${i}` })).toMatchObject({ msg: `hello u${i}` });
      }
    } finally {
      await dead.listener.close();
      await p.close();
    }
  });

  it('does not retry a handler error', async () => {
    let calls = 0;
    const p = await pair({
      transport: make(),
      client: { retries: 3 },
      handlers: {
        E: {
          async once() {
            calls++;
            throw new Error('nope');
          },
        },
      },
    });
    try {
      const e = await p.client.call('greeter', 'E.once', {}).catch((x: unknown) => x);
      expect((e as MicroError).code).toBe(500);
      expect(calls).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('drops an idle connection whose peer stops answering pings', async () => {
    const p = await pair({ transport: make(), client: { pingInterval: 40, timeout: 100 } });
    const listener = await p.transport.listen(p.transport.name === 'memory' ? '' : '127.0.0.1:0');
    let peer: Socket | undefined;
    // Reads everything, answers nothing: alive at the socket level, dead at the RPC level.
    listener.accept((s) => {
      peer = s;
      void (async () => {
        for await (const _ of s);
      })();
    });
    try {
      const e = await p.client.call('greeter', 'Greeter.hello', {}, { address: listener.address, retries: 0 }).catch((x: unknown) => x);
      expect((e as MicroError).code).toBe(408);
      const closedBy = await peer!.closed;
      expect(closedBy === undefined || closedBy instanceof Error).toBe(true);
    } finally {
      await listener.close();
      await p.close();
    }
  });
});
