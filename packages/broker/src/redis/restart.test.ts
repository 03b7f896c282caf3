import { randomBytes } from 'node:crypto';
import { isMicroError } from '@tsmicro/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateRedisServer } from '../../test/redis-testkit.js';
import type { Broker } from '../broker.js';
import { msg, recorder, text, waitFor } from '../testing/index.js';
import { redisBroker } from './index.js';

// A private redis-server: stopping the shared one would break every other suite running now.
describe('redisBroker across a Redis restart', () => {
  let server: Awaited<ReturnType<typeof privateRedisServer>>;
  const brokers: Broker[] = [];
  beforeAll(async () => {
    server = await privateRedisServer();
  });
  afterAll(async () => {
    await Promise.allSettled(brokers.map((b) => b.disconnect()));
    await server?.destroy();
  });

  it('resubscribes, and every publish made during the outage either fails or is delivered', async () => {
    const make = async () => {
      const b = redisBroker({ port: server.port, maxReconnectDelay: 100, publishTimeout: 3000, keyPrefix: 'restart:' });
      await b.connect();
      brokers.push(b);
      return b;
    };
    const [pub, sub] = [await make(), await make()];
    const topic = `restart${randomBytes(4).toString('hex')}.events`;
    const plain = recorder();
    const durable = recorder();
    await sub.subscribe(topic, plain.handler);
    await sub.subscribe(topic, durable.handler, { durable: 'restart-d' });
    await pub.publish(topic, msg('before'));
    await waitFor(() => plain.got.length === 1 && durable.got.length === 1, { what: 'messages before the restart' });

    await server.stop();
    const during = Array.from({ length: 5 }, (_, i) =>
      pub.publish(topic, msg(`down${i}`)).then(
        () => ({ text: `down${i}`, ok: true as const }),
        (e: unknown) => ({ text: `down${i}`, ok: false as const, micro: isMicroError(e) }),
      ),
    );
    await server.start();
    const outcomes = await Promise.all(during);
    for (const o of outcomes) if (!o.ok) expect(o.micro).toBe(true);

    // Plain pub/sub: the subscription is re-sent on reconnect; publish until it hears again.
    let i = 0;
    await waitFor(
      () => {
        void pub.publish(topic, msg(`after${i++}`)).catch(() => undefined);
        return plain.got.some((r) => text(r).startsWith('after'));
      },
      { timeout: 10_000, interval: 50, what: 'plain subscription after restart' },
    );
    // Streams: every publish that resolved during the outage reaches the durable subscriber.
    const delivered = outcomes.filter((o) => o.ok).map((o) => o.text);
    await waitFor(() => delivered.every((s) => durable.got.some((r) => text(r) === s)), {
      timeout: 10_000,
      what: `outage publishes (${delivered.join(', ')}) on the durable subscription`,
    });
    await waitFor(() => durable.got.some((r) => text(r).startsWith('after')), { what: 'durable after restart' });
  });

  it('fails a publish with 503 when Redis stays down longer than publishTimeout', async () => {
    const b = redisBroker({ port: server.port, maxReconnectDelay: 100, publishTimeout: 300, keyPrefix: 'restart:' });
    await b.connect();
    brokers.push(b);
    await server.stop();
    try {
      const t0 = Date.now();
      const e = await b.publish('restart.down', msg('x')).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isMicroError(e) && e.code).toBe(503);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      await server.start();
    }
    await b.publish('restart.up', msg('y')); // and works again once Redis is back
  });
});
