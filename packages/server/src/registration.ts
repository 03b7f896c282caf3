import type { Logger } from '@tsmicro/core';
import type { Registry, ServiceRecord } from '@tsmicro/registry';

/** Keeps one record registered: registers now, again every `interval`, and deregisters on `stop`. */
export interface Registration {
  stop(): Promise<void>;
}

/** Registers `record` with `ttl` and starts the heartbeat; rejects when the first registration fails. */
export async function startRegistration(
  registry: Registry,
  record: ServiceRecord,
  o: { ttl: number; interval: number; logger: Logger },
): Promise<Registration> {
  await registry.register(record, { ttl: o.ttl });
  let beating = false;
  // Not unref'd: a registered server is meant to keep the process alive, and stop() clears it.
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    registry
      .register(record, { ttl: o.ttl })
      .catch((e: unknown) => o.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'heartbeat registration failed'))
      .finally(() => {
        beating = false;
      });
  }, o.interval);
  return {
    async stop() {
      clearInterval(timer);
      try {
        await registry.deregister(record);
      } catch (e) {
        o.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'deregistration failed');
      }
    },
  };
}
