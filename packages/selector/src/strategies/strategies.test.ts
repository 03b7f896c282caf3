import { describe, expect, it } from 'vitest';
import type { NodeStats, Strategy, StrategyInput } from '../selector.js';
import { contractNodes, runSelectorContract } from '../testing/index.js';
import { consistentHash, createConsistentHash } from './consistent-hash.js';
import { leastLoaded } from './least-loaded.js';
import { random } from './random.js';
import { roundRobin } from './round-robin.js';
import { weightedRoundRobin } from './weighted-round-robin.js';

for (const s of [random, roundRobin, weightedRoundRobin, leastLoaded, consistentHash, createConsistentHash({ replicas: 100 })]) {
  runSelectorContract({ name: s.name, newStrategy: () => s });
}

/** A seeded PRNG (mulberry32) so distributions are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const idle: NodeStats = { inflight: () => 0, latency: () => 0 };

function counts(strategy: Strategy, input: StrategyInput, picks: number, newPickerEach = true): Map<string, number> {
  const c = new Map<string, number>();
  let pick = strategy.pick(input);
  for (let i = 0; i < picks; i++) {
    if (newPickerEach) pick = strategy.pick(input);
    const id = pick().id;
    c.set(id, (c.get(id) ?? 0) + 1);
  }
  return c;
}

describe('distribution', () => {
  it('random spreads evenly (within 3%)', () => {
    const nodes = contractNodes(5);
    const c = counts(random, { nodes, stats: idle, state: new Map(), random: seeded(1) }, 50_000);
    for (const n of nodes) expect(Math.abs((c.get(n.id) ?? 0) / 50_000 - 0.2)).toBeLessThan(0.03 * 0.2 * 5);
  });

  it('roundRobin is exactly even across selections and starts at a random offset', () => {
    const nodes = contractNodes(5);
    const c = counts(roundRobin, { nodes, stats: idle, state: new Map(), random: seeded(2) }, 50_000);
    for (const n of nodes) expect(c.get(n.id)).toBe(10_000);
    const starts = new Set<string>();
    for (let seed = 0; seed < 50; seed++) starts.add(roundRobin.pick({ nodes, stats: idle, state: new Map(), random: seeded(seed) })().id);
    expect(starts.size).toBeGreaterThan(1);
  });

  it('weightedRoundRobin follows 5:1:1 within 2% over 70,000 picks, interleaved', () => {
    const nodes = contractNodes(3).map((n, i) => ({ ...n, metadata: { weight: i === 0 ? '5' : '1' } }));
    const input: StrategyInput = { nodes, stats: idle, state: new Map(), random: seeded(3) };
    const c = counts(weightedRoundRobin, input, 70_000);
    expect(Math.abs((c.get('n0') ?? 0) / 70_000 - 5 / 7)).toBeLessThan(0.02);
    expect(Math.abs((c.get('n1') ?? 0) / 70_000 - 1 / 7)).toBeLessThan(0.02);
    expect(Math.abs((c.get('n2') ?? 0) / 70_000 - 1 / 7)).toBeLessThan(0.02);
    // Smooth: the heavy node never gets more than four picks in a row (nginx's smooth WRR gives the same).
    const pick = weightedRoundRobin.pick(input);
    let run = 0;
    let longest = 0;
    for (let i = 0; i < 70_000; i++) {
      run = pick().id === 'n0' ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeLessThanOrEqual(4);
  });

  it('weightedRoundRobin treats missing or bad weights as 1', () => {
    const nodes = contractNodes(3).map((n, i) => ({ ...n, metadata: i === 0 ? { weight: 'abc' } : i === 1 ? { weight: '-2' } : {} }));
    const c = counts(weightedRoundRobin, { nodes, stats: idle, state: new Map(), random: seeded(4) }, 3000);
    for (const n of nodes) expect(c.get(n.id)).toBe(1000);
  });

  it('leastLoaded prefers the low-latency node and avoids the busy one', () => {
    const nodes = contractNodes(3);
    const latency: Record<string, number> = { n0: 2, n1: 40, n2: 40 };
    const stats: NodeStats = { inflight: () => 0, latency: (id) => latency[id] ?? 0 };
    const c = counts(leastLoaded, { nodes, stats, state: new Map(), random: seeded(5) }, 30_000);
    // n0 wins every pair it is in: 2 of 3 pairs.
    expect((c.get('n0') ?? 0) / 30_000).toBeGreaterThan(0.6);
    const busy: NodeStats = { inflight: (id) => (id === 'n0' ? 50 : 0), latency: () => 5 };
    const b = counts(leastLoaded, { nodes, stats: busy, state: new Map(), random: seeded(6) }, 30_000);
    expect((b.get('n0') ?? 0) / 30_000).toBeLessThan(0.01);
  });

  it('leastLoaded passes over a node 10x slower even when the fast nodes are busier, probing it rarely', () => {
    const nodes = contractNodes(3);
    // The chaos scenario's steady state: fast nodes hold the queue, the slow one (n2) sits nearly idle.
    const stats: NodeStats = { inflight: (id) => (id === 'n2' ? 1 : 31), latency: (id) => (id === 'n2' ? 21 : 2.8) };
    const c = counts(leastLoaded, { nodes, stats, state: new Map(), random: seeded(7) }, 60_000);
    const slowShare = (c.get('n2') ?? 0) / 60_000;
    // Under 1% of calls, so the p99 stays on the healthy nodes; above 0 so a recovery is noticed.
    expect(slowShare).toBeLessThan(0.01);
    expect(slowShare).toBeGreaterThan(0);
    // Nodes within 2x of each other still balance by queue length x latency.
    const near: NodeStats = { inflight: (id) => (id === 'n0' ? 40 : 0), latency: (id) => (id === 'n0' ? 2 : 3.5) };
    const d = counts(leastLoaded, { nodes, stats: near, state: new Map(), random: seeded(8) }, 30_000);
    expect((d.get('n0') ?? 0) / 30_000).toBeLessThan(0.01);
  });
});
