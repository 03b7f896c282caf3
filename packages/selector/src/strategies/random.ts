import type { ServiceNode } from '@tsmicro/registry';
import type { Strategy, StrategyInput } from '../selector.js';

/**
 * Picks uniformly at random on every call, O(1).
 * @example createSelector({ registry, strategy: random })
 */
export const random: Strategy = {
  name: 'random',
  pick({ nodes, random: rand }: StrategyInput): () => ServiceNode {
    return () => nodes[Math.floor(rand() * nodes.length)] ?? nodes[0]!;
  },
};
