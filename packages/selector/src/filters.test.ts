import type { ServiceRecord } from '@tsmicro/registry';
import { describe, expect, it } from 'vitest';
import { endpointFilter, metadataFilter, preferFilter, versionFilter } from './filters.js';
import type { FilterContext } from './selector.js';

const all: FilterContext = { healthy: () => true };
const rec = (version: string, ids: string[], zone = 'a', endpoint = 'Greeter.hello'): ServiceRecord => ({
  name: 'svc',
  version,
  metadata: { region: 'eu' },
  endpoints: [{ name: endpoint, metadata: {} }],
  nodes: ids.map((id) => ({ id, address: `127.0.0.1:${id.length}`, metadata: { zone } })),
});
const ids = (rs: ServiceRecord[]) => rs.flatMap((r) => r.nodes.map((n) => n.id));

describe('filters', () => {
  const records = [rec('1.0.0', ['a1', 'a2']), rec('2.1.0', ['b1'], 'b', 'Greeter.bye')];

  it('versionFilter keeps versions in range and returns the input when nothing is dropped', () => {
    expect(ids(versionFilter('^2')(records, all))).toEqual(['b1']);
    expect(versionFilter('*')(records, all)).toBe(records);
  });

  it('metadataFilter matches node metadata, then record metadata', () => {
    expect(ids(metadataFilter({ zone: 'b' })(records, all))).toEqual(['b1']);
    expect(ids(metadataFilter({ region: 'eu', zone: 'a' })(records, all))).toEqual(['a1', 'a2']);
    expect(ids(metadataFilter({ region: 'us' })(records, all))).toEqual([]);
  });

  it('endpointFilter keeps records declaring the endpoint', () => {
    expect(ids(endpointFilter('Greeter.bye')(records, all))).toEqual(['b1']);
    expect(endpointFilter('Nope.x')(records, all)).toEqual([]);
  });

  it('preferFilter prefers matching healthy nodes and falls back to all', () => {
    const sameZone = preferFilter((n) => n.metadata.zone === 'b');
    expect(ids(sameZone(records, all))).toEqual(['b1']);
    expect(sameZone(records, { healthy: (n) => n.id !== 'b1' })).toBe(records);
    expect(preferFilter(() => false)(records, all)).toBe(records);
  });
});
