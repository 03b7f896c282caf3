import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@tsmicro/core';
import type { Redis } from 'ioredis';
import type { Handler } from '../broker.js';
import { runHandler } from '../event.js';
import { interruptiblePause } from '../internal/interruptible-pause.js';
import { decodeEnvelope } from './envelope.js';
import type { ResolvedRedisOptions } from './options.js';
import { type Entry, parseAutoClaim, parseReadGroup } from './reply.js';

/** One stream subscription: a consumer in group `group` on the stream of `pattern`. */
export interface StreamSpec {
  pattern: string;
  group: string;
  handler: Handler;
  autoAck: boolean;
}

/** Keys of the stream machinery, all under the broker's key prefix. */
export const streamKey = (o: ResolvedRedisOptions, pattern: string) => `${o.keyPrefix}s:${pattern}`;
export const patternSetKey = (o: ResolvedRedisOptions) => `${o.keyPrefix}patterns`;

/**
 * Registers the pattern (so publishes XADD to it) and creates the group if missing: at "now"
 * (`$`) for a new subscription, from the start (`0`) when it is re-created after Redis lost it,
 * because everything in the stream then arrived after the loss and is meant for the group.
 */
export async function ensureGroup(main: Redis, spec: StreamSpec, o: ResolvedRedisOptions, from: '$' | '0' = '$'): Promise<void> {
  await main.sadd(patternSetKey(o), spec.pattern);
  await main.call('XGROUP', ['CREATE', streamKey(o, spec.pattern), spec.group, from, 'MKSTREAM']).catch((e: unknown) => {
    if (!String((e as Error).message).startsWith('BUSYGROUP')) throw e;
  });
}

/**
 * Runs one consumer: reads new entries (XREADGROUP on its own blocking connection), replays its
 * own pending entries after a nack, and every `claimInterval` takes over entries that another
 * (presumably dead) consumer left pending longer than `claimIdle` (XAUTOCLAIM).
 */
export async function startStreamConsumer(main: Redis, spec: StreamSpec, o: ResolvedRedisOptions, logger: Logger) {
  const key = streamKey(o, spec.pattern);
  const consumer = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const conn = main.duplicate({
    lazyConnect: true,
    commandTimeout: undefined,
    maxRetriesPerRequest: null,
    connectionName: 'tsmicro-stream',
  });
  conn.on('error', (err: Error) => logger.debug({ err: err.message, key }, 'redis stream connection error'));
  let clientId: number | undefined;
  conn.on('ready', () => {
    void conn.call('CLIENT', ['ID']).then(
      (id) => (clientId = Number(id)),
      () => undefined,
    );
    // After a Redis restart (data lost) the pattern and group must exist again before publishes resume.
    void ensureGroup(main, spec, o, '0').catch((err: unknown) => logger.warn({ err, key }, 'redis stream group setup failed'));
  });
  await conn.connect();

  let stopped = false;
  let reading = false;
  let replayFrom: string | undefined; // set: replaying our own pending entries from this id
  let replayAgain = false;
  let claimCursor = '0-0';
  let nextClaim = Date.now() + o.claimInterval;
  const pause = interruptiblePause();

  const handle = async (e: Entry) => {
    if (e.fields === undefined) {
      await main.xack(key, spec.group, e.id); // trimmed by MAXLEN while pending: nothing left to deliver
      return;
    }
    const payload = e.fields.get('m');
    const message = payload === undefined ? { header: {}, body: new Uint8Array(0) } : decodeEnvelope(payload);
    const topic = e.fields.get('t')?.toString('utf8') ?? spec.pattern;
    let acked: Promise<unknown> | undefined;
    await runHandler({
      topic,
      message,
      handler: spec.handler,
      autoAck: spec.autoAck,
      logger,
      onSettle: (v) => {
        if (v === 'ack') acked = main.xack(key, spec.group, e.id);
        else replayAgain = true; // stays pending; replayed after nackDelay
      },
    });
    await acked;
  };

  const next = async (): Promise<Entry[]> => {
    if (Date.now() >= nextClaim) {
      nextClaim = Date.now() + o.claimInterval;
      const r = parseAutoClaim(
        await main.callBuffer('XAUTOCLAIM', [key, spec.group, consumer, o.claimIdle, claimCursor, 'COUNT', o.batch]),
      );
      claimCursor = r.cursor;
      if (r.entries.length > 0) return r.entries;
    }
    if (replayFrom !== undefined) {
      const r = parseReadGroup(
        await conn.callBuffer('XREADGROUP', ['GROUP', spec.group, consumer, 'COUNT', o.batch, 'STREAMS', key, replayFrom]),
      );
      const last = r.at(-1);
      replayFrom = last?.id;
      return r;
    }
    const block = Math.max(1, Math.min(nextClaim - Date.now(), 5000));
    reading = true;
    try {
      return parseReadGroup(
        await conn.callBuffer('XREADGROUP', ['GROUP', spec.group, consumer, 'COUNT', o.batch, 'BLOCK', block, 'STREAMS', key, '>']),
      );
    } finally {
      reading = false;
    }
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        for (const e of await next()) {
          if (stopped) break; // left pending: reclaimed by the group after claimIdle
          await handle(e);
        }
        if (replayFrom === undefined && replayAgain && !stopped) {
          replayAgain = false;
          await pause(o.nackDelay);
          replayFrom = '0';
        }
      } catch (err) {
        if (stopped) break;
        if (String((err as Error).message).startsWith('NOGROUP')) {
          await ensureGroup(main, spec, o, '0').catch(() => undefined);
        } else {
          logger.warn({ err, key }, 'redis stream read failed; retrying');
        }
        await pause(Math.min(o.maxReconnectDelay, 500));
      }
    }
  })();

  return {
    consumer,
    /** Stops after the running handler; a consumer with nothing pending leaves the group. */
    async stop(): Promise<void> {
      stopped = true;
      pause.interrupt();
      if (reading && clientId !== undefined && conn.status === 'ready') {
        await main.call('CLIENT', ['UNBLOCK', clientId]).catch(() => undefined);
      }
      // UNBLOCK can miss a read that was not yet blocking, and an offline connection never answers.
      const force = setTimeout(() => conn.disconnect(), conn.status === 'ready' ? 250 : 0);
      await loop;
      clearTimeout(force);
      const pending = await main.call('XPENDING', [key, spec.group, '-', '+', '1', consumer]).catch(() => undefined);
      if (Array.isArray(pending) && pending.length === 0) {
        await main.call('XGROUP', ['DELCONSUMER', key, spec.group, consumer]).catch(() => undefined);
      }
      conn.disconnect();
    },
  };
}
