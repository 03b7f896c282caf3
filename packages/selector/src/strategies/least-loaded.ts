import type { ServiceNode } from '@tsmicro/registry';
import type { NodeStats, Strategy, StrategyInput } from '../selector.js';

/** Expected cost of sending one more call: queue length times latency (+1 ms so unmeasured nodes still order by load). */
function cost(stats: NodeStats, node: ServiceNode): number {
  return (stats.inflight(node.id) + 1) * (stats.latency(node.id) + 1);
}

/**
 * Power of two choices: samples two distinct nodes at random and takes the one with the lower
 * in-flight count × EWMA latency (both fed by `Selection.done()`), O(1). Sampling rather than
 * taking the global minimum keeps many clients from stampeding the same node.
 * @example createSelector({ registry, strategy: leastLoaded })
 */
export const leastLoaded: Strategy = {
  name: 'leastLoaded',
  pick({ nodes, stats, random }: StrategyInput): () => ServiceNode {
    const n = nodes.length;
    return () => {
      if (n === 1) return nodes[0]!;
      const i = Math.floor(random() * n) % n;
      // A second index distinct from the first, still uniform over the others.
      const j = (i + 1 + (Math.floor(random() * (n - 1)) % (n - 1))) % n;
      const a = nodes[i]!;
      const b = nodes[j]!;
      return cost(stats, b) < cost(stats, a) ? b : a;
    };
  },
};
