import type { WatchEvent } from '@tsmicro/registry';
import { openRegistry, type RegistrySpec } from './backends.js';
import { createInbox } from './inbox.js';
import { type Registrant, spawnRegistrant } from './registrant-process.js';
import { type LatencyStats, latencyStats } from './stats.js';

/** Options of {@link measureWatchLatency}. */
export interface WatchLatencyOptions {
  /** Measured register + deregister rounds. Default 100 (so p99 is not simply the max). */
  rounds?: number;
  /** Unmeasured rounds first, so the watch is live and both processes are warm. Default 3. */
  warmupRounds?: number;
  /** Bound (ms) on all rounds: when it passes, the rounds done so far are reported. Default 20_000. */
  budgetMs?: number;
  /** Bound (ms) on each reply and each watch event awaited. Default 5000. */
  stepTimeoutMs?: number;
  /** Ttl (ms) of each registration. Default 30_000. */
  ttl?: number;
}

/** Register → seen and deregister → seen by a watcher in this process, registrant in another. */
export interface WatchLatencyResult {
  register: LatencyStats;
  deregister: LatencyStats;
  /** Set when fewer rounds than asked for were measured. */
  note: string;
}

interface Seen {
  event: WatchEvent;
  at: number;
}

/**
 * How far the child's `performance.now()` is ahead of ours, from the ping with the shortest
 * round trip (error at most half that trip, tens of µs over IPC). Both clocks are the same monotonic
 * clock from different origins, so the offset holds for the whole run.
 */
async function clockOffset(child: Registrant, pings = 8): Promise<number> {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < pings; i++) {
    const t0 = performance.now();
    child.send({ type: 'ping' });
    const { now } = await child.next('pong', 5000);
    const t1 = performance.now();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: now - (t0 + t1) / 2 };
  }
  return best.offset;
}

/**
 * Forks a registrant process that registers and deregisters one node per round in a registry
 * opened from `spec`, while a watcher on its own instance of that registry here waits for each
 * change. Latency runs from just before the child's `register()`/`deregister()` call to the
 * watch event arriving here, in ms.
 * @example const r = await measureWatchLatency({ kind: 'etcd', hosts: '127.0.0.1:2379', prefix: '/bench/' }, { rounds: 100 })
 */
export async function measureWatchLatency(spec: RegistrySpec, options: WatchLatencyOptions = {}): Promise<WatchLatencyResult> {
  const rounds = options.rounds ?? 100;
  const warmup = options.warmupRounds ?? 3;
  const budgetMs = options.budgetMs ?? 20_000;
  const step = options.stepTimeoutMs ?? 5000;
  const service = `bench-discovery-${process.pid}-${Date.now().toString(36)}`;

  const watcher = await openRegistry(spec);
  const stop = new AbortController();
  const events = createInbox<Seen>();
  const pump = (async () => {
    try {
      for await (const event of watcher.watch({ service, signal: stop.signal })) events.push({ event, at: performance.now() });
      events.end('the watch ended');
    } catch (e) {
      events.end(`the watch failed: ${(e as Error).message}`);
    }
  })();
  let child: Registrant | undefined;
  try {
    child = await spawnRegistrant({ registry: spec, service, ttl: options.ttl ?? 30_000 });
    const offset = await clockOffset(child);
    const c = child;
    const once = async (op: 'register' | 'deregister', round: number): Promise<number> => {
      const id = `round-${round}`;
      const sent = performance.now();
      const has = (e: WatchEvent) => e.action !== 'delete' && e.service.nodes.some((n) => n.id === id);
      const seen = events.take((s) => s.at >= sent && (op === 'register' ? has(s.event) : !has(s.event)), step, `${op} event of ${id}`);
      c.send({ type: op, round });
      const [event, done] = await Promise.all([seen, c.next('done', step, (m) => m.round === round && m.op === op)]);
      return event.at - (done.at - offset);
    };
    const reg: number[] = [];
    const dereg: number[] = [];
    for (let i = 0; i < warmup; i++) {
      await once('register', -1 - i);
      await once('deregister', -1 - i);
    }
    const end = performance.now() + budgetMs;
    for (let i = 0; i < rounds && performance.now() < end; i++) {
      reg.push(await once('register', i));
      dereg.push(await once('deregister', i));
    }
    const note = reg.length < rounds ? `time limit: ${reg.length} of ${rounds} rounds` : '';
    return { register: latencyStats(reg), deregister: latencyStats(dereg), note };
  } finally {
    await child?.stop();
    stop.abort();
    await watcher.close();
    await pump;
  }
}
