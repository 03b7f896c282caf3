import { notFound } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { serverStream } from '@tsmicro/server';
import { describe, expect, it } from 'vitest';
import { pair, until } from '../../test/fixtures.js';
import { debugHandler, type StatsReport } from './debug.js';
import { readiness } from './readiness.js';

describe('debugHandler on a plain server: Debug.health and Debug.stats over RPC', () => {
  it('answers health and counts calls, errors and in-flight per endpoint', async () => {
    const r = readiness();
    const debug = debugHandler({ readiness: r });
    let release: () => void = () => {};
    const gate = new Promise<void>((res) => {
      release = res;
    });
    const p = await pair({
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
      await expect(p.client.call('greeter', 'G.missing', {})).rejects.toMatchObject({ code: 404 });
      const s = await p.client.stream('greeter', 'G.ticks');
      await s.send({});
      await s.closeSend();
      for await (const _ of s);
      const waiting = p.client.call('greeter', 'G.wait', {});
      await until(async () => (await p.client.call<StatsReport>('greeter', 'Debug.stats', {})).inFlight === 2);
      const stats = await p.client.call<StatsReport>('greeter', 'Debug.stats', {});
      expect(stats.endpoints['G.ok']).toMatchObject({ calls: 2, errors: 0, inFlight: 0 });
      expect(stats.endpoints['G.missing']).toMatchObject({ calls: 1, errors: 1, inFlight: 0 });
      expect(stats.endpoints['G.ticks']).toMatchObject({ calls: 1, errors: 0, inFlight: 0 });
      // Nothing finished yet: no handling time to report.
      expect(stats.endpoints['G.wait']).toEqual({ calls: 1, errors: 0, inFlight: 1 });
      // The stats call itself is in flight while it answers.
      expect(stats.inFlight).toBe(2);
      expect(stats.uptimeMs).toBeGreaterThanOrEqual(0);
      expect(stats.memory.rss).toBeGreaterThan(0);
      release();
      await waiting;
    } finally {
      release();
      await p.close();
    }
  });

  it('reports p50/p99 handling times of the latest calls per endpoint', async () => {
    const debug = debugHandler();
    const sleeps = [...Array.from({ length: 9 }, () => 5), 60];
    const p = await pair({
      handlers: { Debug: debug, G: { nap: async (ms: number) => new Promise((r) => setTimeout(r, ms)) } },
      server: { wrappers: { handler: [debug.wrapper] } },
    });
    try {
      for (const ms of sleeps) await p.client.call('greeter', 'G.nap', ms);
      const s = (await p.client.call<StatsReport>('greeter', 'Debug.stats', {})).endpoints['G.nap']!;
      expect(s.p50Ms).toBeGreaterThanOrEqual(4);
      expect(s.p50Ms).toBeLessThan(50);
      expect(s.p99Ms).toBeGreaterThanOrEqual(59);
    } finally {
      await p.close();
    }
  });

  it('exposes only health and stats as endpoints', async () => {
    const registry = memoryRegistry();
    const p = await pair({ handlers: { Debug: debugHandler() }, registry });
    try {
      const [rec] = await registry.getService('greeter');
      expect(rec?.endpoints.map((e) => e.name).sort()).toEqual(['Debug.health', 'Debug.stats']);
    } finally {
      await p.close();
    }
  });
});
