import { type Logger, silentLogger } from '@tsmicro/core';

/** Options of {@link redisBroker}. Every duration is in milliseconds. */
export interface RedisBrokerOptions {
  /** `redis://[user:pass@]host:port[/db]`; wins over `host`/`port` when set. Default: none. */
  url?: string;
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Default `6379`. */
  port?: number;
  /** Logger for connection events and handler failures. Default: a silent logger. */
  logger?: Logger;
  /** Bound on `connect()`. Default `5000`. */
  connectTimeout?: number;
  /** A publish not answered within this time (e.g. Redis is down) fails with 503. Default `5000`. */
  publishTimeout?: number;
  /** Largest encoded message (headers + body) a publish accepts. Default `4 MiB` (Redis itself allows 512 MB). */
  maxMessageSize?: number;
  /** Longest wait between reconnect attempts (backoff grows to it). Default `2000`. */
  maxReconnectDelay?: number;
  /** Prefix of every key this broker writes (streams, the pattern set). Default `'tsmicro:'`. */
  keyPrefix?: string;
  /** Approximate cap on entries kept per stream (`XADD MAXLEN ~`). Default `10000`. */
  maxLen?: number;
  /** A pending stream entry idle this long is reclaimed from its (presumably dead) consumer. Default `30000`. */
  claimIdle?: number;
  /** How often a stream subscriber looks for entries to reclaim. Default: `claimIdle / 2`. */
  claimInterval?: number;
  /** Delay before a nacked stream entry is delivered again. Default `100`. */
  nackDelay?: number;
  /** Stream entries read per round trip. Default `16`. */
  batch?: number;
}

export type ResolvedRedisOptions = Required<Omit<RedisBrokerOptions, 'url'>> & { url: string | undefined };

export function resolveOptions(o: RedisBrokerOptions): ResolvedRedisOptions {
  const claimIdle = o.claimIdle ?? 30_000;
  return {
    url: o.url,
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 6379,
    logger: o.logger ?? silentLogger(),
    connectTimeout: o.connectTimeout ?? 5000,
    publishTimeout: o.publishTimeout ?? 5000,
    maxMessageSize: o.maxMessageSize ?? 4 * 1024 * 1024,
    maxReconnectDelay: o.maxReconnectDelay ?? 2000,
    keyPrefix: o.keyPrefix ?? 'tsmicro:',
    maxLen: o.maxLen ?? 10_000,
    claimIdle,
    claimInterval: o.claimInterval ?? Math.max(10, Math.floor(claimIdle / 2)),
    nackDelay: o.nackDelay ?? 100,
    batch: o.batch ?? 16,
  };
}
