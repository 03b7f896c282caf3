import type { ServiceNode } from '@tsmicro/registry';
import { describe, expect, it } from 'vitest';
import type { NodeStats } from '../selector.js';
import { contractNodes } from '../testing/index.js';
import { consistentHash, createConsistentHash } from './consistent-hash.js';
import { hash32 } from './hash.js';

const idle: NodeStats = { inflight: () => 0, latency: () => 0 };
const keys = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

function assign(nodes: readonly ServiceNode[], replicas = 160): Map<string, string> {
  const strategy = createConsistentHash({ replicas });
  const state = new Map<string, unknown>();
  const out = new Map<string, string>();
  for (const key of keys) out.set(key, strategy.pick({ nodes, stats: idle, state, key, random: Math.random })().id);
  return out;
}

const moved = (a: Map<string, string>, b: Map<string, string>) => keys.filter((k) => a.get(k) !== b.get(k)).length / keys.length;

describe('consistentHash', () => {
  it('hash32 is FNV-1a 32 with an fmix32 finish, and deterministic', () => {
    expect(hash32('a')).toBe(hash32('a'));
    expect(hash32('node#1')).not.toBe(hash32('node#2'));
  });

  it('keeps a key on the same node', () => {
    const nodes = contractNodes(10);
    const a = assign(nodes);
    const b = assign(nodes.slice().reverse());
    expect(moved(a, b)).toBe(0);
  });

  it('spreads keys roughly evenly (each of 10 nodes within 7–13%)', () => {
    const a = assign(contractNodes(10));
    const c = new Map<string, number>();
    for (const id of a.values()) c.set(id, (c.get(id) ?? 0) + 1);
    for (const n of c.values()) {
      expect(n / keys.length).toBeGreaterThan(0.07);
      expect(n / keys.length).toBeLessThan(0.13);
    }
  });

  it('adding or removing one of N nodes moves about 1/N of the keys', () => {
    for (const replicas of [100, 160]) {
      const ten = contractNodes(10);
      const base = assign(ten, replicas);
      const added = assign([...ten, { id: 'extra', address: '127.0.0.1:1', metadata: {} }], replicas);
      expect(moved(base, added)).toBeGreaterThan(1 / 11 - 0.03);
      expect(moved(base, added)).toBeLessThan(1 / 11 + 0.03);
      // Only keys of the new node move.
      for (const k of keys) if (base.get(k) !== added.get(k)) expect(added.get(k)).toBe('extra');
      const removed = assign(ten.slice(1), replicas);
      expect(moved(base, removed)).toBeGreaterThan(1 / 10 - 0.03);
      expect(moved(base, removed)).toBeLessThan(1 / 10 + 0.03);
      for (const k of keys) if (base.get(k) !== removed.get(k)) expect(base.get(k)).toBe('n0');
    }
  });

  it('walks the ring to distinct nodes on later picks and builds one ring per node set', () => {
    const nodes = contractNodes(5);
    const state = new Map<string, unknown>();
    const pick = consistentHash.pick({ nodes, stats: idle, state, key: 'k', random: Math.random });
    const seen = new Set<string>();
    for (let i = 0; i < 5 * 160 && seen.size < 5; i++) seen.add(pick().id);
    expect(seen.size).toBe(5);
    const ringOf = (n: readonly ServiceNode[]) => (state.get('ring') as WeakMap<readonly ServiceNode[], object>).get(n);
    const ring = ringOf(nodes);
    expect(ring).toBeDefined();
    const fewer = nodes.slice(1);
    consistentHash.pick({ nodes: fewer, stats: idle, state, key: 'other', random: Math.random });
    consistentHash.pick({ nodes, stats: idle, state, key: 'other', random: Math.random });
    // Alternating node sets (two filters) reuse their rings.
    expect(ringOf(nodes)).toBe(ring);
    expect(ringOf(fewer)).not.toBe(ring);
  });
});
