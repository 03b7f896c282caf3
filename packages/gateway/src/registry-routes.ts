import { describeService, type ServiceDescription } from '@tsmicro/client';
import { badRequest, isMicroError, notFound } from '@tsmicro/core';
import type { GatewayDeps } from './deps.js';
import { GATEWAY_ID } from './http-error.js';

/** A description with only the endpoints this gateway exposes. */
function exposed(d: GatewayDeps, s: ServiceDescription): ServiceDescription {
  return { ...s, endpoints: s.endpoints.filter((e) => d.o.access.endpoint(s.name, e.name)) };
}

/** `GET /api/services/{name}`: every registered version of one exposed service. 404 when unknown or hidden. */
export async function describeOne(d: GatewayDeps, name: string): Promise<ServiceDescription[]> {
  if (!d.o.access.service(name)) throw notFound(`service '${name}' is not exposed by this gateway`, { id: GATEWAY_ID });
  try {
    return (await describeService(d.registry, name)).map((s) => exposed(d, s));
  } catch (e) {
    throw isMicroError(e) && e.code === 404 ? notFound(e.detail, { id: GATEWAY_ID }) : e;
  }
}

/** `GET /api/services`: every exposed service and version, sorted by name then version. */
export async function describeAll(d: GatewayDeps): Promise<ServiceDescription[]> {
  const names = [...new Set((await d.source.listServices()).map((r) => r.name))].filter((n) => d.o.access.service(n)).sort();
  const all = await Promise.all(names.map((n) => describeOne(d, n).catch(() => [])));
  return all.flat().sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

const probes = new Set(['health', 'stats']);
const EMPTY_REQUEST = new TextEncoder().encode('{}');

/**
 * `GET /api/services/{name}/nodes/{id}/{health|stats}`: the dashboard's view of one node, its
 * `Debug.health` or `Debug.stats` called on that node's address (bytes passed through). The same
 * allow/deny rules as calls: by default `Debug.*` is not exposed and the probe is a 404, as a call
 * would be (the dashboard reads the exposed endpoints from the listing and does not ask).
 */
export async function probeNode(d: GatewayDeps, name: string, nodeId: string, probe: string): Promise<Uint8Array> {
  if (!probes.has(probe)) throw badRequest(`node probe '${probe}' is not health or stats`, { id: GATEWAY_ID });
  const endpoint = `Debug.${probe}`;
  if (!d.o.access.endpoint(name, endpoint)) {
    throw notFound(`no endpoint '${endpoint}' of service '${name}' is exposed by this gateway (allow '${name}/Debug.*' to probe nodes)`, {
      id: GATEWAY_ID,
    });
  }
  const versions = await describeOne(d, name);
  const node = versions.flatMap((v) => v.nodes).find((n) => n.id === nodeId);
  if (!node) throw notFound(`service '${name}' has no node '${nodeId}'`, { id: GATEWAY_ID });
  return d.client.call(name, endpoint, EMPTY_REQUEST, { address: node.address, timeout: 3000, retries: 0 });
}
