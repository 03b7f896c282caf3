import type { Endpoint, ServiceNode, ServiceRecord } from '../registry.js';

/** The part of a Consul service registration this registry writes (PUT /v1/agent/service/register). */
export interface ConsulServiceDef {
  ID: string;
  Name: string;
  Tags: string[];
  Address: string;
  Port: number;
  Meta: Record<string, string>;
  Check?: { CheckID: string; Name: string; TTL: string; DeregisterCriticalServiceAfter: string; Status: 'passing' };
}

/** One entry of GET /v1/health/service/:name (only the fields read here). */
export interface HealthEntry {
  Node?: { Address?: string };
  Service?: {
    ID?: string;
    Service?: string;
    Tags?: string[] | null;
    Address?: string;
    Port?: number;
    Meta?: Record<string, string> | null;
  };
}

const TAG = 'tsmicro=';

/** `name:version:id` with those three separators escaped, so ids from different services never collide on one agent. */
export function serviceId(name: string, version: string, id: string): string {
  return [name, version, id].map((s) => s.replace(/%/g, '%25').replace(/:/g, '%3A').replace(/\//g, '%2F')).join(':');
}

export const checkId = (sid: string) => `service:${sid}`;

function splitAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(address);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: address, port: 0 };
}

/**
 * A node as a Consul service. Consul's own fields (Address, Port, Meta.version) stay meaningful for
 * other Consul tools; the exact record (metadata, endpoints, the node's own id and address) travels in
 * one tag, since Meta values are limited to 512 characters.
 */
export function toServiceDef(r: ServiceRecord, node: ServiceNode, ttl: number | undefined, deregisterAfter: number): ConsulServiceDef {
  const ID = serviceId(r.name, r.version, node.id);
  const { host, port } = splitAddress(node.address);
  const payload = { version: r.version, metadata: r.metadata, endpoints: r.endpoints, node };
  const def: ConsulServiceDef = {
    ID,
    Name: r.name,
    Tags: [`version=${r.version}`, TAG + Buffer.from(JSON.stringify(payload)).toString('base64url')],
    Address: host,
    Port: port,
    Meta: { version: r.version },
  };
  if (ttl !== undefined) {
    def.Check = {
      CheckID: checkId(ID),
      Name: `tsmicro ttl of ${node.id}`,
      TTL: `${Math.max(1, Math.round(ttl))}ms`,
      DeregisterCriticalServiceAfter: `${Math.max(1, Math.round(deregisterAfter))}ms`,
      Status: 'passing',
    };
  }
  return def;
}

const strings = (v: unknown): Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};

/** A health entry as a one-node record; services registered by other tools get their Consul fields. */
export function fromHealthEntry(e: HealthEntry): ServiceRecord | undefined {
  const s = e.Service;
  if (!s?.Service || !s.ID) return undefined;
  const tag = (s.Tags ?? []).find((t) => t.startsWith(TAG));
  if (tag) {
    try {
      const p = JSON.parse(Buffer.from(tag.slice(TAG.length), 'base64url').toString()) as Record<string, unknown>;
      const n = (p.node ?? {}) as Record<string, unknown>;
      const endpoints: Endpoint[] = (Array.isArray(p.endpoints) ? p.endpoints : [])
        .filter((x): x is { name: string; metadata?: unknown } => typeof x?.name === 'string')
        .map((x) => ({ name: x.name, metadata: strings(x.metadata) }));
      if (typeof p.version === 'string' && typeof n.id === 'string' && typeof n.address === 'string') {
        const node = { id: n.id, address: n.address, metadata: strings(n.metadata) };
        return { name: s.Service, version: p.version, metadata: strings(p.metadata), endpoints, nodes: [node] };
      }
    } catch {
      // not ours after all: fall through to the plain Consul view
    }
  }
  const host = s.Address || e.Node?.Address || '';
  const address = s.Port ? `${host.includes(':') ? `[${host}]` : host}:${s.Port}` : host;
  return {
    name: s.Service,
    version: s.Meta?.version ?? '',
    metadata: {},
    endpoints: [],
    nodes: [{ id: s.ID, address, metadata: strings(s.Meta) }],
  };
}
