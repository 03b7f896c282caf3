import { requireServer } from '@tsmicro/core/testing';
import { afterAll } from 'vitest';
import { deleteKeys, uniqueKeyPrefix } from '../../test/redis-testkit.js';
import { runBrokerContract } from '../testing/index.js';
import { redisBroker } from './index.js';

const redisUp = await requireServer('Redis', 6379);
const keyPrefix = uniqueKeyPrefix('contract');

if (redisUp) {
  runBrokerContract({
    name: 'redisBroker',
    newBroker: () => redisBroker({ keyPrefix }),
    capabilities: { durable: true, shared: true },
  });
  afterAll(() => deleteKeys(keyPrefix));
}
