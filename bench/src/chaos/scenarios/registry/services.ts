import { memoryBroker } from '@tsmicro/broker';
import { silentLogger } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';
import { etcdRegistry } from '@tsmicro/registry/etcd';
import { createService, type Service } from '@tsmicro/service';

/** A service plus the etcd registry it owns (a service does not close a registry it was given). */
export interface Owned {
  readonly svc: Service;
  readonly registry: Registry;
  stop(): Promise<void>;
}

/**
 * Registry of every scenario process: the default operation timeout (5 s, which outlasts a leader
 * election after a member is lost), re-register and re-watch soon after etcd returns.
 */
export function scenarioRegistry(endpoints: string[]): Registry {
  return etcdRegistry({ hosts: endpoints, retryDelay: 300 });
}

/**
 * A service on its own etcd registry (as in a separate process) with the default selector, which
 * reads the registry through a watch-driven `cacheRegistry`. With `tag` it serves `Echo.ping`
 * answering that tag; without, it is a pure caller.
 */
export async function startService(name: string, endpoints: string[], tag?: string): Promise<Owned> {
  const registry = scenarioRegistry(endpoints);
  const svc = createService({
    name,
    registry,
    broker: memoryBroker(),
    logger: silentLogger(),
    registerTtl: 9000,
    registerInterval: 3000,
    gracePeriod: 2000,
  });
  if (tag !== undefined) svc.handle('Echo', { ping: () => ({ tag }) });
  try {
    await svc.start();
  } catch (e) {
    await svc.stop().catch(() => undefined);
    await registry.close().catch(() => undefined);
    throw e;
  }
  return {
    svc,
    registry,
    async stop() {
      await svc.stop().catch(() => undefined);
      await registry.close().catch(() => undefined);
    },
  };
}
