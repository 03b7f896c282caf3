import type { Broker } from '@tsmicro/broker';
import { serviceUnavailable } from '@tsmicro/core';
import type { Registry, ServiceRecord } from '@tsmicro/registry';
import type { PubSubImpl } from '../protocol.js';
import { reason } from '../reason.js';
import { messageBytes } from './message.js';
import type { PubSide, SubSide } from './side.js';

/** The tsmicro brokers W3 runs on. */
export type BrokerImpl = Extract<PubSubImpl, 'natsBroker' | 'redisBroker' | 'httpBroker'>;

/** The service name httpBroker registers subscriptions under (its default). */
export const HTTP_BROKER_SERVICE = 'micro.http.broker';

/**
 * httpBroker finds subscribers through a registry. Publisher and subscriber run in different
 * processes, so each gets a memoryRegistry and the subscriber's records travel to the publisher
 * through the parent: no multicast, no extra server, still loopback only.
 */
async function seededRegistry(seed: unknown): Promise<Registry> {
  const { memoryRegistry } = await import('@tsmicro/registry');
  const registry = memoryRegistry();
  for (const r of (seed ?? []) as ServiceRecord[]) await registry.register(r);
  return registry;
}

// Each broker is imported on use, so one unfinished adapter costs only its own row.
async function create(impl: BrokerImpl, seed: unknown): Promise<{ broker: Broker; registry?: Registry }> {
  if (impl === 'natsBroker') return { broker: (await import('@tsmicro/broker/nats')).natsBroker({ servers: '127.0.0.1:4222' }) };
  if (impl === 'redisBroker') return { broker: (await import('@tsmicro/broker/redis')).redisBroker({ host: '127.0.0.1', port: 6379 }) };
  const registry = await seededRegistry(seed);
  return { broker: (await import('@tsmicro/broker/http')).httpBroker({ registry, address: '127.0.0.1:0' }), registry };
}

/** Creates and connects the tsmicro broker `impl`, or throws 503 "not available yet". */
export async function openBroker(impl: BrokerImpl, seed: unknown): Promise<{ broker: Broker; registry?: Registry }> {
  let made: { broker: Broker; registry?: Registry };
  try {
    made = await create(impl, seed);
  } catch (e) {
    throw serviceUnavailable(`${impl} not available yet (${reason(e)})`);
  }
  await made.broker.connect();
  return made;
}

/** Publishes through a tsmicro broker; each publish resolves when the broker confirms it. */
export async function brokerPub(impl: BrokerImpl, topic: string, seed: unknown): Promise<PubSide> {
  const { broker, registry } = await openBroker(impl, seed);
  return {
    publish: (i, warm) => broker.publish(topic, { header: {}, body: messageBytes(i, warm) }),
    flush: () => broker.flush(),
    close: async () => {
      await broker.disconnect();
      await registry?.close();
    },
  };
}

/** Subscribes through a tsmicro broker; `seed` carries httpBroker's registry records to the publisher. */
export async function brokerSub(impl: BrokerImpl, topic: string, onMessage: (body: Uint8Array) => void): Promise<SubSide> {
  const { broker, registry } = await openBroker(impl, undefined);
  const sub = await broker.subscribe(topic, (e) => onMessage(e.message.body));
  const seed = registry ? await registry.getService(HTTP_BROKER_SERVICE) : undefined;
  return {
    address: broker.address,
    seed,
    close: async () => {
      await sub.unsubscribe();
      await broker.disconnect();
      await registry?.close();
    },
  };
}
