import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateNatsServer } from '../../test/nats-testkit.js';
import type { Broker } from '../broker.js';
import { msg, recorder, text, waitFor } from '../testing/index.js';
import { natsBroker } from './index.js';

// A private nats-server: stopping the shared one would break every other suite running now.
describe('natsBroker across a NATS server restart', () => {
  let server: Awaited<ReturnType<typeof privateNatsServer>>;
  const brokers: Broker[] = [];
  beforeAll(async () => {
    server = await privateNatsServer();
  });
  afterAll(async () => {
    await Promise.allSettled(brokers.map((b) => b.disconnect()));
    await server?.destroy();
  });

  it('resumes core and durable subscriptions; the durable one loses nothing', async () => {
    const make = async () => {
      const b = natsBroker({ servers: server.url, reconnectTimeWait: 100 });
      await b.connect();
      brokers.push(b);
      return b;
    };
    const [pub, sub] = [await make(), await make()];
    const topic = `restart${randomBytes(4).toString('hex')}.events`;
    const core = recorder();
    const durable = recorder();
    await sub.subscribe(topic, core.handler);
    await sub.subscribe(topic, durable.handler, { durable: 'restart-d' });

    const sent: string[] = [];
    const send = async (s: string) => {
      await pub.publish(topic, msg(s));
      sent.push(s);
    };
    for (let i = 0; i < 20; i++) await send(`a${i}`);
    await waitFor(() => durable.got.length >= 20 && core.got.length >= 20, { what: 'messages before the restart' });

    await server.stop();
    // Acked publishes wait (bounded by publishTimeout) for the server to come back, then resolve.
    const during = Array.from({ length: 10 }, (_, i) => send(`down${i}`));
    await server.start();
    await Promise.all(during);

    // Core interest is re-sent on reconnect: keep publishing until the core subscriber hears again.
    let i = 0;
    const before = core.got.length;
    const probes: Promise<void>[] = [];
    await waitFor(
      () => {
        probes.push(send(`b${i++}`));
        return core.got.slice(before).some((r) => text(r).startsWith('b'));
      },
      { timeout: 15_000, interval: 50, what: 'core subscription after restart' },
    );
    // Every probe must resolve too (and must not be left pending when the brokers disconnect).
    await Promise.all(probes);
    await waitFor(() => sent.every((s) => durable.got.some((r) => text(r) === s)), {
      timeout: 15_000,
      what: 'every message on the durable subscription',
    });
    expect(new Set(durable.got.map(text))).toEqual(new Set(sent));
  });
});
