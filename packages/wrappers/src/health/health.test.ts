import { notFound, silentLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { serverStream } from '@tsmicro/server';
import { createService } from '@tsmicro/service';
import { memoryTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { rejection, startPair, until } from '../testing-fixture.js';
import { debugHandler, type StatsReport } from './debug.js';
import { healthServer } from './health-server.js';
import { readiness } from './readiness.js';

describe('Debug.health and Debug.stats over RPC', () => {
  it('answers health and counts calls, errors and in-flight per endpoint', async () => {
    const r = readiness();
    const debug = debugHandler({ readiness: r });
    let release: () => void = () => {};
    const gate = new Promise<void>((res) => {
      release = res;
    });
    const p = await startPair({
      handlers: {
        Debug: debug,
        G: {
          ok: async () => 1,
          missing: async () => {
            throw notFound('x');
          },
          wait: async () => gate,
          ticks: serverStream(async function* () {
            yield 1;
          }),
        },
      },
      server: { wrappers: { handler: [debug.wrapper] } },
    });
    try {
      expect(await p.client.call('greeter', 'Debug.health', {})).toEqual({ status: 'ok', readiness: 'starting' });
      r.markReady();
      expect(await p.client.call('greeter', 'Debug.health', {})).toEqual({ status: 'ok', readiness: 'ready' });
      await p.client.call('greeter', 'G.ok', {});
      await p.client.call('greeter', 'G.ok', {});
      await rejection(p.client.call('greeter', 'G.missing', {}));
      const s = await p.client.stream('greeter', 'G.ticks');
      await s.send({});
      await s.closeSend();
      for await (const _ of s);
      const waiting = p.client.call('greeter', 'G.wait', {});
      await until(async () => (await p.client.call<StatsReport>('greeter', 'Debug.stats', {})).inFlight === 2);
      const stats = await p.client.call<StatsReport>('greeter', 'Debug.stats', {});
      expect(stats.endpoints['G.ok']).toEqual({ calls: 2, errors: 0, inFlight: 0 });
      expect(stats.endpoints['G.missing']).toEqual({ calls: 1, errors: 1, inFlight: 0 });
      expect(stats.endpoints['G.ticks']).toEqual({ calls: 1, errors: 0, inFlight: 0 });
      expect(stats.endpoints['G.wait']).toEqual({ calls: 1, errors: 0, inFlight: 1 });
      // The stats call itself is in flight while it answers.
      expect(stats.inFlight).toBe(2);
      expect(stats.uptimeMs).toBeGreaterThanOrEqual(0);
      expect(stats.memory.rss).toBeGreaterThan(0);
      release();
      await waiting;
    } finally {
      await p.close();
    }
  });

  it('exposes only health and stats as endpoints', async () => {
    const registry = memoryRegistry();
    const p = await startPair({ handlers: { Debug: debugHandler() }, registry });
    try {
      const [rec] = await registry.getService('greeter');
      expect(rec?.endpoints.map((e) => e.name).sort()).toEqual(['Debug.health', 'Debug.stats']);
    } finally {
      await p.close();
      await registry.close();
    }
  });
});

describe('healthServer and readiness', () => {
  it('is live at once, ready after start, not ready from the start of a graceful stop, ready again after restart', async () => {
    const r = readiness();
    let entered: () => void = () => {};
    const running = new Promise<void>((res) => {
      entered = res;
    });
    let release: () => void = () => {};
    const gate = new Promise<void>((res) => {
      release = res;
    });
    const svc = createService({
      name: 'probe',
      transport: memoryTransport(),
      registry: memoryRegistry(),
      logger: silentLogger(),
      gracePeriod: 5000,
      hooks: r.hooks,
    });
    svc.handle('G', {
      slow: async () => {
        entered();
        await gate;
        return 'finished';
      },
    });
    const probes = await healthServer({ port: 0, ready: r.isReady });
    const status = async (path: string) => {
      const res = await fetch(`${probes.url}${path}`);
      await res.text();
      return res.status;
    };
    try {
      expect(await status('/health/live')).toBe(200);
      expect(await status('/health/ready')).toBe(503);
      await svc.start();
      expect(await status('/health/ready')).toBe(200);
      const call = svc.client.call('probe', 'G.slow', {});
      await running;
      const stopping = svc.stop();
      // The call is still being served, yet the probe already says "not ready".
      expect(r.state).toBe('stopping');
      expect(await status('/health/ready')).toBe(503);
      expect(await status('/health/live')).toBe(200);
      release();
      expect(await call).toBe('finished');
      await stopping;
      expect(await status('/health/ready')).toBe(503);
      await svc.start();
      expect(await status('/health/ready')).toBe(200);
      expect(await status('/nope')).toBe(404);
    } finally {
      release();
      await svc.stop();
      await probes.close();
    }
  });
});
