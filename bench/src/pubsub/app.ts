import { createClient } from '@tsmicro/client';
import { createServer } from '@tsmicro/server';
import type { PubSubImpl } from '../protocol.js';
import { type BrokerImpl, HTTP_BROKER_SERVICE, openBroker } from './brokers.js';
import { messageValue } from './message.js';
import type { PubSide, SubSide } from './side.js';

/**
 * W3 the way apps publish and receive: `client.publish(topic, value)` (the client's codec encodes the
 * value) in the publisher, `server.subscribe(topic, fn)` (decode, context, subscriber
 * wrappers) in the subscriber, each over a tsmicro broker with every other option at its default.
 */
export type AppImpl = Extract<PubSubImpl, 'natsApp' | 'redisApp' | 'httpApp'>;

const brokerOf = (impl: AppImpl): BrokerImpl => impl.replace(/App$/, 'Broker') as BrokerImpl;

// The harness tells warm-up from measured messages by the byte after `{"` (see roles.ts); a handler
// gets the decoded value, so it hands the harness one of these instead.
const encoder = new TextEncoder();
const WARM = encoder.encode('{"w":1}');
const MEASURED = encoder.encode('{"i":0}');

/** Publishes `{ i, t }` values (`{ w, i }` during warm-up) through `client.publish`; each resolves once the broker confirms. */
export async function appPub(impl: AppImpl, topic: string, seed: unknown): Promise<PubSide> {
  const { broker, registry } = await openBroker(brokerOf(impl), seed);
  const client = createClient({ broker });
  return {
    publish: (i, warm) => client.publish(topic, messageValue(i, warm)),
    flush: () => broker.flush(),
    close: async () => {
      await client.close();
      await broker.disconnect();
      await registry?.close();
    },
  };
}

/** A server subscribed to `topic`; `seed` carries httpBroker's registry records to the publisher. */
export async function appSub(impl: AppImpl, topic: string, onMessage: (body: Uint8Array) => void): Promise<SubSide> {
  const { broker, registry } = await openBroker(brokerOf(impl), undefined);
  const server = createServer({ name: `bench-sub-${process.pid}`, broker });
  server.subscribe(topic, (v) => onMessage((v as { w?: number }).w === undefined ? MEASURED : WARM));
  await server.start();
  const seed = registry ? await registry.getService(HTTP_BROKER_SERVICE) : undefined;
  return {
    address: broker.address,
    seed,
    close: async () => {
      await server.stop();
      await broker.disconnect();
      await registry?.close();
    },
  };
}
