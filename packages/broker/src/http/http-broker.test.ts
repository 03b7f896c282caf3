import { request } from 'node:http';
import { createServer } from 'node:net';
import { memoryRegistry, type Registry } from '@tsmicro/registry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejection } from '../../test/fixtures.js';
import type { Broker } from '../broker.js';
import { delay, msg, recorder, text, waitFor } from '../testing/index.js';
import { httpBroker } from './index.js';
import type { HttpBrokerOptions } from './options.js';

const SERVICE = 'micro.http.broker';

async function deadAddress(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `127.0.0.1:${port}`;
}

describe('httpBroker', () => {
  let registry: Registry;
  const brokers: Broker[] = [];
  const make = (o: Partial<HttpBrokerOptions> = {}) => {
    const b = httpBroker({ registry, ...o });
    brokers.push(b);
    return b;
  };
  /** A subscription of a crashed instance: still registered, nothing listening. */
  const ghost = async (topic: string, queue?: string) => {
    const metadata: Record<string, string> = queue ? { topic, queue } : { topic };
    await registry.register({
      name: SERVICE,
      version: 'latest',
      metadata: {},
      endpoints: [],
      nodes: [{ id: 'ghost-1', address: await deadAddress(), metadata }],
    });
  };
  beforeEach(() => {
    registry = memoryRegistry();
  });
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((b) => b.disconnect()));
    await registry.close();
  });

  it('reports a subscriber whose instance is gone to the publisher, after delivering to the live ones', async () => {
    const [pub, sub] = [make(), make()];
    const live = recorder();
    await sub.subscribe('orders.created', live.handler);
    await ghost('orders.*');
    const e = await rejection(pub.publish('orders.created', msg('x')));
    expect(e.code).toBe(503);
    expect(e.detail).toMatch(/cannot reach subscriber ghost-1 at 127\.0\.0\.1:\d+/);
    expect(live.got.map(text)).toEqual(['x']);
  });

  it('retries a queue message on another member when one is unreachable or nacks', async () => {
    const [pub, good, bad] = [make(), make(), make()];
    const ok = recorder();
    const failing = recorder(() => {
      throw new Error('nack');
    });
    await good.subscribe('jobs', ok.handler, { queue: 'w' });
    await bad.subscribe('jobs', failing.handler, { queue: 'w' });
    await ghost('jobs', 'w');
    for (let i = 0; i < 9; i++) await pub.publish('jobs', msg(String(i)));
    expect(ok.got.map(text)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
    expect(failing.got.length).toBeGreaterThan(0); // it was tried and passed on
  });

  it('rejects with 503 naming topic and group when no member can take a message', async () => {
    const pub = make();
    await ghost('jobs.>', 'workers');
    const e = await rejection(pub.publish('jobs.a', msg('x')));
    expect(e.code).toBe(503);
    expect(e.detail).toContain('"jobs.a"');
    expect(e.detail).toContain('"workers"');
  });

  it('rejects with 500 when every member of a group nacks', async () => {
    const [pub, a] = [make(), make()];
    await a.subscribe('jobs', () => Promise.reject(new Error('no')), { queue: 'w' });
    const e = await rejection(pub.publish('jobs', msg('x')));
    expect(e.code).toBe(500);
    expect(e.detail).toMatch(/every member nacked/);
  });

  it('refuses an oversized message at the publisher with the limit in the error', async () => {
    const pub = make({ maxMessageSize: 1024 });
    const e = await rejection(pub.publish('big', { header: {}, body: new Uint8Array(2000) }));
    expect(e.code).toBe(413);
    expect(e.detail).toContain('1024');
  });

  it('refuses an oversized message at the subscriber before running the handler', async () => {
    const pub = make({ maxMessageSize: 1 << 20 });
    const sub = make({ maxMessageSize: 1024 });
    const r = recorder();
    await sub.subscribe('big', r.handler);
    const e = await rejection(pub.publish('big', { header: {}, body: new Uint8Array(200_000) }));
    expect(e.code).toBe(413);
    expect(e.detail).toContain('maxMessageSize 1024');
    await pub.publish('big', msg('small'));
    expect(r.got.map(text)).toEqual(['small']);
  });

  it('counts a chunked body without content-length against the limit as it streams', async () => {
    const sub = make({ maxMessageSize: 1024 });
    await sub.subscribe('big', () => {});
    const [record] = await registry.getService(SERVICE);
    const node = record?.nodes[0];
    if (!node) throw new Error('no subscription registered');
    const [host, port] = node.address.split(':');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host, port: Number(port), method: 'POST', path: `/sub/${encodeURIComponent(node.id)}` }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 8; i++) req.write(new Uint8Array(512));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('registers one node per subscription with topic and queue, and deregisters on unsubscribe and disconnect', async () => {
    const sub = make();
    const a = await sub.subscribe('a.>', () => {});
    await sub.subscribe('b', () => {}, { queue: 'q' });
    const nodes = (await registry.getService(SERVICE)).flatMap((r) => r.nodes);
    expect(nodes.map((n) => n.metadata).sort((x, y) => String(x.topic).localeCompare(String(y.topic)))).toEqual([
      { topic: 'a.>', broker: 'http' },
      { topic: 'b', queue: 'q', broker: 'http' },
    ]);
    expect(nodes[0]?.address).toBe(sub.address);
    await a.unsubscribe();
    expect((await registry.getService(SERVICE)).flatMap((r) => r.nodes).map((n) => n.metadata.topic)).toEqual(['b']);
    await sub.disconnect();
    expect(await registry.getService(SERVICE)).toEqual([]);
    expect(sub.address).toBe('');
  });

  it('keeps subscriptions alive past their ttl with the heartbeat', async () => {
    const sub = make({ registerTtl: 150, registerInterval: 40 });
    await sub.subscribe('hb', () => {});
    await delay(400); // proving an absence: the node must not expire
    expect((await registry.getService(SERVICE)).flatMap((r) => r.nodes).length).toBe(1);
  });

  it('finds a subscriber that appears after the publisher cached its lookup', async () => {
    const [pub, sub] = [make(), make()];
    await pub.publish('late', msg('nobody'));
    const r = recorder();
    await sub.subscribe('late', r.handler);
    // Discovery is eventually consistent (a registry watch event): publish until it arrives, bounded.
    let tries = 0;
    while (r.got.length === 0 && tries++ < 200) {
      await pub.publish('late', msg('hello'));
      if (r.got.length === 0) await delay(5);
    }
    expect(r.got.map(text)[0]).toBe('hello');
  });

  it('works again after disconnect and connect', async () => {
    const [pub, sub] = [make(), make()];
    await sub.subscribe('x', () => {});
    await sub.disconnect();
    await expect(sub.publish('x', msg('1'))).rejects.toThrow(/disconnected/);
    await sub.connect();
    const r = recorder();
    await sub.subscribe('x', r.handler);
    await pub.publish('x', msg('back'));
    expect(r.got.map(text)).toEqual(['back']);
  });

  it('leaves no socket, server or timer behind after disconnect', async () => {
    const kinds = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'];
    const count = () => process.getActiveResourcesInfo().filter((k) => kinds.includes(k)).length;
    const before = count();
    const [pub, sub] = [make(), make()];
    await sub.subscribe('h', () => {});
    await pub.publish('h', msg('x'));
    await Promise.all([pub.disconnect(), sub.disconnect()]);
    await registry.close();
    await waitFor(() => count() <= before, { what: `handles back to ${before} (now ${count()})` });
  });

  it('fails subscribe with a 503 naming the address when it cannot listen, and recovers', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(taken.address() as { port: number }).port}`;
    const b = make({ address });
    const e = await rejection(b.subscribe('x', () => {}));
    expect(e.code).toBe(503);
    expect(e.detail).toContain(address);
    await new Promise<void>((r) => taken.close(() => r()));
    await b.subscribe('x', () => {});
    expect(b.address).toBe(address);
  });

  it('bounds a delivery by timeout (408) and by the publish signal (499), without retrying elsewhere', async () => {
    const pub = make({ timeout: 100 });
    const [a, b] = [make({ drainTimeout: 50 }), make({ drainTimeout: 50 })];
    let calls = 0;
    const stuck = () => {
      calls++;
      return new Promise<void>(() => {});
    };
    await a.subscribe('slow', stuck, { queue: 'q' });
    await b.subscribe('slow', stuck, { queue: 'q' });
    const e = await rejection(pub.publish('slow', msg('x')));
    expect(e.code).toBe(408);
    expect(e.detail).toMatch(/did not answer within 100 ms/);
    const ac = new AbortController();
    const p = pub.publish('slow', msg('y'), { signal: ac.signal });
    await waitFor(() => calls === 2);
    ac.abort();
    expect((await rejection(p)).code).toBe(499);
    expect(calls).toBe(2); // neither message went to a second member
  });
});
