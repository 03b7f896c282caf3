import { memoryRegistry } from './memory.js';
import { runRegistryContract } from './testing/index.js';

runRegistryContract({ name: 'memory', newRegistry: () => memoryRegistry() });
