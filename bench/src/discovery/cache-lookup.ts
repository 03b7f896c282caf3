import { badRequest } from '@tsmicro/core';
import { cacheRegistry, memoryRegistry, type ServiceRecord } from '@tsmicro/registry';
import { nsPerCall } from './stats.js';

/** One size of the cache-lookup bench. */
export interface CacheLookupRow {
  services: number;
  nodesPerService: number;
  /** Mean ns per `getService` on a warm cache. */
  ns: number;
  iterations: number;
}

/** Options of {@link benchCacheLookup}. */
export interface CacheLookupOptions {
  /** Registry sizes to measure. Default 10, 100 and 1,000 services × 10 nodes, so the ratios show O(1). */
  sizes?: readonly { services: number; nodesPerService: number }[];
  /** Bound on measured calls per size. Default 1_000_000. */
  maxIterations?: number;
  /** Bound (ms) on the measured loop per size. Default 1500. */
  maxMs?: number;
}

function record(name: string, nodes: number): ServiceRecord {
  return {
    name,
    version: '1.0.0',
    metadata: {},
    endpoints: [],
    nodes: Array.from({ length: nodes }, (_, i) => ({ id: `${name}-${i}`, address: `127.0.0.1:${10_000 + i}`, metadata: {} })),
  };
}

async function measure(services: number, nodes: number, o: { maxIterations: number; maxMs: number }): Promise<CacheLookupRow> {
  const inner = memoryRegistry();
  const cache = cacheRegistry(inner);
  const names = Array.from({ length: services }, (_, i) => `svc-${i}`);
  try {
    for (const n of names) await inner.register(record(n, nodes));
    // warm: every service looked up once, so each has its snapshot and its watch
    for (const n of names) {
      const [r] = await cache.getService(n);
      if (r?.nodes.length !== nodes) throw badRequest(`cache warm-up: ${n} has ${r?.nodes.length ?? 0} nodes, want ${nodes}`);
    }
    // cycle over every name, so the large registry is not measured on one hot entry
    const { ns, iterations } = await nsPerCall((i) => cache.getService(names[i % services] ?? 'svc-0'), {
      warmup: 20_000,
      ...o,
    });
    return { services, nodesPerService: nodes, ns, iterations };
  } finally {
    await cache.close();
    await inner.close();
  }
}

/**
 * `getService` through `cacheRegistry` over a `memoryRegistry` on a warm cache, in ns per call, at
 * each size. A hit is a map lookup returning a frozen snapshot, so the ns should not grow with the
 * number of services.
 * @example const [small, large] = await benchCacheLookup(); large.ns / small.ns // ≈ 1
 */
export async function benchCacheLookup(o: CacheLookupOptions = {}): Promise<CacheLookupRow[]> {
  const sizes = o.sizes ?? [
    { services: 10, nodesPerService: 10 },
    { services: 100, nodesPerService: 10 },
    { services: 1000, nodesPerService: 10 },
  ];
  const bounds = { maxIterations: o.maxIterations ?? 1_000_000, maxMs: o.maxMs ?? 1500 };
  const rows: CacheLookupRow[] = [];
  for (const s of sizes) rows.push(await measure(s.services, s.nodesPerService, bounds));
  return rows;
}
