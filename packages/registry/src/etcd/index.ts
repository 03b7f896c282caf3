export type { EtcdRegistryOptions } from './options.js';
export { etcdRegistry } from './registry.js';
