import { memoryBroker } from '@tsmicro/broker';
import { memoryRegistry } from '@tsmicro/registry';
import { memoryTransport } from '@tsmicro/transport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createService } from '../create-service.js';
import { createBroker, createRegistry } from './build.js';
import { brokerChoice, describeBrokerChoice, describeRegistryChoice, registryChoice } from './choice.js';

describe('registry and broker choice', () => {
  it('defaults to mdns and http; the environment names others; explicit options win over it', () => {
    expect(registryChoice({}, {})).toEqual({ kind: 'mdns', address: undefined, interface: undefined, source: 'default' });
    const env = { TSMICRO_REGISTRY: 'etcd', TSMICRO_REGISTRY_ADDRESS: '10.0.0.1:2379,10.0.0.2:2379', TSMICRO_BROKER: 'nats' };
    expect(registryChoice({}, env)).toMatchObject({ kind: 'etcd', address: '10.0.0.1:2379,10.0.0.2:2379', source: 'env' });
    expect(registryChoice({ registry: 'consul', registryAddress: 'http://c:8500' }, env)).toMatchObject({
      kind: 'consul',
      address: 'http://c:8500',
      source: 'option',
    });
    expect(brokerChoice({}, env)).toEqual({ kind: 'nats', address: undefined, source: 'env' });
    expect(brokerChoice({ broker: 'redis', brokerAddress: '127.0.0.1:6380' }, env)).toMatchObject({ kind: 'redis', source: 'option' });
    expect(registryChoice({}, { TSMICRO_MDNS_INTERFACE: '127.0.0.1', TSMICRO_REGISTRY: '' })).toMatchObject({
      kind: 'mdns',
      interface: '127.0.0.1',
    });
  });

  it('refuses an unknown name or an address a registry or broker cannot use, saying what to use instead', () => {
    expect(() => registryChoice({}, { TSMICRO_REGISTRY: 'zookeeper' })).toThrow(
      "unknown registry 'zookeeper' (from env TSMICRO_REGISTRY): use one of mdns, etcd, consul, memory",
    );
    expect(() => brokerChoice({ broker: 'kafka' }, {})).toThrow(
      "unknown broker 'kafka' (from the broker option): use one of http, nats, redis, memory",
    );
    expect(() => registryChoice({}, { TSMICRO_REGISTRY_ADDRESS: '127.0.0.1:2379' })).toThrow(
      /mdns registry takes no address .*TSMICRO_MDNS_INTERFACE/,
    );
    expect(() => brokerChoice({ broker: 'memory', brokerAddress: 'x' }, {})).toThrowError(expect.objectContaining({ code: 400 }));
  });

  it('describes where each choice looks, for logs and --verbose', () => {
    expect(describeRegistryChoice(registryChoice({}, { TSMICRO_MDNS_INTERFACE: '127.0.0.1' }))).toBe(
      'mdns (default) on interface 127.0.0.1',
    );
    expect(describeRegistryChoice(registryChoice({}, { TSMICRO_REGISTRY: 'etcd' }))).toBe(
      'etcd (env TSMICRO_REGISTRY) at http://127.0.0.1:2379',
    );
    expect(describeBrokerChoice(brokerChoice({ broker: 'nats', brokerAddress: 'n1:4222' }, {}))).toBe('nats (option) at n1:4222');
  });

  it('builds what it names; third-party clients load only on use', async () => {
    const registry = createRegistry(registryChoice({ registry: 'etcd', registryAddress: '127.0.0.1:1' }, {}));
    const brokers = [
      createBroker(brokerChoice({ broker: 'nats' }, {}), { registry }),
      createBroker(brokerChoice({ broker: 'redis', brokerAddress: '127.0.0.1:6390' }, {}), { registry }),
      createBroker(brokerChoice({}, {}), { registry }),
    ];
    expect([registry.name, ...brokers.map((b) => b.name)]).toEqual(['etcd', 'nats', 'redis', 'http']);
    await Promise.all(brokers.map((b) => b.disconnect()));
    await registry.close();
  });
});

describe('createService defaults', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('build the registry and broker the environment names', async () => {
    vi.stubEnv('TSMICRO_REGISTRY', 'memory');
    vi.stubEnv('TSMICRO_BROKER', 'memory');
    const svc = createService({ name: 'env-chosen', transport: memoryTransport(), debug: false });
    svc.handle('Echo', { echo: async (x: unknown) => x });
    await svc.start();
    try {
      expect(await svc.client.call('env-chosen', 'Echo.echo', 7)).toBe(7); // found through the memory registry
    } finally {
      await svc.stop();
    }
  });

  it('do not read the environment for what is given explicitly', async () => {
    vi.stubEnv('TSMICRO_REGISTRY', 'zookeeper');
    vi.stubEnv('TSMICRO_BROKER', 'kafka');
    const registry = memoryRegistry();
    const svc = createService({ name: 'explicit', transport: memoryTransport(), registry, broker: memoryBroker(), debug: false });
    await svc.start();
    expect((await registry.getService('explicit')).length).toBe(1);
    await svc.stop();
    expect(() => createService({ name: 'bad-env', transport: memoryTransport() })).toThrow("unknown registry 'zookeeper'");
  });
});
