import { createNodeStore } from './internal/node-store.js';
import { validate } from './internal/records.js';
import { createWatchHub } from './internal/watch-hub.js';
import type { RegisterOptions, Registry, ServiceRecord, WatchOptions } from './registry.js';

/** Options of {@link memoryRegistry}. */
export interface MemoryRegistryOptions {
  /** Ttl (ms) for registrations that give none. Default: `undefined` (never expire). */
  defaultTtl?: number;
}

/**
 * An in-process registry: the state lives in the returned instance only, so share the instance
 * between the components that should see each other. Nodes expire when not re-registered within their ttl.
 * @example const registry = memoryRegistry(); await registry.register(record, { ttl: 30_000 })
 */
export function memoryRegistry(options: MemoryRegistryOptions = {}): Registry {
  const defaultTtl = options.defaultTtl;
  const hub = createWatchHub();
  const store = createNodeStore((e) => hub.emit(e));
  let closed = false;

  return {
    name: 'memory',
    async register(s: ServiceRecord, o: RegisterOptions = {}) {
      validate(s);
      if (closed) return;
      store.upsert(s, o.ttl ?? defaultTtl);
    },
    async deregister(s: ServiceRecord) {
      validate(s);
      if (closed) return;
      store.remove(s);
    },
    async getService(name: string) {
      return store.get(name);
    },
    async listServices() {
      return store.list();
    },
    watch(o?: WatchOptions) {
      return hub.watch(o);
    },
    async close() {
      closed = true;
      hub.close();
      store.clear();
    },
  };
}
