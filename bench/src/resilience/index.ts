export { entryOf, type NodeProcess, spawnNode, spawnServer } from './nodes.js';
export { benchSkewedNodes, formatSkewedNodes, type SkewedNodesOptions, type SkewedNodesRow } from './skewed.js';
