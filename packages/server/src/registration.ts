import type { Logger } from '@tsmicro/core';
import type { Registry, ServiceRecord } from '@tsmicro/registry';

/** Keeps one record registered: registers now, again every `interval`, and deregisters on `stop`. */
export interface Registration {
  stop(): Promise<void>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Registers `record` with `ttl` and starts the heartbeat; rejects when the first registration fails.
 * Debug logs say what was registered and where; every failed heartbeat is a warning with how many
 * failed in a row and how long until the node expires, and the first success after failures says so.
 */
export async function startRegistration(
  registry: Registry,
  record: ServiceRecord,
  o: { ttl: number; interval: number; logger: Logger },
): Promise<Registration> {
  const node = record.nodes[0];
  const where = { registry: registry.name, service: record.name, version: record.version, node: node?.id, address: node?.address };
  await registry.register(record, { ttl: o.ttl });
  o.logger.debug(
    { ...where, endpoints: record.endpoints.map((e) => e.name), ttl: o.ttl, interval: o.interval },
    `registered ${record.name}@${record.version} node ${node?.id} at ${node?.address} in the ${registry.name} registry (ttl ${o.ttl} ms, heartbeat every ${o.interval} ms)`,
  );
  let beating = false;
  let failures = 0;
  let lastSuccess = Date.now();
  // Not unref'd: a registered server is meant to keep the process alive, and stop() clears it.
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    registry
      .register(record, { ttl: o.ttl })
      .then(
        () => {
          if (failures > 0) o.logger.info({ ...where, failures }, `heartbeat registration succeeded again after ${failures} failure(s)`);
          failures = 0;
          lastSuccess = Date.now();
          o.logger.trace(where, 'heartbeat registration');
        },
        (e: unknown) => {
          failures++;
          const expiresIn = Math.max(0, lastSuccess + o.ttl - Date.now());
          o.logger.warn({ ...where, err: message(e), failures, expiresIn }, `heartbeat registration failed (${failures} in a row)`);
        },
      )
      .finally(() => {
        beating = false;
      });
  }, o.interval);
  return {
    async stop() {
      clearInterval(timer);
      try {
        await registry.deregister(record);
        o.logger.debug(where, `deregistered ${record.name} node ${node?.id} from the ${registry.name} registry`);
      } catch (e) {
        o.logger.warn({ ...where, err: message(e) }, 'deregistration failed');
      }
    },
  };
}
