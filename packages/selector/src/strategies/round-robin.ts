import type { ServiceNode } from '@tsmicro/registry';
import type { Strategy, StrategyInput } from '../selector.js';

/**
 * Takes nodes in turn, O(1). The cursor is kept per service across selections and starts at a
 * random offset, so many clients started together do not all hit the first node.
 * @example createSelector({ registry, strategy: roundRobin })
 */
export const roundRobin: Strategy = {
  name: 'roundRobin',
  pick({ nodes, state, random }: StrategyInput): () => ServiceNode {
    return () => {
      const prev = state.get('cursor');
      const cursor = typeof prev === 'number' ? prev : Math.floor(random() * nodes.length);
      // Wrap well before 2^53 so the cursor stays an exact integer.
      state.set('cursor', (cursor + 1) % 0x7fffffff);
      return nodes[cursor % nodes.length]!;
    };
  },
};
