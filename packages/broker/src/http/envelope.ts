import { badRequest } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';

/**
 * The http broker's body format (`application/x-tsmicro-broker`): a 4-byte big-endian length,
 * that many bytes of UTF-8 JSON `{"t": topic, "h": headers}`, then the message body raw.
 * Headers travel inside the body rather than as HTTP headers, so any string survives.
 */
export const ENVELOPE_TYPE = 'application/x-tsmicro-broker';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** Encodes one message for `topic` into one buffer (written once per subscriber, so fan-out copies nothing). */
export function encodeEnvelope(topic: string, m: Message): Uint8Array {
  const meta = enc.encode(JSON.stringify({ t: topic, h: m.header }));
  const out = new Uint8Array(4 + meta.length + m.body.length);
  new DataView(out.buffer).setUint32(0, meta.length);
  out.set(meta, 4);
  out.set(m.body, 4 + meta.length);
  return out;
}

/** Decodes an envelope; anything malformed is a 400 naming what is wrong. */
export function decodeEnvelope(data: Uint8Array): { topic: string; message: Message } {
  if (data.length < 4) throw badRequest('http broker: envelope shorter than its 4-byte prefix');
  const n = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
  if (4 + n > data.length) throw badRequest(`http broker: envelope header of ${n} bytes overruns the ${data.length}-byte body`);
  let meta: unknown;
  try {
    meta = JSON.parse(dec.decode(data.subarray(4, 4 + n)));
  } catch {
    throw badRequest('http broker: envelope header is not UTF-8 JSON');
  }
  const o = meta as { t?: unknown; h?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.t !== 'string' || typeof o.h !== 'object' || o.h === null) {
    throw badRequest('http broker: envelope header lacks topic "t" or headers "h"');
  }
  const header: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(o.h as Record<string, unknown>)) {
    if (typeof v !== 'string') throw badRequest(`http broker: header "${k}" is not a string`);
    header[k] = v;
  }
  return { topic: o.t, message: { header, body: data.subarray(4 + n) } };
}
