import { requireServer } from '@tsmicro/core/testing';
import { afterAll } from 'vitest';
import { deleteStreams, uniquePrefix } from '../../test/nats-testkit.js';
import { runBrokerContract } from '../testing/index.js';
import { natsBroker } from './index.js';

const natsUp = await requireServer('NATS', 4222);
const streamPrefix = uniquePrefix('C');

if (natsUp) {
  runBrokerContract({
    name: 'natsBroker',
    newBroker: () => natsBroker({ streamPrefix, ackWait: 2000 }),
    capabilities: { durable: true, shared: true },
  });
  afterAll(() => deleteStreams(streamPrefix));
}
