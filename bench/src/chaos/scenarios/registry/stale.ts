import { randomBytes } from 'node:crypto';
import { memoryBroker } from '@tsmicro/broker';
import { silentLogger } from '@tsmicro/core';
import { cacheRegistry, type Registry } from '@tsmicro/registry';
import { etcdRegistry } from '@tsmicro/registry/etcd';
import { createService, type Service } from '@tsmicro/service';
import { pause, until } from '../broker/net.js';
import { startEtcd, waitHealthy } from './etcd.js';
import { callLoad } from './load.js';

/** What a long etcd outage under default settings did to callers and lookups. */
export interface StaleOutageFigures {
  outageMs: number;
  /** Calls (c=8, 2 s timeout each) that succeeded / failed while etcd was down, and while it restarted and 3 s after. */
  outageOk: number;
  outageFailed: number;
  afterOk: number;
  afterFailed: number;
  /** `cacheRegistry(etcdRegistry())` lookups timed during the outage, every 20 ms. */
  lookups: number;
  lookupP99Ms: number;
  lookupMaxMs: number;
  /** Lookups that took 5 ms or more (event-loop stalls under the in-process load show up here too). */
  lookupsOver5Ms: number;
  /**
   * The same lookups as a call by name makes them (`peek`, synchronous: no await, so no wait behind
   * the in-process load's other work): the slowest, ms, and the ones that found nothing.
   */
  peekMaxMs: number;
  peekMisses: number;
  errors: string;
}

/** The outage the scenario and its test run: env `TSMICRO_OUTAGE_MS` when set, else `fallbackMs`. */
export function outageMsFromEnv(fallbackMs: number): number {
  const v = Number(process.env.TSMICRO_OUTAGE_MS);
  return Number.isFinite(v) && v > 0 ? v : fallbackMs;
}

/** A service with every default but the registry (etcd, default options) and a memory broker (not under test). */
async function defaultService(name: string, registry: Registry, tag?: string): Promise<Service> {
  const svc = createService({ name, registry, broker: memoryBroker(), logger: silentLogger() });
  if (tag !== undefined) svc.handle('Echo', { ping: () => ({ tag }) });
  await svc.start();
  return svc;
}

/**
 * A private single etcd, two echo servers and a caller at c=8, all with default settings (etcdRegistry
 * with its defaults, the default selector over a default `cacheRegistry`: ttl 60 s, lookups bounded by
 * 5 s). etcd is stopped for `outageMs` (the issue: 90 s, longer than the cache ttl), then started again
 * on its data. Meanwhile an observer times `getService` on a default `cacheRegistry(etcdRegistry())`.
 * Our own etcd on free loopback ports: the shared 2379 one is never touched.
 */
export async function staleOutage(outageMs: number, log: (line: string) => void, signal?: AbortSignal): Promise<StaleOutageFigures> {
  const etcd = await startEtcd(1);
  const [member] = etcd.members;
  if (member === undefined) throw new Error('no etcd member');
  const name = `stale-echo-${randomBytes(4).toString('hex')}`;
  const registries: Registry[] = [];
  const services: Service[] = [];
  const registry = () => {
    const r = etcdRegistry({ hosts: etcd.endpoints });
    registries.push(r);
    return r;
  };
  const observer = cacheRegistry(registry());
  try {
    services.push(await defaultService(name, registry(), 'a'), await defaultService(name, registry(), 'b'));
    const caller = await defaultService(`${name}-caller`, registry());
    services.push(caller);
    await until(
      'the observer sees both nodes',
      async () => ((await observer.getService(name))[0]?.nodes.length === 2 ? true : undefined),
      15_000,
      50,
      signal,
    );
    const load = callLoad(caller.client, name, 8, outageMs + 60_000);
    try {
      await until('calls reach both servers', () => (load.firstFrom('a') && load.firstFrom('b') ? true : undefined), 15_000, 50, signal);
      await member.stop('SIGTERM');
      // Phases of 5 s, so a failure can be placed in time: 'outage@15' is 15-20 s into the outage.
      const phases: string[] = [];
      const enter = (name: string) => {
        phases.push(name);
        load.phase(name);
      };
      enter('outage@0');
      log(`  etcd stopped; calling and looking up from the cache for ${outageMs} ms`);
      const down = performance.now();
      const times: number[] = [];
      const peekTimes: number[] = [];
      let peekMisses = 0;
      while (performance.now() - down < outageMs && !signal?.aborted) {
        const slice = `outage@${Math.floor((performance.now() - down) / 5000) * 5}`;
        if (slice !== phases[phases.length - 1]) enter(slice);
        const p0 = performance.now();
        const held = observer.peek(name);
        peekTimes.push(performance.now() - p0);
        if ((held?.[0]?.nodes.length ?? 0) !== 2) peekMisses++;
        const t = performance.now();
        const recs = await observer.getService(name);
        times.push(performance.now() - t);
        if ((recs[0]?.nodes.length ?? 0) !== 2) throw new Error(`the cache answered ${recs[0]?.nodes.length ?? 0} nodes during the outage`);
        await pause(20, signal);
      }
      const outage = Math.round(performance.now() - down);
      enter('restarting');
      await member.start();
      await waitHealthy(member.clientUrl);
      enter('after');
      await pause(3000, signal);
      await load.stop();
      const sum = (names: string[]) => {
        const c = { ok: 0, failed: 0, errors: [] as string[] };
        for (const n of names) {
          const p = load.count(n);
          c.ok += p.ok;
          c.failed += p.failed;
          if (p.failed > 0) c.errors.push(`${n}: ${p.failed} failed (${p.errors.join(' | ')})`);
        }
        return c;
      };
      const o = sum(phases.filter((n) => n.startsWith('outage')));
      const a = sum(['restarting', 'after']);
      times.sort((x, y) => x - y);
      const round = (n: number) => Math.round(n * 100) / 100;
      return {
        outageMs: outage,
        outageOk: o.ok,
        outageFailed: o.failed,
        afterOk: a.ok,
        afterFailed: a.failed,
        lookups: times.length,
        lookupP99Ms: round(times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] ?? 0),
        lookupMaxMs: round(times[times.length - 1] ?? 0),
        lookupsOver5Ms: times.filter((t) => t >= 5).length,
        peekMaxMs: round(Math.max(0, ...peekTimes)),
        peekMisses,
        errors: [...o.errors, ...a.errors].join('; '),
      };
    } finally {
      await load.stop();
    }
  } finally {
    await Promise.allSettled(services.map((s) => s.stop()));
    await observer.close().catch(() => undefined);
    await Promise.allSettled(registries.map((r) => r.close()));
    await etcd.destroy();
  }
}
