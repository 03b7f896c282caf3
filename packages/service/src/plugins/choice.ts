import { badRequest } from '@tsmicro/core';

/**
 * The environment variables a service (through `createService`'s defaults) and the `tsmicro` CLI both
 * read to pick the registry and broker, so one shell setting points both at the same system.
 */
export const PluginEnv = {
  /** `mdns` | `etcd` | `consul` | `memory`. Default `mdns`. */
  registry: 'TSMICRO_REGISTRY',
  /** etcd: comma-separated client URLs (`host:port` allowed); consul: the agent's URL. Default: the registry's own. */
  registryAddress: 'TSMICRO_REGISTRY_ADDRESS',
  /** `http` | `nats` | `redis` | `memory`. Default `http`. */
  broker: 'TSMICRO_BROKER',
  /** nats: comma-separated servers; redis: a `redis://` URL or `host:port`; http: the subscriber listen address. */
  brokerAddress: 'TSMICRO_BROKER_ADDRESS',
  /** IPv4 address of the interface mDNS uses (e.g. `127.0.0.1` to stay on this host). Default: every interface. */
  mdnsInterface: 'TSMICRO_MDNS_INTERFACE',
} as const;

/** The registries that can be chosen by name. */
export const registryKinds = ['mdns', 'etcd', 'consul', 'memory'] as const;
export type RegistryKind = (typeof registryKinds)[number];
/** The brokers that can be chosen by name. */
export const brokerKinds = ['http', 'nats', 'redis', 'memory'] as const;
export type BrokerKind = (typeof brokerKinds)[number];

/** Where a chosen value came from: an explicit option (or CLI flag), an environment variable, or the default. */
export type ChoiceSource = 'option' | 'env' | 'default';

/** Which registry to build, and how to reach it. */
export interface RegistryChoice {
  readonly kind: RegistryKind;
  /** etcd/consul address as given; `undefined` means the registry's own default. */
  readonly address: string | undefined;
  /** mDNS interface pin; `undefined` means every interface. */
  readonly interface: string | undefined;
  readonly source: ChoiceSource;
}

/** Which broker to build, and how to reach it. */
export interface BrokerChoice {
  readonly kind: BrokerKind;
  /** nats servers, redis URL or http listen address as given; `undefined` means the broker's own default. */
  readonly address: string | undefined;
  readonly source: ChoiceSource;
}

/** Explicit choices; each wins over its environment variable. */
export interface PluginOptions {
  registry?: string | undefined;
  registryAddress?: string | undefined;
  mdnsInterface?: string | undefined;
  broker?: string | undefined;
  brokerAddress?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The option, else the (non-empty) environment variable, with where it came from. */
function pick(option: string | undefined, env: Env, key: string): { value: string | undefined; source: ChoiceSource } {
  if (option !== undefined && option !== '') return { value: option, source: 'option' };
  const v = env[key];
  return v !== undefined && v !== '' ? { value: v, source: 'env' } : { value: undefined, source: 'default' };
}

function kindOf<K extends string>(what: string, kinds: readonly K[], value: string, source: ChoiceSource, key: string): K {
  if ((kinds as readonly string[]).includes(value)) return value as K;
  const from = source === 'env' ? `env ${key}` : `the ${what} option`;
  throw badRequest(`unknown ${what} '${value}' (from ${from}): use one of ${kinds.join(', ')}`);
}

function noAddress(kind: string, what: 'registry' | 'broker', hint: string): never {
  const key = what === 'registry' ? PluginEnv.registryAddress : PluginEnv.brokerAddress;
  throw badRequest(`the ${kind} ${what} takes no address (got one from the option or ${key}): ${hint}`);
}

/**
 * The registry a service or the CLI should use: `o.registry`, else env `TSMICRO_REGISTRY`, else `mdns`;
 * its address from `o.registryAddress` or `TSMICRO_REGISTRY_ADDRESS`; the mDNS interface from
 * `o.mdnsInterface` or `TSMICRO_MDNS_INTERFACE`. An unknown name, or an address for a registry that takes
 * none, is a 400 saying what to use instead.
 * @example const c = registryChoice({}, { TSMICRO_REGISTRY: 'etcd', TSMICRO_REGISTRY_ADDRESS: '127.0.0.1:2379' }) // { kind: 'etcd', … }
 */
export function registryChoice(o: PluginOptions = {}, env: Env = process.env): RegistryChoice {
  const k = pick(o.registry, env, PluginEnv.registry);
  const kind = k.value === undefined ? 'mdns' : kindOf('registry', registryKinds, k.value, k.source, PluginEnv.registry);
  const address = pick(o.registryAddress, env, PluginEnv.registryAddress).value;
  if (address !== undefined && (kind === 'mdns' || kind === 'memory')) {
    noAddress(kind, 'registry', `pin mDNS to an interface with ${PluginEnv.mdnsInterface} instead, or choose etcd or consul`);
  }
  return { kind, address, interface: pick(o.mdnsInterface, env, PluginEnv.mdnsInterface).value, source: k.source };
}

/**
 * The broker a service or the CLI should use: `o.broker`, else env `TSMICRO_BROKER`, else `http`; its
 * address from `o.brokerAddress` or `TSMICRO_BROKER_ADDRESS`.
 * @example brokerChoice({ broker: 'nats', brokerAddress: '127.0.0.1:4222' }) // { kind: 'nats', address: '127.0.0.1:4222', source: 'option' }
 */
export function brokerChoice(o: PluginOptions = {}, env: Env = process.env): BrokerChoice {
  const k = pick(o.broker, env, PluginEnv.broker);
  const kind = k.value === undefined ? 'http' : kindOf('broker', brokerKinds, k.value, k.source, PluginEnv.broker);
  const address = pick(o.brokerAddress, env, PluginEnv.brokerAddress).value;
  if (address !== undefined && kind === 'memory') noAddress(kind, 'broker', 'the memory broker lives inside one process');
  return { kind, address, source: k.source };
}

/**
 * One line saying which registry a choice means and where it looks, for logs and `tsmicro --verbose`.
 * @example describeRegistryChoice(registryChoice()) // 'mdns (default) on interface 127.0.0.1'
 */
export function describeRegistryChoice(c: RegistryChoice): string {
  const where =
    c.kind === 'mdns'
      ? `on ${c.interface === undefined ? 'every interface' : `interface ${c.interface}`}`
      : c.kind === 'memory'
        ? 'in this process'
        : `at ${c.address ?? (c.kind === 'etcd' ? 'http://127.0.0.1:2379' : 'env CONSUL_HTTP_ADDR or http://127.0.0.1:8500')}`;
  return `${c.kind} (${c.source === 'env' ? `env ${PluginEnv.registry}` : c.source}) ${where}`;
}

/**
 * One line saying which broker a choice means and where it connects.
 * @example describeBrokerChoice(brokerChoice()) // 'http (default) listening on 127.0.0.1:0, subscribers found through the registry'
 */
export function describeBrokerChoice(c: BrokerChoice): string {
  const defaults: Record<BrokerKind, string> = {
    http: 'listening on 127.0.0.1:0, subscribers found through the registry',
    nats: 'at 127.0.0.1:4222',
    redis: 'at 127.0.0.1:6379',
    memory: 'in this process',
  };
  const where = c.address === undefined ? defaults[c.kind] : c.kind === 'http' ? `listening on ${c.address}` : `at ${c.address}`;
  return `${c.kind} (${c.source === 'env' ? `env ${PluginEnv.broker}` : c.source}) ${where}`;
}
