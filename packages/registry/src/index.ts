export { type CacheRegistry, type CacheRegistryOptions, cacheRegistry } from './cache/index.js';
export { type MemoryRegistryOptions, memoryRegistry } from './memory.js';
export type {
  Endpoint,
  RegisterOptions,
  Registry,
  ServiceNode,
  ServiceRecord,
  WatchEvent,
  WatchOptions,
} from './registry.js';
export { type StaticNodes, type StaticRegistryOptions, staticRegistry } from './static.js';
