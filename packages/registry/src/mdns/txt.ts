import type { ServiceRecord } from '../registry.js';

/** A DNS TXT string holds at most 255 bytes; a length byte precedes each. */
const TXT_MAX = 255;
const CHUNK = 'd';

/** One node of one service, as one DNS-SD instance carries it. */
export interface NodeAnnouncement {
  /** The record with exactly one node. */
  record: ServiceRecord;
  /** The registration ttl in ms; `undefined` when the registrant gave none. */
  ttl: number | undefined;
}

/**
 * TXT strings of an instance. Readable `key=value` pairs come first for ordinary mDNS browsers
 * (dropped when too long); everything is recoverable from the JSON payload that follows, split into
 * `d0=`, `d1=`… strings because of the 255-byte limit.
 */
export function encodeTxt(a: NodeAnnouncement): Buffer[] {
  const node = a.record.nodes[0];
  if (!node) throw new Error('encodeTxt: record without a node');
  const out: Buffer[] = [Buffer.from('txtvers=1')];
  const readable: Array<[string, string]> = [
    ['name', a.record.name],
    ['version', a.record.version],
    ['id', node.id],
    ['address', node.address],
  ];
  if (a.ttl !== undefined) readable.push(['ttl', String(a.ttl)]);
  for (const [k, v] of readable) {
    const b = Buffer.from(`${k}=${v}`);
    if (b.length <= TXT_MAX) out.push(b);
  }
  const payload = Buffer.from(
    JSON.stringify({ n: a.record.name, v: a.record.version, m: a.record.metadata, e: a.record.endpoints, node, ttl: a.ttl ?? null }),
  );
  // chunks split bytes, not characters: they are joined as bytes before decoding
  for (let i = 0, off = 0; off < payload.length; i++) {
    const prefix = Buffer.from(`${CHUNK}${i}=`);
    const take = TXT_MAX - prefix.length;
    out.push(Buffer.concat([prefix, payload.subarray(off, off + take)]));
    off += take;
  }
  return out;
}

/** The announcement in TXT strings, or `undefined` when they are not a tsmicro payload or are malformed. */
export function decodeTxt(data: ReadonlyArray<string | Buffer>): NodeAnnouncement | undefined {
  const chunks: Buffer[] = [];
  for (const item of data) {
    const b = typeof item === 'string' ? Buffer.from(item) : item;
    const eq = b.indexOf(0x3d);
    if (eq < 2 || b[0] !== CHUNK.charCodeAt(0)) continue;
    const idx = Number(b.subarray(1, eq).toString());
    if (!Number.isInteger(idx) || idx < 0 || idx > 10_000) continue;
    chunks[idx] = b.subarray(eq + 1);
  }
  if (chunks.length === 0 || chunks.some((c) => c === undefined)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString());
  } catch {
    return undefined;
  }
  return parsePayload(v);
}

function isStrings(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

function parsePayload(v: unknown): NodeAnnouncement | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Record<string, unknown>;
  const node = p.node as Record<string, unknown> | null | undefined;
  if (typeof p.n !== 'string' || typeof p.v !== 'string' || !isStrings(p.m) || !Array.isArray(p.e)) return undefined;
  if (typeof node !== 'object' || node === null || typeof node.id !== 'string' || typeof node.address !== 'string') return undefined;
  if (!isStrings(node.metadata)) return undefined;
  const endpoints: ServiceRecord['endpoints'] = [];
  for (const e of p.e as unknown[]) {
    const ep = e as Record<string, unknown> | null;
    if (typeof ep !== 'object' || ep === null || typeof ep.name !== 'string' || !isStrings(ep.metadata)) return undefined;
    endpoints.push({ name: ep.name, metadata: { ...ep.metadata } });
  }
  const ttl = typeof p.ttl === 'number' && Number.isFinite(p.ttl) && p.ttl > 0 ? p.ttl : undefined;
  return {
    record: {
      name: p.n,
      version: p.v,
      metadata: { ...p.m },
      endpoints,
      nodes: [{ id: node.id, address: node.address, metadata: { ...node.metadata } }],
    },
    ttl,
  };
}
