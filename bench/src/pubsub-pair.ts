import { badRequest } from '@tsmicro/core';
import { PUBSUB_IMPLS, type PubSubImpl } from './protocol.js';
import { openPub, openSub } from './pubsub/roles.js';

/**
 * Publisher and subscriber of W3 stacks in ONE process, for instruction counts (the W3 twin of
 * pair.ts): `valgrind --tool=callgrind node --predictable --random-seed=42 --hash-seed=42
 * bench/dist/pubsub-pair.js <pub> [sub] <messages>`, run once with 0 messages and once with N;
 * (Ir(N) − Ir(0)) / N is the instructions per message, publishing and receiving together. The broker
 * server runs outside, so only this process is counted. Both runs first send WARMUP messages. `sub`
 * defaults to `pub`; mixing (`natsApp nats`) counts one side of the app path against a raw other side.
 */

const WARMUP = 20_000;
/** Publishes awaiting their confirmation at once, as in the bench's publisher (roles.ts). */
const WINDOW = 256;
/** Generous: under valgrind a burst runs ~50× slower than natively. */
const BURST_LIMIT_MS = 30 * 60_000;

const impl = (s: string | undefined): PubSubImpl => {
  const found = PUBSUB_IMPLS.find((i) => i === s);
  if (!found || found.startsWith('http'))
    throw badRequest(`unknown stack ${s}: one of ${PUBSUB_IMPLS.filter((i) => !i.startsWith('http')).join(', ')}`);
  return found;
};

const args = process.argv.slice(2);
const pubImpl = impl(args[0]);
const subImpl = args.length >= 3 ? impl(args[1]) : pubImpl;
const count = Number(args[args.length - 1] ?? 0);
if (!Number.isInteger(count) || count < 0 || args.length < 2) throw badRequest('usage: pubsub-pair.js <pub> [sub] <messages>');

const topic = `bench.pair.${process.pid}`;
let received = 0;
let target = 0;
let arrived: (() => void) | undefined;
const sub = await openSub(subImpl, topic, () => {
  received++;
  if (received === target) arrived?.();
});
const pub = await openPub(pubImpl, topic, sub.address, sub.seed);

/** Publishes `n` messages (at most WINDOW unconfirmed, the loop turning every 1024 for buffering clients) and waits until all arrived. */
async function burst(n: number): Promise<void> {
  if (n === 0) return;
  target = received + n;
  const all = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${received - (target - n)} of ${n} messages arrived`)), BURST_LIMIT_MS);
    arrived = () => {
      clearTimeout(t);
      resolve();
    };
  });
  let inflight = 0;
  let wake: (() => void) | undefined;
  const settle = () => {
    inflight--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  for (let i = 0; i < n; i++) {
    const r = pub.publish(i, false);
    if (r !== undefined) {
      inflight++;
      r.then(settle, settle);
    }
    if (inflight >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
    else if (i % 1024 === 1023) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await pub.flush();
  await all;
}

await burst(WARMUP);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await burst(count);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
// CPU time per message: a rough second figure where valgrind is too slow (load-dependent, unlike instructions).
const perMessage = count > 0 ? ` (${((cpu.user + cpu.system) / count).toFixed(2)} µs CPU per message)` : '';
process.stderr.write(`${pubImpl} → ${subImpl}: ${count} messages in ${ms.toFixed(0)} ms${perMessage}\n`);
await pub.close();
await sub.close();
