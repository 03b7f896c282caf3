import { memoryBroker } from '@tsmicro/broker';
import { notFound } from '@tsmicro/core';
import { serverStream } from '@tsmicro/server';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { rejection, startPair, until } from '../../test/fixture.js';
import { metrics } from './metrics.js';
import { metricsServer } from './metrics-server.js';

/** The value of one sample line `name{labels} value` in a Prometheus text exposition. */
function sample(text: string, name: string, labels: Record<string, string | number>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf('}'));
    const have = body.split(',');
    if (want.every((w) => have.includes(w)) && have.length === want.length) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics() scraped over HTTP after real calls', () => {
  it('counts calls and handlers by code, times them, tracks in-flight, and counts broker traffic', async () => {
    const m = metrics();
    const broker = memoryBroker();
    let consumed = 0;
    const p = await startPair({
      handlers: {
        G: {
          ok: async () => 'ok',
          missing: async () => {
            throw notFound('nope');
          },
          ticks: serverStream(async function* () {
            yield 1;
            yield 2;
          }),
        },
      },
      broker,
      server: { wrappers: { handler: [m.handler], subscriber: [m.subscriber] } },
      client: { wrappers: { call: [m.call], stream: [m.stream], publish: [m.publish] } },
      setup: (s) =>
        s.subscribe('orders.created', () => {
          consumed++;
        }),
    });
    const http = await metricsServer({ registry: m.registry, port: 0 });
    try {
      for (let i = 0; i < 3; i++) await p.client.call('greeter', 'G.ok', {});
      await rejection(p.client.call('greeter', 'G.missing', {}));
      const s = await p.client.stream('greeter', 'G.ticks');
      await s.send({});
      await s.closeSend();
      for await (const _ of s);
      await p.client.publish('orders.created', { id: 1 });
      await p.client.publish('orders.created', { id: 2 });
      await until(() => consumed === 2);
      // The consume counter moves right after the subscriber returns: poll the scrape.
      let text = '';
      await until(async () => {
        text = await (await fetch(`${http.url}/metrics`)).text();
        return sample(text, 'tsmicro_broker_consumed_total', { service: 'greeter', topic: 'orders.created', code: 200 }) === 2;
      });
      const ep = (endpoint: string, code: number) => ({ service: 'greeter', endpoint, code });
      expect(sample(text, 'tsmicro_server_handled_total', ep('G.ok', 200))).toBe(3);
      expect(sample(text, 'tsmicro_server_handled_total', ep('G.missing', 404))).toBe(1);
      expect(sample(text, 'tsmicro_server_handled_total', ep('G.ticks', 200))).toBe(1);
      expect(sample(text, 'tsmicro_client_calls_total', ep('G.ok', 200))).toBe(3);
      expect(sample(text, 'tsmicro_client_calls_total', ep('G.missing', 404))).toBe(1);
      expect(sample(text, 'tsmicro_client_calls_total', ep('G.ticks', 200))).toBe(1);
      expect(sample(text, 'tsmicro_server_handling_seconds_count', { service: 'greeter', endpoint: 'G.ok' })).toBe(3);
      expect(sample(text, 'tsmicro_client_call_seconds_count', { service: 'greeter', endpoint: 'G.ok' })).toBe(3);
      expect(sample(text, 'tsmicro_server_in_flight', { service: 'greeter', endpoint: 'G.ok' })).toBe(0);
      expect(sample(text, 'tsmicro_client_in_flight', { service: 'greeter', endpoint: 'G.ticks' })).toBe(0);
      expect(sample(text, 'tsmicro_broker_published_total', { topic: 'orders.created', code: 200 })).toBe(2);
      expect(sample(text, 'tsmicro_broker_consume_seconds_count', { service: 'greeter', topic: 'orders.created' })).toBe(2);
      const other = await fetch(`${http.url}/nope`);
      expect(other.status).toBe(404);
      await other.text();
    } finally {
      await http.close();
      await p.close();
      await broker.disconnect();
    }
  });

  it('shows a call in flight while the handler runs', async () => {
    const m = metrics({ registry: new Registry() });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered: () => void = () => {};
    const running = new Promise<void>((r) => {
      entered = r;
    });
    const p = await startPair({
      handlers: {
        G: {
          wait: async () => {
            entered();
            await gate;
            return 1;
          },
        },
      },
      server: { wrappers: { handler: [m.handler] } },
    });
    try {
      const call = p.client.call('greeter', 'G.wait', {});
      await running;
      const gauge = async () => sample(await m.registry.metrics(), 'tsmicro_server_in_flight', { service: 'greeter', endpoint: 'G.wait' });
      expect(await gauge()).toBe(1);
      release();
      await call;
      expect(await gauge()).toBe(0);
    } finally {
      await p.close();
    }
  });

  it('reuses metrics already in a shared registry (two services, one process), each counting into them', async () => {
    const registry = new Registry();
    const a = metrics({ registry });
    const b = metrics({ registry });
    expect(registry.getMetricsAsArray().length).toBe(9);
    const pa = await startPair({ handlers: { G: { ok: async () => 'ok' } }, client: { wrappers: { call: [a.call] } } });
    const pb = await startPair({ handlers: { G: { ok: async () => 'ok' } }, client: { wrappers: { call: [b.call] } } });
    try {
      await pa.client.call('greeter', 'G.ok', {});
      await pb.client.call('greeter', 'G.ok', {});
      await pb.client.call('greeter', 'G.ok', {});
      const text = await registry.metrics();
      // One label set counted by both: one sample per metric, the sum of both.
      expect(sample(text, 'tsmicro_client_calls_total', { service: 'greeter', endpoint: 'G.ok', code: 200 })).toBe(3);
      expect(sample(text, 'tsmicro_client_call_seconds_count', { service: 'greeter', endpoint: 'G.ok' })).toBe(3);
      expect(sample(text, 'tsmicro_client_in_flight', { service: 'greeter', endpoint: 'G.ok' })).toBe(0);
      expect(text.split('\n').filter((l) => l.startsWith('tsmicro_client_call_seconds_count{'))).toHaveLength(1);
      // A scrape reads the live series: scraping again doubles nothing.
      expect(await registry.metrics()).toBe(text);
    } finally {
      await pa.close();
      await pb.close();
    }
  });

  it('refuses a same-named metric it did not make, naming it', () => {
    const registry = new Registry();
    new Counter({ name: 'tsmicro_server_handled_total', help: 'someone else', registers: [registry] });
    expect(() => metrics({ registry })).toThrow(/tsmicro_server_handled_total not made by metrics\(\)/);
  });

  it('closes the HTTP server with a kept-alive connection open', async () => {
    const http = await metricsServer({ registry: new Registry(), port: 0 });
    const res = await fetch(`${http.url}/metrics`, { headers: { connection: 'keep-alive' } });
    expect(res.status).toBe(200);
    await res.text();
    await http.close();
    await expect(fetch(`${http.url}/metrics`)).rejects.toThrow();
  });
});
