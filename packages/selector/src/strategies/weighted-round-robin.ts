import type { ServiceNode } from '@tsmicro/registry';
import type { Strategy, StrategyInput } from '../selector.js';
import { perNodeSet } from './per-node-set.js';

/** A node's weight from its `weight` metadata; missing, non-numeric or non-positive weights count as 1. */
export function nodeWeight(node: ServiceNode): number {
  const w = Number(node.metadata.weight);
  return Number.isFinite(w) && w > 0 ? w : 1;
}

/**
 * Earliest-deadline-first schedule: node i is due every 1/weight_i and the heap yields the node
 * due soonest, O(log n) per pick. First deadlines are staggered, which interleaves the nodes
 * (5:1:1 gives A A A B A A C…, runs of at most four A, like nginx's smooth WRR).
 */
interface Schedule {
  nodes: readonly ServiceNode[];
  step: Float64Array;
  due: Float64Array;
  heap: Int32Array;
}

function build(nodes: readonly ServiceNode[]): Schedule {
  const n = nodes.length;
  const s: Schedule = { nodes, step: new Float64Array(n), due: new Float64Array(n), heap: new Int32Array(n) };
  for (let i = 0; i < n; i++) {
    s.step[i] = 1 / nodeWeight(nodes[i]!);
    // Stagger first deadlines by position so equal-weight nodes never tie and light nodes fall between heavy picks.
    s.due[i] = (s.step[i]! * (i + 0.5)) / n;
    s.heap[i] = i;
  }
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(s, i);
  return s;
}

/** Heap order: earlier deadline first, lower index on ties (deterministic). */
function before(s: Schedule, a: number, b: number): boolean {
  const da = s.due[a]!;
  const db = s.due[b]!;
  return da < db || (da === db && a < b);
}

function siftDown(s: Schedule, i: number): void {
  const { heap } = s;
  const n = heap.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) return;
    const r = l + 1;
    const c = r < n && before(s, heap[r]!, heap[l]!) ? r : l;
    if (!before(s, heap[c]!, heap[i]!)) return;
    const t = heap[i]!;
    heap[i] = heap[c]!;
    heap[c] = t;
    i = c;
  }
}

function next(s: Schedule): ServiceNode {
  const top = s.heap[0]!;
  s.due[top] = s.due[top]! + s.step[top]!;
  siftDown(s, 0);
  return s.nodes[top]!;
}

/**
 * Smooth weighted round robin by node metadata `weight` (default 1): over any window a node gets
 * its share of picks, spread out rather than in bursts. The schedule is built once per node set
 * and kept per service.
 * @example await registry.register({ ...record, nodes: [{ id, address, metadata: { weight: '5' } }] })
 */
export const weightedRoundRobin: Strategy = {
  name: 'weightedRoundRobin',
  pick({ nodes, state }: StrategyInput): () => ServiceNode {
    const schedule = perNodeSet(state, 'schedule', nodes, build);
    return () => next(schedule);
  },
};
