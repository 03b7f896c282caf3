export { type CacheRegistryOptions, cacheRegistry } from './cache.js';
