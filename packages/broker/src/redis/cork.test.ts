import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { requireServer } from '@tsmicro/core/testing';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { deleteKeys, uniqueKeyPrefix } from '../../test/redis-testkit.js';
import type { Broker } from '../broker.js';
import { msg, recorder, text, waitFor } from '../testing/index.js';
import { redisBroker } from './index.js';

const redisUp = await requireServer('Redis', 6379);
const keyPrefix = uniqueKeyPrefix('cork');

describe.runIf(redisUp)('redisBroker publish bursts', () => {
  const made: Broker[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.allSettled(made.splice(0).map((b) => b.disconnect()));
  });
  afterAll(() => deleteKeys(keyPrefix));

  it('sends the publishes of one synchronous run in one write, in order, each confirmed', async () => {
    const b = redisBroker({ keyPrefix });
    await b.connect();
    made.push(b);
    const t = `cork${randomBytes(4).toString('hex')}.burst`;
    const got = recorder();
    await b.subscribe(t, got.handler);
    // Counts the socket writes (passing them through): one per command when nothing holds them back.
    const write = vi.spyOn(Socket.prototype, '_write');
    const writev = vi.spyOn(Socket.prototype, '_writev');
    const published = Array.from({ length: 100 }, (_, i) => b.publish(t, msg(`m${i}`)));
    await Promise.all(published);
    expect(write.mock.calls.length + writev.mock.calls.length).toBeLessThanOrEqual(2);
    await waitFor(() => got.got.length === 100, { what: 'the burst' });
    expect(got.got.map(text)).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
  });
});
