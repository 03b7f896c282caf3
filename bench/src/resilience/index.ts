export { type NodeProcess, spawnNode } from './nodes.js';
export { benchSkewedNodes, formatSkewedNodes, type SkewedNodesOptions, type SkewedNodesRow } from './skewed.js';
