import { reachable } from '@tsmicro/core/testing';
import { ensureLoopbackMulticast } from '@tsmicro/registry/testing';
import type { RegistrySpec } from './backends.js';
import { startConsulStandin } from './consul-standin.js';
import type { LatencyStats } from './stats.js';
import { measureWatchLatency, type WatchLatencyOptions } from './watch-latency.js';

/** One registry's row of the discovery-latency table; `register`/`deregister` absent when skipped. */
export interface DiscoveryLatencyRow {
  registry: string;
  register?: LatencyStats;
  deregister?: LatencyStats;
  note: string;
}

/** Options of {@link benchDiscoveryLatency}: those of each measurement, plus where etcd is. */
export interface DiscoveryLatencyOptions extends WatchLatencyOptions {
  /** Which registries to measure. Default all three. */
  registries?: readonly ('mdns' | 'etcd' | 'consul')[];
  /** Default `'127.0.0.1:2379'` (what scripts/services/etcd.sh starts). */
  etcd?: string;
}

type Prepared = { spec: RegistrySpec; cleanup?: () => Promise<void>; note?: string } | { skip: string };

async function prepare(kind: 'mdns' | 'etcd' | 'consul', etcd: string): Promise<Prepared> {
  switch (kind) {
    case 'mdns': {
      // a private port keeps the bench out of real mDNS traffic on 5353
      const port = 40_000 + Math.floor(Math.random() * 20_000);
      const problem = await ensureLoopbackMulticast(port);
      return problem ? { skip: problem } : { spec: { kind, port }, note: `loopback multicast, port ${port}` };
    }
    case 'etcd': {
      const [host = '127.0.0.1', port = '2379'] = etcd.split(':');
      if (!(await reachable(Number(port), host))) return { skip: `skipped: nothing answers on ${etcd} (scripts/services/etcd.sh)` };
      return { spec: { kind, hosts: etcd, prefix: `/tsmicro-bench/${process.pid}-${Date.now()}/` }, note: `real etcd on ${etcd}` };
    }
    case 'consul': {
      try {
        const standin = await startConsulStandin();
        return {
          spec: { kind, address: standin.address },
          cleanup: () => standin.close(),
          note: 'HTTP stand-in in the bench process, not a real agent',
        };
      } catch (e) {
        return { skip: `skipped: ${(e as Error).message}` };
      }
    }
  }
}

/**
 * Register → watcher-seen latency for mdns (loopback), etcd (when one answers) and the Consul
 * stand-in, each with the registrant in a child process. A registry that cannot run here gets a
 * row with the reason instead of numbers; one that fails mid-way gets its error.
 * @example for (const row of await benchDiscoveryLatency({ rounds: 50 })) console.log(row)
 */
export async function benchDiscoveryLatency(o: DiscoveryLatencyOptions = {}): Promise<DiscoveryLatencyRow[]> {
  const rows: DiscoveryLatencyRow[] = [];
  for (const kind of o.registries ?? (['mdns', 'etcd', 'consul'] as const)) {
    const label = kind === 'consul' ? 'consul (stand-in)' : kind;
    const p = await prepare(kind, o.etcd ?? '127.0.0.1:2379');
    if ('skip' in p) {
      rows.push({ registry: label, note: p.skip });
      continue;
    }
    try {
      const r = await measureWatchLatency(p.spec, o);
      rows.push({ registry: label, register: r.register, deregister: r.deregister, note: [p.note, r.note].filter(Boolean).join('; ') });
    } catch (e) {
      rows.push({ registry: label, note: `failed: ${(e as Error).message}` });
    } finally {
      await p.cleanup?.();
    }
  }
  return rows;
}
