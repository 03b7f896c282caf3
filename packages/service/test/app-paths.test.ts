import type { Broker } from '@tsmicro/broker';
import { memoryBroker } from '@tsmicro/broker';
import { createClient } from '@tsmicro/client';
import type { Context } from '@tsmicro/core';
import { memoryRegistry, type Registry } from '@tsmicro/registry';
import { waitFor } from '@tsmicro/registry/testing';
import { createServer } from '@tsmicro/server';
import { memoryTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';

/** A registry that counts backend lookups. */
function counting(inner: Registry): Registry & { lookups: number } {
  const r = {
    lookups: 0,
    name: 'counting',
    register: inner.register.bind(inner),
    deregister: inner.deregister.bind(inner),
    listServices: () => inner.listServices(),
    watch: (o?: Parameters<Registry['watch']>[0]) => inner.watch(o),
    close: () => inner.close(),
    getService(name: string) {
      r.lookups++;
      return inner.getService(name);
    },
  };
  return r;
}

describe('the paths apps take', () => {
  it('calls by name ask the registry once, then pick from the watch-fed cache, balancing and resolving as before', async () => {
    const transport = memoryTransport();
    const registry = counting(memoryRegistry());
    const servers = await Promise.all(
      ['a', 'b'].map(async (id) => {
        const s = createServer({ name: 'greeter', transport, registry });
        s.handle('Greeter', { hello: (req: { name: string }) => ({ msg: `hello ${req.name}`, from: id }) });
        await s.start();
        return s;
      }),
    );
    const client = createClient({ transport, registry });
    try {
      const from = new Set<string>();
      // Concurrent first calls share one lookup; the rest never wait for the registry.
      const first = await Promise.all(
        Array.from({ length: 8 }, (_, i) => client.call<{ from: string }>('greeter', 'Greeter.hello', { name: `${i}` })),
      );
      for (const r of first) from.add(r.from);
      for (let i = 0; i < 50; i++) from.add((await client.call<{ from: string }>('greeter', 'Greeter.hello', { name: `${i}` })).from);
      expect(from).toEqual(new Set(['a', 'b']));
      expect(registry.lookups).toBe(1);
      // A node that leaves is seen through the watch, still without a lookup.
      await servers[1]?.stop();
      await waitFor(
        async () => {
          const r = await client.call<{ from: string }>('greeter', 'Greeter.hello', { name: 'x' });
          return r.from === 'a';
        },
        { timeout: 3000, what: 'calls to go to the remaining node' },
      );
      for (let i = 0; i < 10; i++) expect((await client.call<{ from: string }>('greeter', 'Greeter.hello', { name: 'y' })).from).toBe('a');
      expect(registry.lookups).toBe(1);
    } finally {
      await client.close();
      await Promise.all(servers.map((s) => s.stop()));
      await registry.close();
    }
  });

  it('client.publish shares one frozen header per content type when there is no metadata, and builds one when there is', async () => {
    const inner = memoryBroker();
    const headers: Array<Record<string, string>> = [];
    const broker: Broker = {
      name: inner.name,
      get address() {
        return inner.address;
      },
      connect: () => inner.connect(),
      disconnect: () => inner.disconnect(),
      flush: () => inner.flush(),
      subscribe: (t, h, o) => inner.subscribe(t, h, o),
      publish(topic, m, o) {
        headers.push(m.header);
        return inner.publish(topic, m, o);
      },
    };
    await broker.connect();
    const client = createClient({ broker });
    try {
      await client.publish('orders.created', { id: 1 });
      await client.publish('orders.created', { id: 2 });
      await client.publish('orders.created', { id: 3 }, { metadata: { tenant: 'x' } });
      expect(headers[0]).toBe(headers[1]);
      expect(Object.isFrozen(headers[0])).toBe(true);
      expect(headers[0]).toEqual({ 'Content-Type': 'application/json' });
      expect(headers[2]).toEqual({ 'Content-Type': 'application/json', tenant: 'x' });
    } finally {
      await client.close();
      await broker.disconnect();
    }
  });

  it('server.subscribe: plain and async handlers both get every message in order, ctx.signal aborts on stop, a throw is logged and nacked', async () => {
    const broker = memoryBroker();
    const server = createServer({ name: 'orders', broker });
    const got: number[] = [];
    let ctxOf: Context | undefined;
    server.subscribe('orders.plain', (m: unknown, ctx) => {
      ctxOf = ctx;
      got.push((m as { i: number }).i);
    });
    const slow: number[] = [];
    server.subscribe('orders.async', async (m: unknown) => {
      await new Promise((r) => setTimeout(r, 1));
      slow.push((m as { i: number }).i);
    });
    let failures = 0;
    server.subscribe('orders.bad', () => {
      failures++;
      throw new Error('boom');
    });
    await server.start();
    const client = createClient({ broker });
    try {
      for (let i = 0; i < 20; i++) await client.publish('orders.plain', { i });
      for (let i = 0; i < 5; i++) await client.publish('orders.async', { i });
      await client.publish('orders.bad', {});
      await waitFor(() => got.length === 20 && slow.length === 5 && failures === 1, { timeout: 3000, what: 'deliveries' });
      expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(slow).toEqual([0, 1, 2, 3, 4]);
      expect(ctxOf?.endpoint).toBe('orders.plain');
      expect(ctxOf?.signal.aborted).toBe(false);
      await server.stop();
      expect(ctxOf?.signal.aborted).toBe(true);
    } finally {
      await client.close();
      await server.stop();
      await broker.disconnect();
    }
  });
});
