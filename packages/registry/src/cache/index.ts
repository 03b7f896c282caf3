export { type CacheRegistry, type CacheRegistryOptions, cacheRegistry } from './cache.js';
