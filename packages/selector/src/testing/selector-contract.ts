import { memoryRegistry, type ServiceNode, type ServiceRecord } from '@tsmicro/registry';
import { afterEach, describe, expect, it } from 'vitest';
import { createSelector } from '../create-selector.js';
import type { NodeStats, Strategy, StrategyInput } from '../selector.js';

/** Options of {@link runSelectorContract}. */
export interface SelectorContractOptions {
  /** Shown in the describe title. */
  name: string;
  /** A strategy with fresh state (strategies keep their state in the selector, so a shared constant is fine). */
  newStrategy: () => Strategy;
}

const idle: NodeStats = { inflight: () => 0, latency: () => 0 };

/** `count` nodes `n0…`, with a deterministic address each. */
export function contractNodes(count: number, prefix = 'n'): ServiceNode[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, address: `127.0.0.1:${20_000 + i}`, metadata: {} }));
}

function record(name: string, nodes: ServiceNode[]): ServiceRecord {
  return { name, version: '1.0.0', metadata: {}, endpoints: [], nodes };
}

function input(nodes: readonly ServiceNode[], state = new Map<string, unknown>(), key?: string): StrategyInput {
  return key === undefined ? { nodes, stats: idle, state, random: Math.random } : { nodes, stats: idle, state, random: Math.random, key };
}

/**
 * What every `Strategy` owes, as vitest cases, run alone and through `createSelector`:
 * @example runSelectorContract({ name: 'roundRobin', newStrategy: () => roundRobin })
 */
export function runSelectorContract(o: SelectorContractOptions): void {
  describe(`selector contract: ${o.name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0)) await c();
    });
    const selectorWith = async (nodes: ServiceNode[]) => {
      const registry = memoryRegistry();
      await registry.register(record('svc', nodes));
      const selector = createSelector({ registry, strategy: o.newStrategy(), outlier: false });
      cleanups.push(
        () => selector.close(),
        () => registry.close(),
      );
      return selector;
    };

    it('returns only the given nodes', () => {
      const nodes = contractNodes(7);
      const ids = new Set(nodes.map((n) => n.id));
      const pick = o.newStrategy().pick(input(nodes, new Map(), 'k'));
      for (let i = 0; i < 1000; i++) expect(ids.has(pick().id)).toBe(true);
    });

    it('reaches every node eventually, across selections', () => {
      const nodes = contractNodes(5);
      const strategy = o.newStrategy();
      const state = new Map<string, unknown>();
      const seen = new Set<string>();
      for (let i = 0; i < 2000 && seen.size < nodes.length; i++) {
        const pick = strategy.pick(input(nodes, state, `key-${i}`));
        seen.add(pick().id);
      }
      expect([...seen].sort()).toEqual(nodes.map((n) => n.id).sort());
    });

    it('works with a single node', () => {
      const nodes = contractNodes(1);
      const pick = o.newStrategy().pick(input(nodes));
      for (let i = 0; i < 10; i++) expect(pick()).toBe(nodes[0]);
    });

    it('follows a changed node set', () => {
      const strategy = o.newStrategy();
      const state = new Map<string, unknown>();
      strategy.pick(input(contractNodes(4), state))();
      const next = contractNodes(3, 'm');
      const ids = new Set(next.map((n) => n.id));
      for (let i = 0; i < 200; i++) expect(ids.has(strategy.pick(input(next, state, `k${i}`))().id)).toBe(true);
    });

    it('gives distinct nodes on successive Next calls, then starts over', async () => {
      const nodes = contractNodes(5);
      const selector = await selectorWith(nodes);
      for (let round = 0; round < 20; round++) {
        const next = await selector.select('svc', { key: `user-${round}` });
        const first = Array.from({ length: 5 }, () => {
          const s = next();
          s.done();
          return s.node.id;
        });
        expect(new Set(first).size).toBe(5);
        expect(nodes.map((n) => n.id)).toContain(next().node.id);
      }
    });

    it('rejects with serviceUnavailable naming the service when it has no node', async () => {
      const selector = await selectorWith(contractNodes(2));
      await expect(selector.select('missing')).rejects.toMatchObject({ code: 503, detail: expect.stringContaining('missing') });
    });
  });
}
