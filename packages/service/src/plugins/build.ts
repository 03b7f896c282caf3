import { type Broker, memoryBroker } from '@tsmicro/broker';
import { httpBroker } from '@tsmicro/broker/http';
import { natsBroker } from '@tsmicro/broker/nats';
import { redisBroker } from '@tsmicro/broker/redis';
import type { Logger } from '@tsmicro/core';
import { memoryRegistry, type Registry } from '@tsmicro/registry';
import { consulRegistry } from '@tsmicro/registry/consul';
import { etcdRegistry } from '@tsmicro/registry/etcd';
import { mdnsRegistry } from '@tsmicro/registry/mdns';
import type { BrokerChoice, RegistryChoice } from './choice.js';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/**
 * The registry a {@link RegistryChoice} names. Third-party clients (etcd3) stay optional peers, loaded on
 * first use. Default logger: the registry's own (silent).
 * @example const registry = createRegistry(registryChoice({ registry: 'etcd' }), { logger })
 */
export function createRegistry(c: RegistryChoice, o: { logger?: Logger } = {}): Registry {
  const logger = o.logger === undefined ? {} : { logger: o.logger };
  switch (c.kind) {
    case 'mdns':
      return mdnsRegistry({ ...logger, ...(c.interface !== undefined && { interface: c.interface }) });
    case 'etcd':
      return etcdRegistry({ ...logger, ...(c.address !== undefined && { hosts: list(c.address) }) });
    case 'consul':
      return consulRegistry({ ...logger, ...(c.address !== undefined && { address: c.address }) });
    case 'memory':
      return memoryRegistry();
  }
}

/** `redis://…` and `rediss://…` as given; `host:port` becomes `redis://host:port`. */
function redisUrl(address: string): string {
  return /^rediss?:\/\//.test(address) ? address : `redis://${address}`;
}

/**
 * The broker a {@link BrokerChoice} names; the http broker finds subscribers through `o.registry`.
 * Third-party clients (nats, ioredis) stay optional peers, loaded on `connect()`.
 * @example const broker = createBroker(brokerChoice(), { registry })
 */
export function createBroker(c: BrokerChoice, o: { registry: Registry; logger?: Logger }): Broker {
  const logger = o.logger === undefined ? {} : { logger: o.logger };
  switch (c.kind) {
    case 'http':
      return httpBroker({ registry: o.registry, ...logger, ...(c.address !== undefined && { address: c.address }) });
    case 'nats':
      return natsBroker({ ...logger, ...(c.address !== undefined && { servers: list(c.address) }) });
    case 'redis':
      return redisBroker({ ...logger, ...(c.address !== undefined && { url: redisUrl(c.address) }) });
    case 'memory':
      return memoryBroker();
  }
}
