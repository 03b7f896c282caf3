import { type Logger, silentLogger } from '@tsmicro/core';

/** Options of {@link consulRegistry}. */
export interface ConsulRegistryOptions {
  /** Base URL of the Consul agent's HTTP API; `host:port` means `http://host:port`. Default: env `CONSUL_HTTP_ADDR`, else `'http://127.0.0.1:8500'`. */
  address?: string;
  /** ACL token sent as `X-Consul-Token`. Default: env `CONSUL_HTTP_TOKEN`, else none. */
  token?: string;
  /** Bound (ms) on each request that is not a blocking query. Default `5000`. */
  timeout?: number;
  /** Ttl (ms) for registrations that give none. Default `undefined`: no TTL check, the node stays until deregistered. */
  defaultTtl?: number;
  /** `DeregisterCriticalServiceAfter` (ms) of each TTL check: how long Consul keeps an expired node before removing it. Default `60000` (Consul's minimum). */
  deregisterCriticalAfter?: number;
  /** `wait` (ms) of each blocking query a watch makes. Default `30000` (Consul allows up to 10 minutes). */
  watchWait?: number;
  /** Longest pause (ms) between attempts when a watch's query fails. Default `2000`. */
  retryDelay?: number;
  /** Where failed watch queries are reported. Default: a silent logger. */
  logger?: Logger;
}

export interface ResolvedConsulOptions {
  address: URL;
  token: string | undefined;
  timeout: number;
  defaultTtl: number | undefined;
  deregisterCriticalAfter: number;
  watchWait: number;
  retryDelay: number;
  logger: Logger;
}

export function resolveOptions(o: ConsulRegistryOptions): ResolvedConsulOptions {
  const raw = o.address ?? process.env.CONSUL_HTTP_ADDR ?? 'http://127.0.0.1:8500';
  return {
    address: new URL(/^https?:\/\//.test(raw) ? raw : `http://${raw}`),
    token: o.token ?? process.env.CONSUL_HTTP_TOKEN,
    timeout: o.timeout ?? 5000,
    defaultTtl: o.defaultTtl,
    deregisterCriticalAfter: o.deregisterCriticalAfter ?? 60_000,
    watchWait: o.watchWait ?? 30_000,
    retryDelay: o.retryDelay ?? 2000,
    logger: o.logger ?? silentLogger(),
  };
}
