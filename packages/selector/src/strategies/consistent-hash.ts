import type { ServiceNode } from '@tsmicro/registry';
import type { Strategy, StrategyInput } from '../selector.js';
import { hash32 } from './hash.js';
import { perNodeSet } from './per-node-set.js';

/** Options of {@link createConsistentHash}. */
export interface ConsistentHashOptions {
  /** Virtual nodes per node on the ring; more spread keys more evenly. Default 160. */
  replicas?: number;
}

/** The ring: sorted point hashes and, for each point, the index of its node. */
interface Ring {
  points: Uint32Array;
  owner: Int32Array;
}

function build(nodes: readonly ServiceNode[], replicas: number): Ring {
  const total = nodes.length * replicas;
  const pairs = new Float64Array(total);
  // Pack (hash, node index) into one double so one numeric sort orders both; both fit in 53 bits.
  const width = 2 ** 21;
  for (let i = 0; i < nodes.length; i++) {
    const id = nodes[i]!.id;
    for (let r = 0; r < replicas; r++) pairs[i * replicas + r] = hash32(`${id}#${r}`) * width + i;
  }
  pairs.sort();
  const points = new Uint32Array(total);
  const owner = new Int32Array(total);
  for (let k = 0; k < total; k++) {
    const v = pairs[k]!;
    points[k] = Math.floor(v / width);
    owner[k] = v % width;
  }
  return { points, owner };
}

/** Index of the first point at or after `h`, wrapping to 0. */
function search(points: Uint32Array, h: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  return lo === points.length ? 0 : lo;
}

/**
 * Consistent hashing on a ring of virtual nodes (FNV-1a + fmix32, by node id): a key keeps going to
 * the same node, and adding or removing one of N nodes moves about 1/N of the keys. Later picks of
 * one `Next` walk the ring clockwise, so a retry goes to the key's next node. The ring is built once
 * per node set (O(N·replicas·log)), a pick is a binary search. Without `key` it starts at a random point.
 * @example createSelector({ registry, strategy: createConsistentHash({ replicas: 100 }) })
 */
export function createConsistentHash(o: ConsistentHashOptions = {}): Strategy {
  const replicas = Math.max(1, Math.floor(o.replicas ?? 160));
  return {
    name: 'consistentHash',
    pick({ nodes, state, key, random }: StrategyInput): () => ServiceNode {
      if (nodes.length > 2 ** 21) throw new RangeError(`consistentHash supports up to 2^21 nodes, got ${nodes.length}`);
      const { points, owner } = perNodeSet(state, 'ring', nodes, (n) => build(n, replicas));
      let at = key === undefined ? Math.floor(random() * points.length) : search(points, hash32(key));
      return () => {
        const node = nodes[owner[at]!]!;
        at = at + 1 === points.length ? 0 : at + 1;
        return node;
      };
    },
  };
}

/** {@link createConsistentHash} with the default 160 virtual nodes per node. */
export const consistentHash: Strategy = createConsistentHash();
