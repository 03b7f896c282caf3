import { type Logger, silentLogger } from '@tsmicro/core';

/** Options of {@link natsBroker}. Every duration is in milliseconds. */
export interface NatsBrokerOptions {
  /** NATS server address(es), `host:port` or `nats://host:port`. Default `'127.0.0.1:4222'`. */
  servers?: string | string[];
  /** Connection name shown by the server (`/connz`). Default `'tsmicro'`. */
  name?: string;
  /** Logger for connection events and handler failures. Default: a silent logger. */
  logger?: Logger;
  /** Bound on `connect()`: how long to wait for the first connection. Default `5000`. */
  connectTimeout?: number;
  /** Reconnect attempts per server after a connection was lost; `-1` forever. Default `-1`. */
  maxReconnectAttempts?: number;
  /** Wait between reconnect attempts to the same server. Default `1000`. */
  reconnectTimeWait?: number;
  /** Where a JetStream stream stores the topic, wait for its ack (retrying, deduplicated) so a resolved publish is stored. Default `true`. */
  ackedPublish?: boolean;
  /** Bound on an acked publish, retries included. Default `5000`. */
  publishTimeout?: number;
  /** JetStream: prefix of the streams created for durable topics. Default `'TSMICRO_'`. */
  streamPrefix?: string;
  /** JetStream: put every durable topic into this one stream (created or extended as needed) instead of one stream per topic. Default: none. */
  stream?: string;
  /** JetStream: how long a created stream keeps messages. Default `86_400_000` (24 h). */
  streamMaxAge?: number;
  /** JetStream: redelivery when a durable handler neither acks nor nacks within this time. Default `30000`. */
  ackWait?: number;
  /** JetStream: delay before redelivering a nacked message (a handler that threw). Default `0`. */
  nakDelay?: number;
  /** JetStream: messages pulled ahead per durable subscriber. Default `16`. */
  prefetch?: number;
}

export type ResolvedNatsOptions = Required<Omit<NatsBrokerOptions, 'servers' | 'stream'>> & {
  servers: string[];
  stream: string | undefined;
};

export function resolveOptions(o: NatsBrokerOptions): ResolvedNatsOptions {
  const servers = o.servers ?? '127.0.0.1:4222';
  return {
    servers: Array.isArray(servers) ? servers : [servers],
    name: o.name ?? 'tsmicro',
    logger: o.logger ?? silentLogger(),
    connectTimeout: o.connectTimeout ?? 5000,
    maxReconnectAttempts: o.maxReconnectAttempts ?? -1,
    reconnectTimeWait: o.reconnectTimeWait ?? 1000,
    ackedPublish: o.ackedPublish ?? true,
    publishTimeout: o.publishTimeout ?? 5000,
    streamPrefix: o.streamPrefix ?? 'TSMICRO_',
    stream: o.stream,
    streamMaxAge: o.streamMaxAge ?? 86_400_000,
    ackWait: o.ackWait ?? 30_000,
    nakDelay: o.nakDelay ?? 0,
    prefetch: o.prefetch ?? 16,
  };
}
