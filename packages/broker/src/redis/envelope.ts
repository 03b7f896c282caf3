import type { Message } from '@tsmicro/transport';

/**
 * Wire form of a message on Redis (pub/sub payload, and field `m` of a stream entry):
 *
 *   MAGIC (5 bytes: 00 74 73 6d 31, i.e. NUL "tsm1") | u32 BE n | n bytes of UTF-8 JSON headers | body
 *
 * A payload without the magic — e.g. from `redis-cli PUBLISH topic hello` — is a message with no
 * headers whose body is the whole payload. The leading NUL keeps text payloads from ever looking
 * like an envelope.
 */
export const MAGIC = Buffer.from([0x00, 0x74, 0x73, 0x6d, 0x31]);

export function encodeEnvelope(m: Message): Buffer {
  const header = Buffer.from(JSON.stringify(m.header), 'utf8');
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(header.length);
  return Buffer.concat([MAGIC, len, header, m.body]);
}

export function decodeEnvelope(payload: Buffer): Message {
  const raw = (): Message => ({ header: {}, body: new Uint8Array(payload) });
  if (payload.length < MAGIC.length + 4 || !payload.subarray(0, MAGIC.length).equals(MAGIC)) return raw();
  const n = payload.readUInt32BE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (start + n > payload.length) return raw();
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.subarray(start, start + n).toString('utf8'));
  } catch {
    return raw();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return raw();
  const header: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') header[k] = v;
  return { header, body: new Uint8Array(payload.subarray(start + n)) };
}
