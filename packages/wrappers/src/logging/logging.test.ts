import { memoryBroker } from '@tsmicro/broker';
import { createClient } from '@tsmicro/client';
import { type Context, notFound } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { createServer, serverStream } from '@tsmicro/server';
import { memoryTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { captureLogger, rejection, startPair, until } from '../../test/fixture.js';
import { logging, requestIdKey } from './logging.js';

const handlers = {
  G: {
    ok: async () => 'ok',
    missing: async () => {
      throw notFound('no such thing');
    },
    crash: async () => {
      throw new Error('kaput');
    },
    rid: async (_req: unknown, ctx: Context) => ctx.metadata[requestIdKey],
    ticks: serverStream(async function* () {
      yield 1;
      yield 2;
    }),
  },
};

describe('logging() over a real client and server', () => {
  it('writes one line per call on each side with service, endpoint, duration and code; level by outcome', async () => {
    const cap = captureLogger('debug');
    const log = logging({ logger: cap.logger });
    const p = await startPair({
      handlers,
      server: { wrappers: { handler: [log.handler] } },
      client: { wrappers: { call: [log.call], stream: [log.stream] } },
    });
    try {
      await p.client.call('greeter', 'G.ok', {});
      await rejection(p.client.call('greeter', 'G.missing', {}));
      await rejection(p.client.call('greeter', 'G.crash', {}));
      const s = await p.client.stream('greeter', 'G.ticks');
      await s.send({});
      await s.closeSend();
      for await (const _ of s);
      const lines = cap.lines();
      const server = lines.filter((l) => l.side === 'server');
      const client = lines.filter((l) => l.side === 'client');
      expect(server.map((l) => [l.endpoint, l.code, l.level])).toEqual([
        ['G.ok', 200, 30],
        ['G.missing', 404, 40],
        ['G.crash', 500, 50],
        ['G.ticks', 200, 30],
      ]);
      expect(client.map((l) => [l.endpoint, l.code, l.msg])).toEqual([
        ['G.ok', 200, 'called'],
        ['G.missing', 404, 'called'],
        ['G.crash', 500, 'called'],
        ['G.ticks', 200, 'streamed'],
      ]);
      for (const l of lines) {
        expect(l.service).toBe('greeter');
        expect(typeof l.durationMs).toBe('number');
        expect(typeof l.requestId).toBe('string');
      }
      // Server lines name the node that served the call (as registered) and the caller's address.
      const nodeId = (await p.registry.getService('greeter'))[0]?.nodes[0]?.id;
      expect(nodeId).toBeTruthy();
      for (const l of server) {
        expect(l.node).toBe(nodeId);
        expect(typeof l.peer).toBe('string');
        expect(l.peer).not.toBe('');
      }
      // Both sides of one call share its request id.
      expect(new Set(lines.map((l) => l.requestId)).size).toBe(4);
      expect(server[1]?.err).toBe('no such thing');
    } finally {
      await p.close();
    }
  });

  it('samples success lines but always writes errors', async () => {
    const cap = captureLogger('debug');
    const log = logging({ logger: cap.logger, sampleSuccess: 0 });
    const p = await startPair({ handlers, server: { wrappers: { handler: [log.handler] } } });
    try {
      for (let i = 0; i < 5; i++) await p.client.call('greeter', 'G.ok', {});
      await rejection(p.client.call('greeter', 'G.missing', {}));
      expect(cap.lines().map((l) => l.code)).toEqual([404]);
    } finally {
      await p.close();
    }
  });

  it('keeps one request id from the first client through a handler calling downstream with { ctx }', async () => {
    const cap = captureLogger('info');
    const log = logging({ logger: cap.logger });
    const transport = memoryTransport();
    const registry = memoryRegistry();
    const wrappers = { handler: [log.handler] };
    const downstream = createServer({ name: 'b', transport, registry, wrappers });
    downstream.handle('B', { rid: async (_req: unknown, ctx: Context) => ctx.metadata[requestIdKey] });
    const inner = createClient({ transport, registry, wrappers: { call: [log.call] } });
    const upstream = createServer({ name: 'a', transport, registry, wrappers });
    upstream.handle('A', {
      relay: async (_req: unknown, ctx: Context) => ({ a: ctx.metadata[requestIdKey], b: await inner.call('b', 'B.rid', {}, { ctx }) }),
    });
    await downstream.start();
    await upstream.start();
    const plain = createClient({ transport, registry });
    const traced = createClient({ transport, registry, wrappers: { call: [log.call] } });
    try {
      const given = await traced.call<{ a: string; b: string }>('a', 'A.relay', {}, { metadata: { [requestIdKey]: 'req-42' } });
      expect(given).toEqual({ a: 'req-42', b: 'req-42' });
      const made = await traced.call<{ a: string; b: string }>('a', 'A.relay', {});
      expect(made.a).toMatch(/^[A-Za-z0-9_-]{12}$/);
      expect(made.b).toBe(made.a);
      // A caller without the wrapper: the first server makes the id and passes it on.
      const fromServer = await plain.call<{ a: string; b: string }>('a', 'A.relay', {});
      expect(fromServer.b).toBe(fromServer.a);
      expect(cap.lines().filter((l) => l.requestId === 'req-42')).toHaveLength(4);
    } finally {
      await Promise.all([plain.close(), traced.close(), inner.close()]);
      await upstream.stop();
      await downstream.stop();
      await registry.close();
    }
  });

  it('logs handled broker messages', async () => {
    const cap = captureLogger('info');
    const log = logging({ logger: cap.logger });
    const broker = memoryBroker();
    let got: () => void = () => {};
    const delivered = new Promise<void>((r) => {
      got = r;
    });
    const p = await startPair({
      handlers,
      broker,
      server: { wrappers: { subscriber: [log.subscriber] } },
      setup: (s) => s.subscribe('orders.created', () => got()),
    });
    try {
      await p.client.publish('orders.created', { id: 1 }, { metadata: { [requestIdKey]: 'evt-1' } });
      await delivered;
      // The line is written once the subscriber has returned, just after it signalled delivery.
      await until(() => cap.lines().some((l) => l.msg === 'consumed'));
      expect(cap.lines().find((l) => l.msg === 'consumed')).toMatchObject({ topic: 'orders.created', code: 200, requestId: 'evt-1' });
    } finally {
      await p.close();
      await broker.disconnect();
    }
  });
});
