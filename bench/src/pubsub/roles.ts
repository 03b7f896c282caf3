import { performance } from 'node:perf_hooks';
import { setTimeout as sleep, setImmediate as yieldLoop } from 'node:timers/promises';
import type { ChildSpec, PubSubImpl } from '../protocol.js';
import type { PubSide, SubSide } from './side.js';

type PubSpec = Extract<ChildSpec, { role: 'pub' }>;
type SubSpec = Extract<ChildSpec, { role: 'sub' }>;

/** Publishes that may await a confirmation at once; enough to pipeline, few enough to bound memory. */
const WINDOW = 256;
/** A subscriber that hears nothing for this long after the publisher finished has seen all it will. */
const QUIET_MS = 500;

const now = () => performance.timeOrigin + performance.now();

// Imported on use: a child loads one client library, so its RSS is that stack's alone.
export async function openPub(impl: PubSubImpl, topic: string, subAddress: string, seed: unknown): Promise<PubSide> {
  if (impl === 'nats') return (await import('./raw-nats.js')).natsPub(topic);
  if (impl === 'redis') return (await import('./raw-redis.js')).redisPub(topic);
  if (impl === 'http') return (await import('./raw-http.js')).httpPub(topic, subAddress);
  if (impl === 'natsApp' || impl === 'redisApp' || impl === 'httpApp') return (await import('./app.js')).appPub(impl, topic, seed);
  return (await import('./brokers.js')).brokerPub(impl, topic, seed);
}

export async function openSub(impl: PubSubImpl, topic: string, onMessage: (body: Uint8Array) => void): Promise<SubSide> {
  if (impl === 'nats') return (await import('./raw-nats.js')).natsSub(topic, onMessage);
  if (impl === 'redis') return (await import('./raw-redis.js')).redisSub(topic, onMessage);
  if (impl === 'http') return (await import('./raw-http.js')).httpSub(topic, onMessage);
  if (impl === 'natsApp' || impl === 'redisApp' || impl === 'httpApp') return (await import('./app.js')).appSub(impl, topic, onMessage);
  return (await import('./brokers.js')).brokerSub(impl, topic, onMessage);
}

/** What a burst did: handed over (minus rejected) is `published`; `unconfirmed` were still pending at the end. */
interface Burst {
  published: number;
  failed: number;
  unconfirmed: number;
}

/** Publishes up to `count` messages (keeping at most WINDOW unconfirmed) until `deadline`. */
async function publishMany(pub: PubSide, count: number, deadline: number, warm: boolean): Promise<Burst> {
  let attempted = 0;
  let failed = 0;
  let inflight = 0;
  let wake: (() => void) | undefined;
  const settle = (ok: boolean) => {
    inflight--;
    if (!ok) failed++;
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Shared by every publish: a pair of closures per publish was harness work charged only to the
  // stacks that confirm with a promise (raw nats.js returns none).
  const ok = () => settle(true);
  const fail = () => settle(false);
  // Waits for one confirmation, but never past `until`: a publish that never settles must not hang the run.
  const settled = (until: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(0, until - now()));
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  for (let i = 0; i < count && now() < deadline; i++) {
    const r = pub.publish(i, warm);
    attempted++;
    if (r !== undefined) {
      inflight++;
      r.then(ok, fail);
    }
    if (inflight >= WINDOW) await settled(deadline);
    // Buffering-only clients need the loop to turn now and then to put bytes on the wire.
    else if (i % 1024 === 1023) await yieldLoop();
  }
  const drainUntil = Math.max(now(), deadline) + 5000;
  while (inflight > 0 && now() < drainUntil) await settled(drainUntil);
  wake = undefined;
  return { published: attempted - failed, failed, unconfirmed: inflight };
}

/** Warm-up for `warmupMs`, then the measured burst of `count` messages, bounded by `limitMs`. */
export async function runPublisher(spec: PubSpec): Promise<Burst & { startAt: number; endAt: number }> {
  const pub = await openPub(spec.impl, spec.topic, spec.subAddress, spec.subSeed);
  try {
    await publishMany(pub, 50_000, now() + spec.warmupMs, true);
    await pub.flush();
    // Lets the subscriber drain the warm-up backlog, so it does not count against the measured burst.
    await sleep(200);
    const startAt = now();
    const r = await publishMany(pub, spec.count, startAt + spec.limitMs, false);
    await pub.flush();
    return { ...r, startAt, endAt: now() };
  } finally {
    await pub.close().catch(() => {});
  }
}

/**
 * Counts measured messages until `count` arrive, or the publisher is done (`finished` gives how
 * many it published) and the topic went quiet, or `limitMs` pass.
 */
export async function runSubscriber(
  spec: SubSpec,
  ready: (address: string, seed: unknown) => Promise<void>,
  finished: Promise<number>,
): Promise<{ received: number; firstAt: number; lastAt: number }> {
  let received = 0;
  let firstAt = 0;
  let lastAt = 0;
  const sub = await openSub(spec.impl, spec.topic, (body) => {
    // `{"w"` marks warm-up; measured payloads start with `{"i"`.
    if (body[2] === 0x77) return;
    received++;
    lastAt = now();
    if (firstAt === 0) firstAt = lastAt;
  });
  await ready(sub.address, sub.seed);
  const hardStop = now() + spec.limitMs;
  let published: number | undefined;
  let finishedAt = 0;
  void finished.then((n) => {
    published = n;
    finishedAt = now();
  });
  while (now() < hardStop && received < spec.count) {
    await sleep(20);
    if (published === undefined) continue;
    if (received >= published || now() - Math.max(lastAt, finishedAt) > QUIET_MS) break;
  }
  await sub.close().catch(() => {});
  return { received, firstAt, lastAt };
}
