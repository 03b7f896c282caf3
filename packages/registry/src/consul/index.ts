export type { ConsulRegistryOptions } from './options.js';
export { consulRegistry } from './registry.js';
