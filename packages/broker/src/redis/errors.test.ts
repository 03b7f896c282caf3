import { requireServer } from '@tsmicro/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { failureFixture, rejection, runModule } from '../../test/fixtures.js';
import { deleteKeys, uniqueKeyPrefix } from '../../test/redis-testkit.js';
import { freePort } from '../../test/server-process.js';
import { msg } from '../testing/index.js';
import { redisBroker } from './index.js';

const redisUp = await requireServer('Redis', 6379);
const keyPrefix = uniqueKeyPrefix('errors');

describe('redisBroker failures', () => {
  const f = failureFixture();
  afterAll(async () => {
    if (redisUp) await deleteKeys(keyPrefix);
  });

  it('fails connect() to a dead port at once with a 503 naming the address', async () => {
    const port = await freePort();
    const broker = f.use(redisBroker({ port }));
    const t0 = Date.now();
    const e = await rejection(broker.connect());
    expect(e.code).toBe(503);
    expect(e.detail).toContain(`127.0.0.1:${port}`);
    expect(e.detail).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('bounds connect() to a server that accepts but never answers by connectTimeout', async () => {
    const port = await f.silentPort();
    const broker = f.use(redisBroker({ url: `redis://127.0.0.1:${port}`, connectTimeout: 300 }));
    const t0 = Date.now();
    const e = await rejection(broker.connect());
    expect(e.detail).toContain(`127.0.0.1:${port}`);
    expect(e.detail).toContain('300 ms');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it.runIf(redisUp)('refuses a message above maxMessageSize with the limit in the error', async () => {
    const broker = f.use(redisBroker({ keyPrefix, maxMessageSize: 1024 }));
    await broker.connect();
    const e = await rejection(broker.publish('big.one', { header: {}, body: new Uint8Array(2000) }));
    expect(e.code).toBe(413);
    expect(e.detail).toContain('1024');
    await broker.publish('big.one', { header: {}, body: new Uint8Array(900) });
  });

  it.runIf(redisUp)('refuses to publish or subscribe when not connected', async () => {
    const broker = f.use(redisBroker({ keyPrefix }));
    expect((await rejection(broker.publish('a.b', msg('x')))).code).toBe(503);
    expect((await rejection(broker.subscribe('a.b', () => {}))).code).toBe(503);
  });

  it.runIf(redisUp)('lets the process exit after disconnect (no timer or socket left)', async () => {
    const code = `
      const { redisBroker } = await import('@tsmicro/broker/redis');
      const b = redisBroker({ keyPrefix: '${keyPrefix}' });
      await b.connect();
      let got = 0;
      await b.subscribe('exit.plain', () => { got++; });
      await b.subscribe('exit.*', () => { got++; });
      await b.subscribe('exit.durable', () => { got++; }, { durable: 'exitd' });
      await b.publish('exit.plain', { header: {}, body: new Uint8Array(1) });
      await b.publish('exit.durable', { header: {}, body: new Uint8Array(1) });
      while (got < 4) await new Promise((r) => setTimeout(r, 10));
      await b.disconnect();
      console.log('done');
    `;
    const out = await runModule(code);
    expect(out.trim()).toBe('done');
  });
});
