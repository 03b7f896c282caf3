import { cloneRecord } from '../internal/records.js';
import type { ServiceRecord, WatchEvent } from '../registry.js';

/** The versions of one service, keyed by version, as the cache holds them. */
export type Versions = Map<string, ServiceRecord>;

export function toVersions(records: readonly ServiceRecord[]): Versions {
  return new Map(records.map((r) => [r.version, cloneRecord(r)]));
}

/**
 * Applies a watch event. Updates are merged node by node rather than replacing the version, so
 * backends whose events carry only the changed node (one key per node, as in etcd) work the same
 * as those sending the whole record; replaying an event already reflected is harmless.
 */
export function applyEvent(versions: Versions, e: WatchEvent): void {
  const s = e.service;
  const current = versions.get(s.version);
  if (e.action === 'delete') {
    if (!current) return;
    if (s.nodes.length === 0) {
      versions.delete(s.version);
      return;
    }
    const gone = new Set(s.nodes.map((n) => n.id));
    current.nodes = current.nodes.filter((n) => !gone.has(n.id));
    if (current.nodes.length === 0) versions.delete(s.version);
    return;
  }
  const next = cloneRecord(s, []);
  const nodes = new Map((current?.nodes ?? []).map((n) => [n.id, n]));
  for (const n of cloneRecord(s).nodes) nodes.set(n.id, n);
  next.nodes = [...nodes.values()];
  if (next.nodes.length > 0) versions.set(s.version, next);
}

/** Deep-frozen copies: shared by every caller of a cache hit, so nobody can change them. */
export function freezeVersions(versions: Versions): readonly ServiceRecord[] {
  return Object.freeze(
    [...versions.values()].map((r) => {
      const c = cloneRecord(r);
      for (const n of c.nodes) Object.freeze(n.metadata);
      for (const e of c.endpoints) Object.freeze(e.metadata);
      Object.freeze(c.metadata);
      c.nodes.forEach(Object.freeze);
      c.endpoints.forEach(Object.freeze);
      Object.freeze(c.nodes);
      Object.freeze(c.endpoints);
      return Object.freeze(c);
    }),
  );
}
