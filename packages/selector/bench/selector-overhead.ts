/**
 * Selector overhead: ns per select() + next() + done() for each strategy at 3 and 1,000 nodes,
 * through the default (cached) memory registry. Bounded in iterations and time.
 * Run: node --conditions=source --import tsx packages/selector/bench/selector-overhead.ts
 */
import { memoryRegistry, type ServiceRecord } from '@tsmicro/registry';
import { consistentHash, createSelector, leastLoaded, random, roundRobin, type Strategy, weightedRoundRobin } from '@tsmicro/selector';

const strategies: Strategy[] = [random, roundRobin, weightedRoundRobin, leastLoaded, consistentHash];
const sizes = [3, 1000];
const maxIterations = 200_000;
const maxMs = 1500;

function record(count: number): ServiceRecord {
  return {
    name: 'bench',
    version: '1.0.0',
    metadata: {},
    endpoints: [],
    nodes: Array.from({ length: count }, (_, i) => ({
      id: `node-${i}`,
      address: `127.0.0.1:${10_000 + i}`,
      metadata: { weight: String(1 + (i % 5)) },
    })),
  };
}

async function measure(strategy: Strategy, count: number): Promise<{ ns: number; iterations: number }> {
  const registry = memoryRegistry();
  await registry.register(record(count));
  const selector = createSelector({ registry, strategy });
  try {
    const once = async (i: number) => {
      const next = await selector.select('bench', { key: `user-${i & 1023}` });
      next().done();
    };
    for (let i = 0; i < 2000; i++) await once(i); // warm up: JIT, cache, ring/schedule build
    const start = process.hrtime.bigint();
    const deadline = performance.now() + maxMs;
    let i = 0;
    while (i < maxIterations && (i & 1023 || performance.now() < deadline)) await once(i++);
    return { ns: Number(process.hrtime.bigint() - start) / i, iterations: i };
  } finally {
    await selector.close();
    await registry.close();
  }
}

const rows: string[] = [];
for (const strategy of strategies) {
  const cells: string[] = [];
  for (const n of sizes) {
    const { ns, iterations } = await measure(strategy, n);
    cells.push(`${ns.toFixed(0).padStart(8)} ns (${iterations})`);
  }
  rows.push(`| ${strategy.name.padEnd(18)} | ${cells.join(' | ')} |`);
}
console.log(`| strategy           | ${sizes.map((n) => `${n} nodes`.padEnd(21)).join(' | ')} |`);
console.log(`|--------------------|${sizes.map(() => '-'.repeat(23)).join('|')}|`);
for (const r of rows) console.log(r);
