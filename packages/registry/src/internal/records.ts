import { badRequest } from '@tsmicro/core';
import type { ServiceNode, ServiceRecord } from '../registry.js';

/** A deep copy, so callers never hold references into a registry's state. */
export function cloneRecord(r: ServiceRecord, nodes: readonly ServiceNode[] = r.nodes): ServiceRecord {
  return {
    name: r.name,
    version: r.version,
    metadata: { ...r.metadata },
    endpoints: r.endpoints.map((e) => ({ name: e.name, metadata: { ...e.metadata } })),
    nodes: nodes.map(cloneNode),
  };
}

export function cloneNode(n: ServiceNode): ServiceNode {
  return { id: n.id, address: n.address, metadata: { ...n.metadata } };
}

export function sameStrings(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

export function sameNode(a: ServiceNode, b: ServiceNode): boolean {
  return a.id === b.id && a.address === b.address && sameStrings(a.metadata, b.metadata);
}

/** True when the version-level parts (metadata, endpoints) of two records agree. */
export function sameShape(a: ServiceRecord, b: ServiceRecord): boolean {
  if (!sameStrings(a.metadata, b.metadata) || a.endpoints.length !== b.endpoints.length) return false;
  return a.endpoints.every((e, i) => {
    const o = b.endpoints[i];
    return o !== undefined && o.name === e.name && sameStrings(e.metadata, o.metadata);
  });
}

/** Rejects records no registry can store meaningfully. Shared by every implementation in this package. */
export function validate(s: ServiceRecord): void {
  if (!s.name) throw badRequest('registry: service name is empty');
  for (const n of s.nodes) if (!n.id) throw badRequest(`registry: a node of service ${s.name} has an empty id`);
}
