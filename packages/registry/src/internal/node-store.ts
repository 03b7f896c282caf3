import type { ServiceNode, ServiceRecord, WatchEvent } from '../registry.js';
import { cloneNode, cloneRecord, sameNode, sameShape } from './records.js';

interface Version {
  record: ServiceRecord; // nodes kept empty; they live in `nodes`
  nodes: Map<string, { node: ServiceNode; timer: NodeJS.Timeout | undefined }>;
}

/**
 * The state of a registry: records by name and version, nodes with per-node expiry.
 * Every change is reported through `onEvent`; a refresh that changes nothing reports nothing.
 */
export interface NodeStore {
  /** Merges the record's nodes in; `ttl` (ms) restarts each node's expiry, `undefined` means never. */
  upsert(r: ServiceRecord, ttl: number | undefined): void;
  /** Removes the record's nodes (all of the version's nodes when the record lists none). */
  remove(r: ServiceRecord): void;
  get(name: string): ServiceRecord[];
  list(): ServiceRecord[];
  /** Clears every expiry timer and forgets everything, without events. */
  clear(): void;
}

export function createNodeStore(onEvent: (e: WatchEvent) => void): NodeStore {
  const services = new Map<string, Map<string, Version>>();

  function snapshot(v: Version): ServiceRecord {
    return cloneRecord(
      v.record,
      [...v.nodes.values()].map((n) => n.node),
    );
  }

  function drop(name: string, version: string, ids: readonly string[]): void {
    const v = services.get(name)?.get(version);
    if (!v) return;
    const gone: ServiceNode[] = [];
    for (const id of ids) {
      const n = v.nodes.get(id);
      if (!n) continue;
      clearTimeout(n.timer);
      v.nodes.delete(id);
      gone.push(n.node);
    }
    if (v.nodes.size === 0) {
      const versions = services.get(name);
      versions?.delete(version);
      if (versions?.size === 0) services.delete(name);
    }
    if (gone.length > 0) onEvent({ action: 'delete', service: cloneRecord(v.record, gone) });
  }

  function arm(name: string, version: string, id: string, ttl: number | undefined): NodeJS.Timeout | undefined {
    if (ttl === undefined || !Number.isFinite(ttl)) return undefined;
    const t = setTimeout(() => drop(name, version, [id]), Math.max(0, ttl));
    // expiry is bookkeeping: it must never be the reason a process stays alive
    t.unref();
    return t;
  }

  return {
    upsert(r, ttl) {
      let versions = services.get(r.name);
      if (!versions) {
        versions = new Map();
        services.set(r.name, versions);
      }
      let v = versions.get(r.version);
      const created = !v;
      let changed = false;
      if (!v) {
        v = { record: cloneRecord(r, []), nodes: new Map() };
        versions.set(r.version, v);
      } else if (!sameShape(v.record, r)) {
        v.record = cloneRecord(r, []);
        changed = true;
      }
      for (const node of r.nodes) {
        const old = v.nodes.get(node.id);
        if (old) clearTimeout(old.timer);
        if (!old || !sameNode(old.node, node)) changed = true;
        v.nodes.set(node.id, { node: cloneNode(node), timer: arm(r.name, r.version, node.id, ttl) });
      }
      if (v.nodes.size === 0) {
        // a record without nodes announces nothing that can be called
        versions.delete(r.version);
        if (versions.size === 0) services.delete(r.name);
        return;
      }
      if (created) onEvent({ action: 'create', service: snapshot(v) });
      else if (changed) onEvent({ action: 'update', service: snapshot(v) });
    },
    remove(r) {
      const v = services.get(r.name)?.get(r.version);
      if (!v) return;
      const ids = r.nodes.length === 0 ? [...v.nodes.keys()] : r.nodes.map((n) => n.id);
      drop(r.name, r.version, ids);
    },
    get(name) {
      return [...(services.get(name)?.values() ?? [])].map(snapshot);
    },
    list() {
      return [...services.values()].flatMap((versions) => [...versions.values()].map(snapshot));
    },
    clear() {
      for (const versions of services.values()) for (const v of versions.values()) for (const n of v.nodes.values()) clearTimeout(n.timer);
      services.clear();
    },
  };
}
