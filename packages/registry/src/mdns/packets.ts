import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { ResponseOutgoingPacket, ResponsePacket } from 'multicast-dns';
import type { ServiceNode, ServiceRecord } from '../registry.js';
import { decodeTxt, encodeTxt, type NodeAnnouncement } from './txt.js';

type Answer = ResponseOutgoingPacket['answers'][number];

/** The DNS-SD service type every tsmicro node is an instance of. */
export const SERVICE_TYPE = '_micro._tcp.local';
/** The DNS-SD meta query browsers send to enumerate service types. */
export const META_QUERY = '_services._dns-sd._udp.local';

/** A DNS label of at most `max` bytes made of safe characters (dots would split the label). */
function label(s: string, max: number): string {
  const clean = s.replace(/[^A-Za-z0-9_-]/g, '-');
  return clean.slice(0, max) || 'x';
}

/** Instance label: readable node id plus a hash, unique per (service, version, node). */
export function instanceName(name: string, version: string, nodeId: string): string {
  const hash = createHash('sha1').update(`${name}\0${version}\0${nodeId}`).digest('hex').slice(0, 8);
  return `${label(nodeId, 50)}-${hash}.${SERVICE_TYPE}`;
}

/** Subtype browse name, so a browser (or a query) can ask for one service's instances. */
export function subtypeName(service: string): string {
  return `_${label(service.toLowerCase(), 60)}._sub.${SERVICE_TYPE}`;
}

/** Splits `host:port` / `[v6]:port`; `undefined` for addresses without a numeric port (unix paths…). */
export function splitAddress(address: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(address);
  if (!m?.[1] || !m[2]) return undefined;
  const port = Number(m[2]);
  return port <= 65_535 ? { host: m[1], port } : undefined;
}

/** DNS ttl in whole seconds (at least 1 unless saying goodbye). */
function dnsTtl(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The records announcing one node: meta PTR, type PTR, subtype PTR, SRV, TXT and A/AAAA.
 * `goodbye` gives every record ttl 0, which tells listeners to drop them now (RFC 6762 §10.1).
 */
export function nodeAnswers(a: NodeAnnouncement, ttlMs: number, goodbye = false): Answer[] {
  const r = a.record;
  const node = r.nodes[0] as ServiceNode;
  const instance = instanceName(r.name, r.version, node.id);
  const ttl = goodbye ? 0 : dnsTtl(ttlMs);
  const host = `${instance.slice(0, instance.length - SERVICE_TYPE.length - 1)}.local`;
  const addr = splitAddress(node.address);
  const out: Answer[] = [
    { name: SERVICE_TYPE, type: 'PTR', ttl, data: instance },
    { name: subtypeName(r.name), type: 'PTR', ttl, data: instance },
    { name: instance, type: 'SRV', ttl, flush: true, data: { port: addr?.port ?? 0, target: host, priority: 0, weight: 0 } },
    { name: instance, type: 'TXT', ttl, flush: true, data: encodeTxt(a) },
  ];
  if (!goodbye) out.unshift({ name: META_QUERY, type: 'PTR', ttl, data: SERVICE_TYPE });
  if (addr && isIPv4(addr.host)) out.push({ name: host, type: 'A', ttl, flush: true, data: addr.host });
  if (addr && isIPv6(addr.host)) out.push({ name: host, type: 'AAAA', ttl, flush: true, data: addr.host });
  return out;
}

/** A tsmicro node found in a response: announced (with its ttl) or said goodbye to. */
export interface Heard extends NodeAnnouncement {
  instance: string;
  goodbye: boolean;
}

/** Every tsmicro node in a response packet; foreign and malformed records are skipped. */
export function parseResponse(p: ResponsePacket): Heard[] {
  const out: Heard[] = [];
  for (const ans of [...(p.answers ?? []), ...(p.additionals ?? [])]) {
    if (ans.type !== 'TXT' || !ans.name.endsWith(`.${SERVICE_TYPE}`)) continue;
    const data = Array.isArray(ans.data) ? ans.data : [ans.data];
    const a = decodeTxt(data);
    if (!a) continue;
    const node = a.record.nodes[0] as ServiceNode;
    // the name must match the payload: a record can't claim another instance's node
    if (instanceName(a.record.name, a.record.version, node.id) !== ans.name) continue;
    const dnsTtlMs = (ans.ttl ?? 0) * 1000;
    out.push({ ...a, ttl: a.ttl ?? dnsTtlMs, instance: ans.name, goodbye: ans.ttl === 0 });
  }
  return out;
}

/** One announcement per node of the record. */
export function announcementsOf(s: ServiceRecord, ttl: number | undefined): NodeAnnouncement[] {
  return s.nodes.map((n) => ({ record: { ...s, nodes: [n] }, ttl }));
}
