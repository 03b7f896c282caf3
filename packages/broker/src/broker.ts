import type { Message } from '@tsmicro/transport';

/** One delivered message. With `autoAck` (the default) the broker acks when the handler resolves and nacks when it throws. */
export interface Event {
  readonly topic: string;
  readonly message: Message;
  ack(): Promise<void>;
  /** Asks for redelivery where the broker supports it (durable subscriptions). */
  nack(): Promise<void>;
}

/** A live subscription. */
export interface Subscriber {
  readonly topic: string;
  readonly queue?: string;
  unsubscribe(): Promise<void>;
}

/** Options of `publish`. */
export interface PublishOptions {
  signal?: AbortSignal;
}

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /** Competing consumers: each message goes to one member of the group. Default: none (fan-out). */
  queue?: string;
  /** Ack when the handler resolves, nack when it throws. Default `true`. */
  autoAck?: boolean;
  /** Name of a durable subscription (at-least-once, survives the subscriber being down) where the broker supports it. */
  durable?: string;
}

export type Handler = (e: Event) => Promise<void> | void;

/**
 * Pub/sub. Topics are dot-separated; in `subscribe`, `*` matches one token and `>` the rest
 * (the same in every broker).
 */
export interface Broker {
  readonly name: string;
  readonly address: string;
  connect(): Promise<void>;
  /** Drains in-flight handlers, then closes. */
  disconnect(): Promise<void>;
  publish(topic: string, m: Message, o?: PublishOptions): Promise<void>;
  /**
   * A barrier: resolves once every publish made before it is confirmed as far as the broker confirms
   * anything (nats: the server has read it, a round trip; JetStream topics: stored and acked; redis:
   * answered; http: acked by each subscriber; memory: queued). Failed publishes do not fail it: each
   * publish's own promise reports its failure; it rejects (503) only when the confirmation itself
   * cannot be had (nats: the connection broke during the round trip). Resolves at once when nothing
   * is pending, also before `connect()` and after `disconnect()`.
   * @example for (const o of orders) void broker.publish('orders.created', encode(o)); await broker.flush()
   */
  flush(): Promise<void>;
  subscribe(topic: string, h: Handler, o?: SubscribeOptions): Promise<Subscriber>;
}
