import type { ServiceNode } from '@tsmicro/registry';

/**
 * The structure built from `nodes`, cached in a strategy's per-service `state` by node-set
 * identity: filters can alternate between a few node sets without rebuilding, and sets the
 * selector no longer hands out are garbage-collected with their structures.
 */
export function perNodeSet<T extends object>(
  state: Map<string, unknown>,
  name: string,
  nodes: readonly ServiceNode[],
  build: (nodes: readonly ServiceNode[]) => T,
): T {
  let cache = state.get(name) as WeakMap<readonly ServiceNode[], T> | undefined;
  if (!cache) {
    cache = new WeakMap();
    state.set(name, cache);
  }
  let value = cache.get(nodes);
  if (!value) {
    value = build(nodes);
    cache.set(nodes, value);
  }
  return value;
}
