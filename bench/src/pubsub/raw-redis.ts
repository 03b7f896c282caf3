import { Redis } from 'ioredis';
import { messageBytes } from './message.js';
import type { PubSide, SubSide } from './side.js';

const REDIS = { host: '127.0.0.1', port: 6379 };

/** Raw ioredis: commands pipeline on one connection as long as we do not await each. */
export async function redisPub(topic: string): Promise<PubSide> {
  const r = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  return {
    publish: (i, warm) => {
      const body = messageBytes(i, warm);
      return r.publish(topic, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    },
    flush: async () => {},
    close: async () => {
      r.disconnect();
    },
  };
}

/** Raw ioredis SUBSCRIBE on its own connection, messages as Buffers. */
export async function redisSub(topic: string, onMessage: (body: Uint8Array) => void): Promise<SubSide> {
  const r = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  r.on('messageBuffer', (_channel: Buffer, message: Buffer) => onMessage(message));
  await r.subscribe(topic);
  return {
    address: `${REDIS.host}:${REDIS.port}`,
    close: async () => {
      r.disconnect();
    },
  };
}
