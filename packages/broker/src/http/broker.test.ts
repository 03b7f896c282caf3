import { memoryRegistry } from '@tsmicro/registry';
import { afterAll } from 'vitest';
import { runBrokerContract } from '../testing/index.js';
import { httpBroker } from './index.js';

const registry = memoryRegistry();
afterAll(() => registry.close());

runBrokerContract({ name: 'httpBroker', newBroker: () => httpBroker({ registry }), capabilities: { shared: true } });
