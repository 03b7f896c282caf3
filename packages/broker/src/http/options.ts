import { type Logger, silentLogger } from '@tsmicro/core';
import type { Registry } from '@tsmicro/registry';

/** Options of {@link httpBroker}. */
export interface HttpBrokerOptions {
  /** Where subscriptions are announced and looked up. Required; share it between the brokers that should meet. */
  registry: Registry;
  /** `host:port` the subscriber endpoint listens on (from the first subscribe). Default `'127.0.0.1:0'` (a free port). */
  address?: string;
  /** Service name the subscriptions are registered under. Default `'micro.http.broker'`. */
  service?: string;
  /** Default: `silentLogger()`. */
  logger?: Logger;
  /** Milliseconds one delivery attempt may take, the subscriber's handler included. Default `30000`. */
  timeout?: number;
  /** Ttl (ms) of each subscription's registration. Default `30000`. */
  registerTtl?: number;
  /** Milliseconds between re-registrations. Default `10000`. */
  registerInterval?: number;
  /** Longest time (ms) a publisher trusts its cached subscriber list when the registry watch reports nothing. Default `5000`. */
  cacheTtl?: number;
  /** Largest message (envelope: topic, headers and body) in bytes, refused by publisher and subscriber. Default `4194304` (4 MiB). */
  maxMessageSize?: number;
  /** Milliseconds `disconnect()` waits for in-flight handlers. Default `10000`. */
  drainTimeout?: number;
}

export type ResolvedOptions = Required<Omit<HttpBrokerOptions, 'logger'>> & { logger: Logger };

export function resolveOptions(o: HttpBrokerOptions): ResolvedOptions {
  return {
    registry: o.registry,
    address: o.address ?? '127.0.0.1:0',
    service: o.service ?? 'micro.http.broker',
    logger: o.logger ?? silentLogger(),
    timeout: o.timeout ?? 30_000,
    registerTtl: o.registerTtl ?? 30_000,
    registerInterval: o.registerInterval ?? 10_000,
    cacheTtl: o.cacheTtl ?? 5_000,
    maxMessageSize: o.maxMessageSize ?? 4 * 1024 * 1024,
    drainTimeout: o.drainTimeout ?? 10_000,
  };
}
