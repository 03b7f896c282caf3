import { memoryRegistry, type ServiceRecord } from '@tsmicro/registry';
import { consistentHash, createSelector, leastLoaded, random, roundRobin, type Strategy, weightedRoundRobin } from '@tsmicro/selector';
import { nsPerCall } from './stats.js';

/** ns per `select()` + `next()` + `done()` of one strategy at one node count. */
export interface SelectorOverheadRow {
  strategy: string;
  nodes: number;
  ns: number;
  iterations: number;
}

/** Options of {@link benchSelectorOverhead}. */
export interface SelectorOverheadOptions {
  /** Default random, roundRobin, weightedRoundRobin, leastLoaded, consistentHash. */
  strategies?: readonly Strategy[];
  /** Node counts of the service. Default 3 and 1,000. */
  nodes?: readonly number[];
  /** Bound on measured selections per row. Default 1_000_000. */
  maxIterations?: number;
  /** Bound (ms) on the measured loop per row. Default 1000. */
  maxMs?: number;
}

function record(count: number): ServiceRecord {
  return {
    name: 'bench',
    version: '1.0.0',
    metadata: {},
    endpoints: [],
    // weights 1..5, so weightedRoundRobin has a real schedule to follow
    nodes: Array.from({ length: count }, (_, i) => ({
      id: `node-${i}`,
      address: `127.0.0.1:${10_000 + i}`,
      metadata: { weight: String(1 + (i % 5)) },
    })),
  };
}

async function measure(strategy: Strategy, count: number, o: { maxIterations: number; maxMs: number }): Promise<SelectorOverheadRow> {
  const registry = memoryRegistry();
  await registry.register(record(count));
  // the default selector: cached registry, outlier tracking on
  const selector = createSelector({ registry, strategy });
  try {
    const { ns, iterations } = await nsPerCall(
      async (i) => {
        const next = await selector.select('bench', { key: `user-${i & 1023}` });
        next().done();
      },
      { warmup: 20_000, ...o },
    );
    return { strategy: strategy.name, nodes: count, ns, iterations };
  } finally {
    await selector.close();
    await registry.close();
  }
}

/**
 * Selector overhead per call: `select()` + `next()` + `done()` through `createSelector` over a
 * `memoryRegistry` (via its default cache), for each strategy and node count.
 * @example const rows = await benchSelectorOverhead({ nodes: [3] })
 */
export async function benchSelectorOverhead(o: SelectorOverheadOptions = {}): Promise<SelectorOverheadRow[]> {
  const strategies = o.strategies ?? [random, roundRobin, weightedRoundRobin, leastLoaded, consistentHash];
  const bounds = { maxIterations: o.maxIterations ?? 1_000_000, maxMs: o.maxMs ?? 1000 };
  const rows: SelectorOverheadRow[] = [];
  for (const s of strategies) for (const n of o.nodes ?? [3, 1000]) rows.push(await measure(s, n, bounds));
  return rows;
}
