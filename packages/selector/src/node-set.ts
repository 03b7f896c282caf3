import type { ServiceNode, ServiceRecord } from '@tsmicro/registry';

function sameMetadata(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function sameNodes(a: readonly ServiceNode[], b: readonly ServiceNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x.id !== y.id || x.address !== y.address || !sameMetadata(x.metadata, y.metadata))) return false;
  }
  return true;
}

/** The records' nodes, one per id (first wins), in order. */
export function flatten(records: readonly ServiceRecord[]): ServiceNode[] {
  if (records.length === 1) return records[0]!.nodes;
  const seen = new Set<string>();
  const out: ServiceNode[] = [];
  for (const r of records) {
    for (const n of r.nodes) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      out.push(n);
    }
  }
  return out;
}

/**
 * Hands out one array instance per distinct node set, so strategies can cache what they build
 * from it (rings, schedules) by identity. Remembers the last few sets of a service (filters can
 * make several). Records that are the same objects as last time (the registry cache hands out
 * frozen records, copying only the array) are recognised in O(records), not O(nodes).
 */
export interface NodeSets {
  of(records: readonly ServiceRecord[]): readonly ServiceNode[];
}

export function createNodeSets(keep = 4): NodeSets {
  const byRecords = new WeakMap<readonly ServiceRecord[], readonly ServiceNode[]>();
  const recent: Array<readonly ServiceNode[]> = [];
  let last: { records: readonly ServiceRecord[]; nodes: readonly ServiceNode[] } | undefined;
  return {
    of(records) {
      const hit = byRecords.get(records);
      if (hit) return hit;
      if (last && last.records.length === records.length && last.records.every((r, i) => r === records[i])) return last.nodes;
      const nodes = flatten(records);
      let stable = recent.find((r) => sameNodes(r, nodes));
      if (stable) recent.splice(recent.indexOf(stable), 1);
      else stable = nodes.slice();
      recent.unshift(stable);
      if (recent.length > keep) recent.pop();
      byRecords.set(records, stable);
      last = { records, nodes: stable };
      return stable;
    },
  };
}
