import { memoryBroker } from '@tsmicro/broker';
import { silentLogger } from '@tsmicro/core';
import { memoryRegistry } from '@tsmicro/registry';
import { describe, expect, it } from 'vitest';
import { createService } from '../src/index.js';
import { greeter, until } from './fixtures.js';

describe('createService', () => {
  it('runs over the default tcp transport until its signal aborts, and two services find each other', async () => {
    const registry = memoryRegistry();
    const a = createService({ name: 'greeter', registry, logger: silentLogger() });
    a.handle('Greeter', greeter);
    const got: unknown[] = [];
    a.subscribe('greeter.events', (payload, ctx) => {
      got.push({ payload, by: ctx.metadata.by });
    });
    const ac = new AbortController();
    const running = a.run({ signal: ac.signal });
    await until(() => a.server.address !== '');
    expect(a.server.address).toMatch(/^127\.0\.0\.1:\d+$/);

    const b = createService({ name: 'caller', registry, logger: silentLogger() });
    await b.start();
    try {
      const g = b.client.service<{ Greeter: typeof greeter }>('greeter').Greeter;
      expect(await g.hello({ name: 'tcp' })).toEqual({ msg: 'hello tcp', meta: null });
      // Each service defaulted its own memory broker, so publish through the service that subscribed.
      await a.client.publish('greeter.events', { n: 1 }, { metadata: { by: 'test' } });
      await until(() => got.length === 1);
      expect(got[0]).toEqual({ payload: { n: 1 }, by: 'test' });
    } finally {
      await b.stop();
      ac.abort();
      await running;
      await registry.close();
    }
    expect(a.server.address).toBe('');
  });

  it('starts again after stop, client included (given its own registry and broker)', async () => {
    const registry = memoryRegistry();
    const svc = createService({ name: 'greeter', logger: silentLogger(), registry, broker: memoryBroker() });
    svc.handle('Greeter', greeter);
    try {
      await svc.start();
      expect(await svc.client.call('greeter', 'Greeter.hello', { name: '1' })).toMatchObject({ msg: 'hello 1' });
      await svc.stop();
      await svc.start();
      expect(await svc.client.call('greeter', 'Greeter.hello', { name: '2' })).toMatchObject({ msg: 'hello 2' });
    } finally {
      await svc.stop();
      await registry.close();
    }
  });
});
