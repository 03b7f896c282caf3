import type { ServiceNode, ServiceRecord } from '../registry.js';

// Names, versions and ids may contain '/', so each path segment is URI-encoded.
const enc = encodeURIComponent;

/** `<prefix><name>/`: every node of every version of one service. */
export function serviceKey(prefix: string, name: string): string {
  return `${prefix}${enc(name)}/`;
}

/** `<prefix><name>/<version>/`: every node of one version. */
export function versionKey(prefix: string, name: string, version: string): string {
  return `${serviceKey(prefix, name)}${enc(version)}/`;
}

export function nodeKey(prefix: string, name: string, version: string, id: string): string {
  return `${versionKey(prefix, name, version)}${enc(id)}`;
}

/** The end of the key range holding every key that starts with `prefix` (etcd's `range_end`). */
export function rangeEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      b[i]! += 1;
      return b.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** Name, version and node id of a node key, or undefined for a key of another shape. */
export function parseKey(prefix: string, key: string): { name: string; version: string; id: string } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const parts = key.slice(prefix.length).split('/');
  if (parts.length !== 3) return undefined;
  try {
    const [name, version, id] = parts.map((p) => decodeURIComponent(p)) as [string, string, string];
    return { name, version, id };
  } catch {
    return undefined;
  }
}

/** The stored value: the record with just this one node. */
export function encodeValue(r: ServiceRecord, node: ServiceNode): string {
  return JSON.stringify({ name: r.name, version: r.version, metadata: r.metadata, endpoints: r.endpoints, nodes: [node] });
}

const isStrings = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

/** A stored value as a one-node record; undefined when it is not one (written by something else). */
export function decodeValue(raw: string): ServiceRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Partial<Record<keyof ServiceRecord, unknown>>;
  if (typeof r.name !== 'string' || typeof r.version !== 'string' || !isStrings(r.metadata)) return undefined;
  if (!Array.isArray(r.endpoints) || !Array.isArray(r.nodes) || r.nodes.length !== 1) return undefined;
  const endpoints = r.endpoints.filter(
    (e): e is ServiceRecord['endpoints'][number] => typeof e?.name === 'string' && isStrings(e.metadata),
  );
  const nodes = r.nodes.filter(
    (n): n is ServiceNode => typeof n?.id === 'string' && typeof n.address === 'string' && isStrings(n.metadata),
  );
  if (nodes.length !== 1 || endpoints.length !== r.endpoints.length) return undefined;
  return { name: r.name, version: r.version, metadata: r.metadata, endpoints, nodes };
}

/** One record per (name, version) with all their nodes, in key order. Version-level fields come from the last node seen. */
export function aggregate(records: readonly ServiceRecord[]): ServiceRecord[] {
  const byVersion = new Map<string, ServiceRecord>();
  for (const r of records) {
    const k = JSON.stringify([r.name, r.version]);
    const prev = byVersion.get(k);
    byVersion.set(k, { ...r, nodes: [...(prev?.nodes ?? []), ...r.nodes] });
  }
  return [...byVersion.values()];
}
