import type { ServiceNode, ServiceRecord } from '@tsmicro/registry';
import type { Filter } from './selector.js';
import { compileRange } from './semver.js';

/** Keeps the records whose nodes pass `keep`; returns the input itself when nothing is dropped (cache-friendly). */
function filterNodes(records: ServiceRecord[], keep: (node: ServiceNode, record: ServiceRecord) => boolean): ServiceRecord[] {
  let changed = false;
  const out: ServiceRecord[] = [];
  for (const r of records) {
    const nodes = r.nodes.filter((n) => keep(n, r));
    if (nodes.length !== r.nodes.length) changed = true;
    if (nodes.length > 0) out.push(nodes.length === r.nodes.length ? r : { ...r, nodes });
  }
  return changed ? out : records;
}

function filterRecords(records: ServiceRecord[], keep: (record: ServiceRecord) => boolean): ServiceRecord[] {
  const out = records.filter(keep);
  return out.length === records.length ? records : out;
}

/**
 * Keeps the versions inside a semver range (npm's range syntax, see `compileRange`). Throws `badRequest` for an unreadable range.
 * @example select('greeter', { filters: [versionFilter('^1.2.0 || 2.x')] })
 */
export function versionFilter(range: string): Filter {
  const matches = compileRange(range);
  return (records) => filterRecords(records, (r) => matches(r.version));
}

/**
 * Keeps nodes whose metadata has every given key/value; a key the node lacks is looked up in the
 * record's metadata.
 * @example select('greeter', { filters: [metadataFilter({ region: 'eu' })] })
 */
export function metadataFilter(match: Readonly<Record<string, string>>): Filter {
  const entries = Object.entries(match);
  return (records) => filterNodes(records, (n, r) => entries.every(([k, v]) => (n.metadata[k] ?? r.metadata[k]) === v));
}

/**
 * Keeps the records that declare the endpoint (`Handler.method`).
 * @example select('greeter', { filters: [endpointFilter('Greeter.hello')] })
 */
export function endpointFilter(name: string): Filter {
  return (records) => filterRecords(records, (r) => r.endpoints.some((e) => e.name === name));
}

/**
 * Prefers the healthy nodes matching `predicate` (e.g. the caller's zone) and falls back to all
 * nodes when none of them match or none of the matching ones is healthy.
 * @example preferFilter((node) => node.metadata.zone === myZone)
 */
export function preferFilter(predicate: (node: ServiceNode, record: ServiceRecord) => boolean): Filter {
  return (records, ctx) => {
    const preferred = filterNodes(records, (n, r) => predicate(n, r));
    const anyHealthy = preferred.some((r) => r.nodes.some((n) => ctx.healthy(n)));
    return anyHealthy ? preferred : records;
  };
}
