import type { ServiceNode } from '@tsmicro/registry';
import type { NodeStats, Strategy, StrategyInput } from '../selector.js';

/** Expected cost of sending one more call: queue length times latency (+1 ms so unmeasured nodes still order by load). */
function cost(stats: NodeStats, node: ServiceNode): number {
  return (stats.inflight(node.id) + 1) * (stats.latency(node.id) + 1);
}

/** A node measured this many times slower than the other of its pair loses the pair whatever the queues. */
const SLOW_FACTOR = 2;
/** Share of such pairs that still go to the slow node, so its latency estimate stays fresh and a recovered node returns. */
const PROBE_SHARE = 1 / 256;

/** True when `a` is a latency outlier next to `b` (both measured). */
function muchSlower(stats: NodeStats, a: ServiceNode, b: ServiceNode): boolean {
  const la = stats.latency(a.id);
  const lb = stats.latency(b.id);
  return lb > 0 && la > SLOW_FACTOR * lb;
}

/**
 * Power of two choices: samples two distinct nodes at random and takes the one with the lower
 * in-flight count × EWMA latency (both fed by `Selection.done()`), O(1). Sampling rather than
 * taking the global minimum keeps many clients from stampeding the same node.
 *
 * Queue length only predicts latency for nodes that slow down as they queue (CPU-bound ones); a
 * node that is slow for its own reasons would otherwise keep a steady share of calls and set the
 * caller's p99. So a node measured over 2× slower than the other of its pair is passed over, but
 * for 1 in 256 such pairs: enough to notice when it recovers. When load makes every node slow,
 * their latencies converge and plain P2C applies again.
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
      if (muchSlower(stats, a, b)) return random() < PROBE_SHARE ? a : b;
      if (muchSlower(stats, b, a)) return random() < PROBE_SHARE ? b : a;
      return cost(stats, b) < cost(stats, a) ? b : a;
    };
  },
};
