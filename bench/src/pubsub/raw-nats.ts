import { connect } from 'nats';
import { messageBytes } from './message.js';
import type { PubSide, SubSide } from './side.js';

const NATS = '127.0.0.1:4222';

/** Raw nats.js: `publish` only buffers, the client flushes on its own. */
export async function natsPub(topic: string): Promise<PubSide> {
  const nc = await connect({ servers: NATS });
  return {
    publish(i, warm) {
      nc.publish(topic, messageBytes(i, warm));
      return undefined;
    },
    flush: () => nc.flush(),
    close: () => nc.close(),
  };
}

/** Raw nats.js subscription with a callback (no async iterator: the fastest way nats.js delivers). */
export async function natsSub(topic: string, onMessage: (body: Uint8Array) => void): Promise<SubSide> {
  const nc = await connect({ servers: NATS });
  nc.subscribe(topic, { callback: (err, m) => err === null && onMessage(m.data) });
  // The subscription must reach the server before the publisher starts.
  await nc.flush();
  return { address: NATS, close: () => nc.close() };
}
