import type { Logger } from '@tsmicro/core';
import type { NatsConnection } from 'nats';
import type { Handler } from '../broker.js';
import { runHandler } from '../event.js';
import { interruptiblePause } from '../internal/interruptible-pause.js';
import { fromNatsHeaders } from './headers.js';
import { ensureConsumer, ensureStream } from './jetstream.js';
import type { ResolvedNatsOptions } from './options.js';

/** Longest a pull waits for messages; also the longest `stop()` waits for the pull in progress. */
const PULL_EXPIRES_MS = 1000; // nats.js refuses less

type Nats = typeof import('nats');

/** A running JetStream durable subscription; `stop()` ends it after the current handler. */
export interface DurableLoop {
  stop(): Promise<void>;
}

/** Ensures stream + consumer once, so `subscribe()` fails fast on a bad topic or conflict. */
export async function prepareDurable(nats: Nats, nc: NatsConnection, topic: string, durable: string, o: ResolvedNatsOptions) {
  const jsm = await nc.jetstreamManager();
  const stream = await ensureStream(nats, jsm, topic, o);
  await ensureConsumer(nats, jsm, stream, durable, topic, o);
  return stream;
}

/** What one durable subscription consumes and how it hands messages to its handler. */
export interface DurableSpec {
  stream: string;
  topic: string;
  durable: string;
  handler: Handler;
  autoAck: boolean;
}

/**
 * Pulls from the durable consumer and runs the handler one message at a time. The pull loop is
 * restarted whenever it ends unexpectedly (server restart, consumer recreated, JetStream briefly
 * unavailable), so a durable subscription outlives outages as core subscriptions do.
 */
export function runDurable(nats: Nats, nc: NatsConnection, sub: DurableSpec, o: ResolvedNatsOptions, logger: Logger): DurableLoop {
  const { stream, topic, durable, handler, autoAck } = sub;
  let stopped = false;

  const pause = interruptiblePause();

  // Bounded pulls rather than one open-ended consume(): closing a consume() only drops the client's
  // inbox while the server keeps the pull open, so messages published just after an unsubscribe went
  // to a dead inbox and came back only after ackWait. A stop now lets the current pull end (at most
  // PULL_EXPIRES_MS) and gives back whatever it brought.
  const once = async () => {
    const consumer = await nc.jetstream().consumers.get(stream, durable);
    while (!stopped && !nc.isClosed()) {
      const batch = await consumer.fetch({ max_messages: o.prefetch, expires: PULL_EXPIRES_MS });
      for await (const m of batch) {
        // Pulled but not handled before stop: give it straight back instead of waiting for ackWait.
        if (stopped) {
          m.nak();
          continue;
        }
        await runHandler({
          topic: m.subject,
          message: { header: fromNatsHeaders(m.headers), body: m.data },
          handler,
          autoAck,
          logger,
          // Neither ack nor nack: the server redelivers after ackWait.
          onSettle: (v) => (v === 'ack' ? m.ack() : m.nak(o.nakDelay > 0 ? o.nakDelay : undefined)),
        });
      }
    }
  };

  const loop = (async () => {
    while (!stopped && !nc.isClosed()) {
      try {
        await once();
      } catch (err) {
        if (stopped || nc.isClosed()) break;
        logger.warn({ err, topic, durable }, 'durable subscription interrupted; retrying');
        // The consumer may be gone (e.g. JetStream state lost): recreate it before pulling again.
        await prepareDurable(nats, nc, topic, durable, o).catch(() => undefined);
      }
      if (!stopped) await pause(o.reconnectTimeWait);
    }
  })();

  return {
    async stop() {
      stopped = true;
      pause.interrupt();
      await loop;
    },
  };
}
