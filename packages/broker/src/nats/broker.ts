import { canceled, isMicroError, loadOptional, serviceUnavailable } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import type { NatsConnection } from 'nats';
import type { Broker, Handler, PublishOptions, SubscribeOptions, Subscriber } from '../broker.js';
import { PendingPublishes } from '../internal/pending.js';
import { SerialDelivery } from '../internal/serial-delivery.js';
import { trackedSubscriber } from '../internal/tracked-subscriber.js';
import { topicCheck, validatePattern } from '../topic.js';
import { type DurableLoop, prepareDurable, runDurable } from './durable.js';
import { headerReader } from './headers.js';
import { checkDurableName } from './jetstream.js';
import { type NatsBrokerOptions, resolveOptions } from './options.js';
import { publisher, SENT } from './publish.js';

type Nats = typeof import('nats');

/**
 * A broker on NATS: core NATS for plain and queue subscriptions, JetStream for `durable` ones.
 * See `index.ts` for how topics, headers and durability map onto NATS.
 * @example const broker = natsBroker({ servers: '127.0.0.1:4222' }); await broker.connect();
 */
export function natsBroker(options: NatsBrokerOptions = {}): Broker {
  const o = resolveOptions(options);
  const logger = o.logger.child({ component: 'natsBroker' });
  const address = o.servers.join(',');
  /** Topics this broker already found valid. */
  const checkTopic = topicCheck();
  const stops = new Set<() => Promise<void>>();
  let nats: Nats | undefined;
  let nc: NatsConnection | undefined;
  let send: ReturnType<typeof publisher> | undefined;
  /** JetStream publishes (and first publishes to a topic) still waiting for their answer, for `flush()`. */
  const pending = new PendingPublishes();

  const live = (op: string) => {
    if (nc === undefined || nc.isClosed())
      throw serviceUnavailable(`natsBroker (${address}) is closed or not connected yet; call connect() before ${op}`);
    return nc;
  };

  const watchStatus = async (conn: NatsConnection) => {
    for await (const s of conn.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error')
        logger.warn({ status: s.type, data: s.data }, 'nats connection');
    }
  };

  async function connect(): Promise<void> {
    if (nc !== undefined && !nc.isClosed()) return;
    nats ??= await loadOptional('nats', 'natsBroker', (): Promise<Nats> => import('nats'));
    send ??= publisher(nats, o, address);
    try {
      nc = await nats.connect({
        servers: o.servers,
        name: o.name,
        timeout: o.connectTimeout,
        maxReconnectAttempts: o.maxReconnectAttempts,
        reconnectTimeWait: o.reconnectTimeWait,
      });
    } catch (e) {
      throw serviceUnavailable(`cannot connect to NATS at ${address}: ${(e as Error).message}`, { cause: e });
    }
    void watchStatus(nc);
  }

  async function disconnect(): Promise<void> {
    const conn = nc;
    if (conn === undefined || conn.isClosed()) return;
    nc = undefined; // refuse new publishes and subscriptions from here on
    // Subscriptions stop first and each waits for its running handler: in-flight work drains.
    await Promise.allSettled([...stops].map((stop) => stop()));
    await conn.drain().catch(() => conn.close());
  }

  // Not async: a core publish only hands the message to nats.js, and an async frame per publish
  // cost more than that. Every failure still comes back as a rejected promise.
  function publish(topic: string, m: Message, po?: PublishOptions): Promise<void> {
    try {
      checkTopic(topic);
      if (po?.signal?.aborted) throw canceled(`publish to ${topic} cancelled`);
      const conn = live('publish');
      if (!send) throw serviceUnavailable('natsBroker is not connected');
      const sent = send.send(conn, topic, m.body, m.header);
      // A core publish (the shared SENT) has nothing to wait for but the round trip flush() makes.
      return sent === SENT ? sent : pending.track(sent);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Waits for the publishes awaiting an answer, then one round trip: the server has read every core publish made before. */
  async function flush(): Promise<void> {
    await pending.settled();
    const conn = nc;
    if (conn === undefined || conn.isClosed()) return;
    try {
      await conn.flush();
    } catch (e) {
      throw serviceUnavailable(`flush via NATS at ${address} failed: ${(e as Error).message}; core publishes made before may be lost`, {
        cause: e,
      });
    }
  }

  async function subscribe(topic: string, handler: Handler, so: SubscribeOptions = {}): Promise<Subscriber> {
    validatePattern(topic);
    const conn = live('subscribe');
    if (!nats) throw serviceUnavailable('natsBroker is not connected');
    const autoAck = so.autoAck ?? true;
    let stop: () => Promise<void>;
    if (so.durable !== undefined) {
      checkDurableName(so.durable);
      const stream = await prepareDurable(nats, conn, topic, so.durable, o).catch((e: unknown) => {
        if (isMicroError(e)) throw e;
        throw serviceUnavailable(`durable subscription ${so.durable} on ${topic} failed: ${(e as Error).message}`, { cause: e });
      });
      send?.forget();
      const loop: DurableLoop = runDurable(nats, conn, { stream, topic, durable: so.durable, handler, autoAck }, o, logger);
      stop = () => loop.stop();
    } else {
      const delivery = new SerialDelivery(handler, logger);
      const headerOf = headerReader();
      // A subject without wildcards is the only one such a subscription receives: no need to decode it per message.
      const exact = !topic.includes('*') && !topic.includes('>');
      // A callback, not the async iterator: nats.js then hands each message over as it parses it.
      const sub = conn.subscribe(topic, {
        ...(so.queue === undefined ? {} : { queue: so.queue }),
        callback: (err, m) => {
          if (err !== null) logger.error({ err, topic }, 'nats subscription ended');
          else delivery.deliver(exact ? topic : m.subject, { header: headerOf(m), body: m.data });
        },
      });
      // A round trip, so the server has the SUB before a publish from another connection arrives.
      await conn.flush();
      stop = async () => {
        // drain: the server stops sending, messages already received are still handled.
        await (conn.isClosed() ? sub.unsubscribe() : sub.drain().catch(() => sub.unsubscribe()));
        await delivery.idle();
      };
    }
    return trackedSubscriber(stops, topic, so.queue, stop);
  }

  return {
    name: 'nats',
    get address() {
      return address;
    },
    connect,
    disconnect,
    publish,
    flush,
    subscribe,
  };
}
