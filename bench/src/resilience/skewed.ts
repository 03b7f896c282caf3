import { createClient } from '@tsmicro/client';
import { memoryRegistry } from '@tsmicro/registry';
import { createSelector, leastLoaded, roundRobin, type Strategy } from '@tsmicro/selector';
import { tcpTransport } from '@tsmicro/transport';
import { formatGrid } from '../grid.js';
import { createHistogram } from '../histogram.js';
import { type NodeProcess, spawnNode } from './nodes.js';

/** Options of {@link benchSkewedNodes}. */
export interface SkewedNodesOptions {
  /** Strategies compared, in order. Default `[roundRobin, leastLoaded]`. */
  strategies?: readonly Strategy[];
  /** Calls in flight all the time. Default 64. */
  concurrency?: number;
  /** Service time of a normal node, ms. Default 1. */
  baseMs?: number;
  /** How much slower the slow node is. Default 10. */
  slowFactor?: number;
  /** Measured window per strategy, ms. Default 5000. */
  measureMs?: number;
  /** Warm-up per strategy (latency EWMAs settle), ms. Default 1000. */
  warmupMs?: number;
  /** Progress lines. Default none. */
  progress?: (line: string) => void;
}

/** One strategy's result. */
export interface SkewedNodesRow {
  strategy: string;
  callsPerSecond: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  /** Share of measured calls the slow node served (0..1). */
  slowShare: number;
  errors: number;
}

/** Drives `call` from `concurrency` loops; counts calls that start and end inside the window. */
async function closedLoop(
  concurrency: number,
  warmupMs: number,
  measureMs: number,
  call: () => Promise<{ node: string }>,
): Promise<Omit<SkewedNodesRow, 'strategy'>> {
  const h = createHistogram();
  const start = performance.now() + warmupMs;
  const end = start + measureMs;
  let slow = 0;
  let errors = 0;
  const loop = async () => {
    for (let t0 = performance.now(); t0 < end; t0 = performance.now()) {
      let node: string | undefined;
      try {
        node = (await call()).node;
      } catch {
        errors++;
      }
      const t1 = performance.now();
      if (t0 < start || t1 > end || node === undefined) continue;
      h.record(Math.round((t1 - t0) * 1e6));
      if (node === 'slow') slow++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return {
    callsPerSecond: Math.round(h.count / (measureMs / 1000)),
    p50: h.quantile(0.5) / 1e6,
    p99: h.quantile(0.99) / 1e6,
    slowShare: h.count === 0 ? 0 : slow / h.count,
    errors,
  };
}

/**
 * W1 (unary echo) at concurrency 64 against 3 server processes over tcp, one of them slowed
 * `slowFactor`×, once per strategy: shows how much `leastLoaded` (fed by `Selection.done()`)
 * spares callers the slow node compared with `roundRobin`. The client finds the nodes in an
 * in-process `memoryRegistry` holding the three addresses. Bounded: warm-up + window per strategy.
 * @example console.log(formatSkewedNodes(await benchSkewedNodes({ measureMs: 2000 })))
 */
export async function benchSkewedNodes(o: SkewedNodesOptions = {}): Promise<SkewedNodesRow[]> {
  const strategies = o.strategies ?? [roundRobin, leastLoaded];
  const concurrency = o.concurrency ?? 64;
  const baseMs = o.baseMs ?? 1;
  const slowFactor = o.slowFactor ?? 10;
  const measureMs = o.measureMs ?? 5000;
  const warmupMs = o.warmupMs ?? 1000;
  const progress = o.progress ?? (() => {});

  const nodes: NodeProcess[] = [];
  const rows: SkewedNodesRow[] = [];
  try {
    const specs: Array<[string, number]> = [
      ['fast-1', baseMs],
      ['fast-2', baseMs],
      ['slow', baseMs * slowFactor],
    ];
    nodes.push(...(await Promise.all(specs.map(([label, ms]) => spawnNode(label, ms)))));
    for (const strategy of strategies) {
      progress(`${strategy.name}: c=${concurrency}, ${warmupMs} ms warm-up, ${measureMs} ms window`);
      const registry = memoryRegistry();
      await registry.register({
        name: 'bench',
        version: 'latest',
        metadata: {},
        endpoints: [],
        nodes: nodes.map((n) => ({ id: n.label, address: n.address, metadata: {} })),
      });
      const selector = createSelector({ registry, strategy });
      const client = createClient({ transport: tcpTransport(), registry, selector, timeout: 10_000 });
      try {
        const r = await closedLoop(concurrency, warmupMs, measureMs, () =>
          client.call<{ node: string }>('bench', 'Bench.echo', { name: 'bench' }),
        );
        rows.push({ strategy: strategy.name, ...r });
      } finally {
        await client.close();
        await selector.close();
        await registry.close();
      }
    }
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
  return rows;
}

/** The rows as an aligned text table (or a markdown one). */
export function formatSkewedNodes(rows: readonly SkewedNodesRow[], o: { markdown?: boolean } = {}): string {
  const head = ['strategy', 'calls/s', 'p50 ms', 'p99 ms', 'slow node share', 'errors'];
  const body = rows.map((r) => [
    r.strategy,
    String(r.callsPerSecond),
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    `${(r.slowShare * 100).toFixed(1)} %`,
    String(r.errors),
  ]);
  return formatGrid(head, body, o);
}
