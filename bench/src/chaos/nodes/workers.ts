import type { Client } from '@tsmicro/client';
import type { LoadSpec } from './protocol.js';

/** What the caller saw of `Chaos.once`. */
export interface OnceCounters {
  attempted: number;
  succeeded: number;
  failed: number;
}

/** What the caller saw. A stream counts as one call. */
export interface Counters {
  attempted: number;
  succeeded: number;
  failed: number;
  streams: number;
}

interface Sink {
  counters: Counters;
  once: OnceCounters;
  /** Calls `Chaos.once` (not idempotent); ids are unique per process. */
  onceClient: Client;
  /** A call of either kind ended well, at epoch ms `at`. */
  done(at: number): void;
  failOnce(e: unknown): void;
  signal: AbortSignal;
  /** One successful call: its start (epoch ms) and duration (ms). */
  record(startMs: number, ms: number): void;
  fail(e: unknown): void;
}

const STREAM_ITEMS = 16;

async function serverStream(client: Client): Promise<void> {
  const s = await client.stream<{ n: number }, { i: number }>('chaos', 'Chaos.count', { timeout: 5000 });
  await s.send({ n: STREAM_ITEMS });
  await s.closeSend();
  let got = 0;
  for await (const _ of s) got++;
  if (got !== STREAM_ITEMS) throw new Error(`server stream ended after ${got} of ${STREAM_ITEMS} messages`);
}

async function bidi(client: Client): Promise<void> {
  const s = await client.stream<{ i: number }, { i: number }>('chaos', 'Chaos.chat', { timeout: 5000 });
  const it = s[Symbol.asyncIterator]();
  for (let i = 0; i < STREAM_ITEMS; i++) {
    await s.send({ i });
    const r = await it.next();
    if (r.done || r.value.i !== i) throw new Error(`bidi stream answered ${JSON.stringify(r.value)} to ${i}`);
  }
  await s.closeSend();
  const end = await it.next();
  if (!end.done) throw new Error('bidi stream sent more than it was asked');
}

/**
 * Closed loop: each worker starts its next call when the previous one ends, until `durationMs`
 * passes or the signal aborts. Stream workers alternate server-stream and bidi calls.
 */
export async function runWorkers(client: Client, spec: LoadSpec, sink: Sink): Promise<void> {
  const end = Date.now() + spec.durationMs;
  const c = sink.counters;
  const onceFrom = spec.streamWorkers;
  const onceTo = onceFrom + (spec.onceWorkers ?? 0);
  const onceWorker = async (w: number) => {
    const o = sink.once;
    for (let n = 0; Date.now() < end && !sink.signal.aborted; n++) {
      o.attempted++;
      try {
        await sink.onceClient.call('chaos', 'Chaos.once', { id: `${process.pid}-${w}-${n}` });
        o.succeeded++;
        sink.done(Date.now());
      } catch (e) {
        o.failed++;
        sink.failOnce(e);
      }
    }
  };
  const worker = async (w: number) => {
    if (w >= onceFrom && w < onceTo) return onceWorker(w);
    const streaming = w < spec.streamWorkers;
    for (let n = 0; Date.now() < end && !sink.signal.aborted; n++) {
      const t0 = Date.now();
      const p0 = performance.now();
      c.attempted++;
      try {
        if (!streaming) await client.call('chaos', 'Chaos.echo', { i: n });
        else if (w % 2 === 0) await serverStream(client);
        else await bidi(client);
        if (streaming) c.streams++;
        c.succeeded++;
        sink.record(t0, performance.now() - p0);
        sink.done(Date.now());
      } catch (e) {
        c.failed++;
        sink.fail(e);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, (_, w) => worker(w)));
}
