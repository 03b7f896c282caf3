import { canceled, isMicroError, loadOptional, payloadTooLarge, serviceUnavailable } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import type { Redis, RedisOptions } from 'ioredis';
import type { Broker, Handler, PublishOptions, SubscribeOptions, Subscriber } from '../broker.js';
import { PendingPublishes } from '../internal/pending.js';
import { trackedSubscriber } from '../internal/tracked-subscriber.js';
import { topicCheck, validatePattern } from '../topic.js';
import { tickCorker } from './cork.js';
import { envelopeEncoder } from './envelope.js';
import { type RedisBrokerOptions, resolveOptions } from './options.js';
import { runPublish } from './publish-script.js';
import { pubsubRouter } from './pubsub.js';
import { ensureGroup, patternSetKey, startStreamConsumer, streamKey } from './streams.js';

/** The part of the ioredis module the broker uses (its CommonJS default export types differently under ESM). */
type IORedis = Pick<typeof import('ioredis'), 'Redis'>;
// ioredis's constructor types reject its own `replyMapping` field under exactOptionalPropertyTypes.
type ConnOptions = Omit<RedisOptions, 'replyMapping'>;

/** The address without credentials, for errors and logs. */
function displayAddress(url: string | undefined, host: string, port: number): string {
  if (url === undefined) return `${host}:${port}`;
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return url;
  }
}

/** True when Redis answered the patterns the publisher already knows (nearly always). */
function samePatterns(seen: string[], known: Set<string>): boolean {
  if (seen.length !== known.size) return false;
  for (const p of seen) if (!known.has(p)) return false;
  return true;
}

/**
 * A broker on Redis: pub/sub for plain subscriptions, Streams with consumer groups for `queue`
 * and `durable` ones. See `index.ts` for the encoding and the guarantees.
 * @example const broker = redisBroker({ url: 'redis://127.0.0.1:6379' }); await broker.connect();
 */
export function redisBroker(options: RedisBrokerOptions = {}): Broker {
  const o = resolveOptions(options);
  const logger = o.logger.child({ component: 'redisBroker' });
  const address = displayAddress(o.url, o.host, o.port);
  /** Topics this broker already found valid. */
  const checkTopic = topicCheck();
  const stops = new Set<() => Promise<void>>();
  /** Stream patterns seen in Redis, re-registered by every publish (see publish-script.ts). */
  let patterns = new Set<string>();
  const setKey = patternSetKey(o);
  const streamPrefix = streamKey(o, '');
  let state: { main: Redis; sub: Redis; router: ReturnType<typeof pubsubRouter> } | undefined;

  async function open(mod: IORedis, role: string, extra: ConnOptions): Promise<Redis> {
    let up = false;
    let lastError = 'connection closed';
    const opts: ConnOptions = {
      lazyConnect: true,
      connectTimeout: o.connectTimeout,
      connectionName: `tsmicro-${role}`,
      // Before the first connection: fail connect() at once; afterwards: reconnect forever with backoff.
      retryStrategy: (n) => (up ? Math.min(n * 100, o.maxReconnectDelay) : null),
      ...extra,
    };
    const r = o.url === undefined ? new mod.Redis({ host: o.host, port: o.port, ...opts }) : new mod.Redis(o.url, opts);
    r.on('error', (err: Error) => {
      lastError = err.message;
      if (up) logger.warn({ err: err.message, role }, 'redis connection error');
    });
    r.on('ready', () => {
      if (up) logger.info({ role }, 'redis reconnected');
      up = true;
    });
    // ioredis bounds the TCP connect only; a peer that accepts but never answers would hang connect().
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${o.connectTimeout} ms`)), o.connectTimeout);
    });
    try {
      await Promise.race([r.connect(), late]);
    } catch (e) {
      r.disconnect();
      const why = e instanceof Error && e.message.startsWith('no answer') ? e.message : lastError;
      throw serviceUnavailable(`cannot connect to Redis at ${address}: ${why}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    return r;
  }

  const live = (op: string) => {
    if (state === undefined)
      throw serviceUnavailable(`redisBroker (${address}) is closed or not connected yet; call connect() before ${op}`);
    return state;
  };

  /** Publishes made and not yet answered, for `flush()`. */
  const pending = new PendingPublishes();
  const cork = tickCorker();
  const encodeEnvelope = envelopeEncoder();

  async function publishOne(topic: string, m: Message, po?: PublishOptions): Promise<void> {
    checkTopic(topic);
    if (po?.signal?.aborted) throw canceled(`publish to ${topic} cancelled`);
    const { main } = live('publish');
    const payload = encodeEnvelope(m);
    if (payload.length > o.maxMessageSize) {
      throw payloadTooLarge(
        `message on ${topic} is ${payload.length} bytes encoded; redisBroker's maxMessageSize is ${o.maxMessageSize} bytes`,
      );
    }
    try {
      cork(main);
      const seen = await runPublish(main, [topic, payload, setKey, streamPrefix, o.maxLen], patterns);
      if (!samePatterns(seen, patterns)) patterns = new Set(seen);
    } catch (e) {
      if (isMicroError(e)) throw e;
      throw serviceUnavailable(`publish to ${topic} via Redis at ${address} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  return {
    name: 'redis',
    get address() {
      return address;
    },

    async connect() {
      if (state !== undefined) return;
      const mod = await loadOptional('ioredis', 'redisBroker', (): Promise<IORedis> => import('ioredis'));
      const main = await open(mod, 'main', { commandTimeout: o.publishTimeout });
      const sub = await open(mod, 'pubsub', { commandTimeout: o.publishTimeout }).catch((e: unknown) => {
        main.disconnect();
        throw e;
      });
      state = { main, sub, router: pubsubRouter(sub, logger) };
    },

    async disconnect() {
      const s = state;
      if (s === undefined) return;
      state = undefined;
      // Each stop waits for its running handler: in-flight work drains before the sockets close.
      await Promise.allSettled([...stops].map((stop) => stop()));
      await Promise.allSettled([s.main.quit(), s.sub.quit()]);
      s.main.disconnect();
      s.sub.disconnect();
    },

    publish(topic: string, m: Message, po?: PublishOptions) {
      return pending.track(publishOne(topic, m, po));
    },

    flush: () => pending.settled(),

    async subscribe(topic: string, handler: Handler, so: SubscribeOptions = {}): Promise<Subscriber> {
      validatePattern(topic);
      const { main, router } = live('subscribe');
      const autoAck = so.autoAck ?? true;
      const group = so.durable ?? so.queue;
      let stop: () => Promise<void>;
      try {
        if (group === undefined) {
          stop = await router.add(topic, handler);
        } else {
          const spec = { pattern: topic, group, handler, autoAck };
          await ensureGroup(main, spec, o);
          patterns.add(topic);
          const c = await startStreamConsumer(main, spec, o, logger);
          stop = () => c.stop();
        }
      } catch (e) {
        if (isMicroError(e)) throw e;
        throw serviceUnavailable(`subscribe to ${topic} via Redis at ${address} failed: ${(e as Error).message}`, { cause: e });
      }
      return trackedSubscriber(stops, topic, so.queue, stop);
    },
  };
}
