import { type Logger, silentLogger } from '@tsmicro/core';
import type { IOptions } from 'etcd3';

/** Options of {@link etcdRegistry}. */
export interface EtcdRegistryOptions {
  /**
   * Client URLs of the etcd members; give every member of a cluster so a failed one is skipped.
   * `host:port` means `http://host:port`. Default `['http://127.0.0.1:2379']`.
   */
  hosts?: string | string[];
  /** Key prefix under which every node is stored as `<prefix><name>/<version>/<node id>`. Default `'/micro/registry/'`. */
  prefix?: string;
  /** Bound (ms) on each etcd operation, including reaching etcd at all. Default `5000`. */
  timeout?: number;
  /** Ttl (ms) for registrations that give none. Default `undefined`: such nodes live until deregistered. */
  defaultTtl?: number;
  /** Longest pause (ms) between attempts to re-register and re-watch after etcd was lost. Default `2000`. */
  retryDelay?: number;
  /** Where reconnects and bad records are reported. Default: a silent logger. */
  logger?: Logger;
  /** Passed to the etcd3 client as is (TLS `credentials`, `auth`, `grpcOptions`, …). Default `{}`. */
  etcd?: Omit<IOptions, 'hosts'>;
}

export interface ResolvedEtcdOptions {
  hosts: string[];
  prefix: string;
  timeout: number;
  defaultTtl: number | undefined;
  retryDelay: number;
  logger: Logger;
  etcd: Omit<IOptions, 'hosts'>;
}

export function resolveOptions(o: EtcdRegistryOptions): ResolvedEtcdOptions {
  const hosts = (typeof o.hosts === 'string' ? [o.hosts] : (o.hosts ?? ['http://127.0.0.1:2379'])).map((h) =>
    /^https?:\/\//.test(h) ? h : `http://${h}`,
  );
  const prefix = o.prefix ?? '/micro/registry/';
  return {
    hosts,
    prefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    timeout: o.timeout ?? 5000,
    defaultTtl: o.defaultTtl,
    retryDelay: o.retryDelay ?? 2000,
    logger: o.logger ?? silentLogger(),
    etcd: o.etcd ?? {},
  };
}
