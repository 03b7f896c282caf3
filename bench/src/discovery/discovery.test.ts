import { requireServer } from '@tsmicro/core/testing';
import { describe, expect, it } from 'vitest';
import { benchCacheLookup, benchDiscoveryLatency, benchSelectorOverhead, formatDiscovery, type LatencyStats } from './index.js';

// Shape only: tiny counts, no timing assertions (speed belongs in the bench output, not in tests).
const etcdUp = await requireServer('etcd', 2379);

const positive = (n: number) => Number.isFinite(n) && n > 0;
const expectStats = (s: LatencyStats | undefined, rounds: number) => {
  expect(s?.count).toBe(rounds);
  for (const k of ['p50', 'p99', 'max'] as const) expect(positive(s?.[k] ?? Number.NaN), `${k} = ${s?.[k]}`).toBe(true);
  expect(s?.p50).toBeLessThanOrEqual(s?.max ?? 0);
};

describe('discovery bench', () => {
  it('measures register/deregister → watch latency with the registrant in another process', { timeout: 60_000 }, async () => {
    const rows = await benchDiscoveryLatency({ rounds: 3, warmupRounds: 1, budgetMs: 20_000 });
    expect(rows.map((r) => r.registry)).toEqual(['mdns', 'etcd', 'consul (stand-in)']);
    for (const r of rows) {
      if (r.registry === 'etcd' && !etcdUp) {
        expect(r.note).toMatch(/^skipped: nothing answers on 127\.0\.0\.1:2379/);
        continue;
      }
      expect(r.note).not.toMatch(/failed|skipped|time limit/);
      expectStats(r.register, 3);
      expectStats(r.deregister, 3);
    }
    expect(formatDiscovery({ latency: rows })).toContain('consul (stand-in)');
  });

  it('measures warm cacheRegistry lookups at each size', async () => {
    const sizes = [
      { services: 3, nodesPerService: 2 },
      { services: 30, nodesPerService: 2 },
    ];
    const rows = await benchCacheLookup({ sizes, maxIterations: 2000, maxMs: 100 });
    expect(rows.map((r) => [r.services, r.nodesPerService])).toEqual([
      [3, 2],
      [30, 2],
    ]);
    for (const r of rows) expect(positive(r.ns) && r.iterations > 0).toBe(true);
    expect(formatDiscovery({ cache: rows }, { markdown: true })).toMatch(/\| 30 × 2 \|/);
  });

  it('measures the selector overhead of every strategy at each node count', async () => {
    const rows = await benchSelectorOverhead({ nodes: [3, 20], maxIterations: 500, maxMs: 100 });
    const strategies = ['random', 'roundRobin', 'weightedRoundRobin', 'leastLoaded', 'consistentHash'];
    expect(rows.map((r) => `${r.strategy}/${r.nodes}`)).toEqual(strategies.flatMap((s) => [`${s}/3`, `${s}/20`]));
    for (const r of rows) expect(positive(r.ns) && r.iterations > 0).toBe(true);
    expect(formatDiscovery({ selector: rows })).toMatch(/consistentHash\s+[\d,]+\s+[\d,]+/);
  });
});
