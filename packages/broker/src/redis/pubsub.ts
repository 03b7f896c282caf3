import type { Logger } from '@tsmicro/core';
import type { Redis } from 'ioredis';
import type { Handler } from '../broker.js';
import { SerialDelivery } from '../internal/serial-delivery.js';
import { compilePattern, type TopicMatcher } from '../topic.js';
import { envelopeDecoder } from './envelope.js';
import { toRedisGlob } from './glob.js';

interface PlainSub {
  match: TopicMatcher;
  /** Deliveries run one after another, so a subscriber sees one publisher's order. */
  delivery: SerialDelivery;
}

/**
 * Routes the one pub/sub connection's messages to plain subscriptions. Exact topics use
 * SUBSCRIBE; wildcard patterns PSUBSCRIBE a glob and re-check each topic exactly. Every Redis
 * channel or glob is subscribed once, however many local subscriptions share it.
 */
export function pubsubRouter(conn: Redis, logger: Logger) {
  const exact = new Map<string, Set<PlainSub>>();
  const globs = new Map<string, Set<PlainSub>>();
  const ready = new Map<string, Promise<unknown>>();
  const decodeEnvelope = envelopeDecoder();

  const deliver = (subs: Set<PlainSub> | undefined, topic: string, payload: Buffer) => {
    if (!subs) return;
    const message = decodeEnvelope(payload);
    // A lone subscriber takes the decoded message itself; several each get a copy of it (and none
    // gets the original), so one handler's changes never reach another.
    const shared = subs.size === 1;
    for (const s of subs) {
      if (!s.match(topic)) continue;
      s.delivery.deliver(topic, shared ? message : { header: { ...message.header }, body: message.body.slice() });
    }
  };
  conn.on('messageBuffer', (channel: Buffer, payload: Buffer) => {
    const topic = channel.toString();
    deliver(exact.get(topic), topic, payload);
  });
  conn.on('pmessageBuffer', (glob: Buffer, channel: Buffer, payload: Buffer) =>
    deliver(globs.get(glob.toString()), channel.toString(), payload),
  );

  return {
    /** Subscribes; resolves once Redis confirmed, returning the function that unsubscribes and drains. */
    async add(pattern: string, handler: Handler): Promise<() => Promise<void>> {
      const s: PlainSub = { match: compilePattern(pattern), delivery: new SerialDelivery(handler, logger) };
      const glob = toRedisGlob(pattern);
      const [table, key] = glob === undefined ? [exact, pattern] : [globs, glob];
      const redisKey = `${glob === undefined ? 'c' : 'p'}:${key}`;
      let subs = table.get(key);
      if (subs === undefined) {
        subs = new Set();
        table.set(key, subs);
        // Commands on one connection run in order, so a racing UNSUBSCRIBE/SUBSCRIBE pair ends subscribed.
        ready.set(redisKey, glob === undefined ? conn.subscribe(key) : conn.psubscribe(key));
      }
      subs.add(s);
      const remove = async () => {
        const set = table.get(key);
        if (set?.delete(s) && set.size === 0) {
          table.delete(key);
          ready.delete(redisKey);
          await (glob === undefined ? conn.unsubscribe(key) : conn.punsubscribe(key)).catch(() => undefined);
        }
        await s.delivery.idle();
      };
      try {
        await ready.get(redisKey);
      } catch (e) {
        await remove();
        throw e;
      }
      return remove;
    },
  };
}
