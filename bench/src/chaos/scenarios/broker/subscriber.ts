/**
 * Child process of the broker-restart scenario: one durable subscriber that appends the sequence
 * number of every message it handles to a record file *before* the handler returns (and so before
 * the ack). A SIGKILL can therefore only cause a redelivery (a duplicate), never hide a handled
 * message. Writes `ready <pid>` to the file once subscribed.
 *
 * argv: kind (nats|redis) port topic durable recordFile lifetimeMs
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Broker } from '@tsmicro/broker';
import { natsBroker } from '@tsmicro/broker/nats';
import { redisBroker } from '@tsmicro/broker/redis';

const [kind, port, topic, durable, recordFile, lifetime] = process.argv.slice(2);
if (kind === undefined || port === undefined || topic === undefined || durable === undefined || recordFile === undefined) {
  process.stderr.write('usage: subscriber.ts nats|redis port topic durable recordFile [lifetimeMs]\n');
  process.exit(2);
}

/** Redelivery delays kept short so a killed subscriber's in-flight messages come back within the run. */
const REDELIVER_MS = 2000;

const broker: Broker =
  kind === 'nats'
    ? natsBroker({ servers: `127.0.0.1:${port}`, reconnectTimeWait: 100, ackWait: REDELIVER_MS, prefetch: 64 })
    : redisBroker({ port: Number(port), maxReconnectDelay: 100, claimIdle: REDELIVER_MS, claimInterval: 250, batch: 64 });

const fd = openSync(recordFile, 'a');
const decoder = new TextDecoder();
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    clearInterval(orphanCheck);
    clearTimeout(lifetimeTimer);
    await broker.disconnect().catch(() => undefined);
    closeSync(fd);
  }
  process.exit(code);
}

// Stops by itself: when its parent is gone, or at the end of its lifetime.
const parent = process.ppid;
const orphanCheck = setInterval(() => {
  if (process.ppid !== parent) void stop(1);
}, 500);
const lifetimeTimer = setTimeout(() => void stop(1), Number(lifetime ?? 300_000));
process.once('SIGTERM', () => void stop(0));
process.once('SIGINT', () => void stop(0));

try {
  await broker.connect();
  await broker.subscribe(
    topic,
    (e) => {
      writeSync(fd, `${decoder.decode(e.message.body)}\n`);
    },
    { durable },
  );
  writeSync(fd, `ready ${process.pid}\n`);
} catch (e) {
  process.stderr.write(`subscriber failed: ${(e as Error).message}\n`);
  await stop(1);
}
