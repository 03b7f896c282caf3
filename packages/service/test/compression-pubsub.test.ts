import { randomBytes } from 'node:crypto';
import type { Broker } from '@tsmicro/broker';
import { memoryBroker } from '@tsmicro/broker';
import { httpBroker } from '@tsmicro/broker/http';
import { natsBroker } from '@tsmicro/broker/nats';
import { redisBroker } from '@tsmicro/broker/redis';
import { createClient } from '@tsmicro/client';
import { requireServer } from '@tsmicro/core/testing';
import { memoryRegistry } from '@tsmicro/registry';
import { createServer } from '@tsmicro/server';
import { memoryTransport } from '@tsmicro/transport';
import { describe, expect, it } from 'vitest';
import { until } from './fixtures.js';

const records = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `customer-${i}`, email: `c${i}@example.com`, active: i % 3 !== 0 }));
const plainSize = JSON.stringify(records).length;
const suffix = randomBytes(4).toString('hex');

const natsUp = await requireServer('NATS', 4222);
const redisUp = await requireServer('Redis', 6379);

const brokers: Array<{ name: string; up: boolean; make: () => Broker }> = [
  { name: 'memory', up: true, make: () => memoryBroker() },
  { name: 'http', up: true, make: () => httpBroker({ registry: memoryRegistry() }) },
  { name: 'nats', up: natsUp, make: () => natsBroker() },
  { name: 'redis', up: redisUp, make: () => redisBroker({ keyPrefix: `zc${suffix}:` }) },
];

describe.each(brokers)('compressed pub/sub on the $name broker', ({ name, up, make }) => {
  it.runIf(up)(
    'a tsmicro subscriber reads a compressed payload; a stock subscriber reads an uncompressed one',
    async () => {
      const broker = make();
      const topic = `zc.${name}.${suffix}`;
      const seen: unknown[] = [];
      const server = createServer({ name: `zc-${suffix}`, transport: memoryTransport(), registry: memoryRegistry(), broker });
      server.subscribe(`${topic}.typed`, (payload) => {
        seen.push(payload);
      });
      await server.start();
      // A stock subscriber: the broker's own API, no tsmicro decoding.
      const raw: Array<{ header: Record<string, string>; body: Uint8Array }> = [];
      const sub = await broker.subscribe(`${topic}.raw`, (e) => {
        raw.push({ header: { ...e.message.header }, body: Uint8Array.from(e.message.body) });
      });
      const client = createClient({ transport: memoryTransport(), broker, compression: { publish: 'gzip' } });
      try {
        await client.publish(`${topic}.typed`, records);
        await client.publish(`${topic}.typed`, records, { compression: 'br' });
        await until(() => seen.length === 2, 10_000);
        expect(seen).toEqual([records, records]);

        await client.publish(`${topic}.raw`, records);
        await client.publish(`${topic}.raw`, records, { compression: 'identity' });
        await until(() => raw.length === 2, 10_000);
        const [zipped, plain] = raw;
        expect(zipped?.header['Micro-Encoding']).toBe('gzip');
        expect((zipped?.body.byteLength ?? 0) * 3).toBeLessThan(plainSize);
        expect(plain?.header['Micro-Encoding']).toBeUndefined();
        expect(JSON.parse(Buffer.from(plain?.body ?? []).toString())).toEqual(records);
      } finally {
        await sub.unsubscribe();
        await client.close();
        await server.stop();
        await broker.disconnect();
      }
    },
    30_000,
  );
});
