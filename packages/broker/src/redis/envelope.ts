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

const HEAD = MAGIC.length + 4;
/** MAGIC, length 2, `{}`: the start of every message without headers. */
const NO_HEADERS = Buffer.concat([MAGIC, Buffer.from([0, 0, 0, 2]), Buffer.from('{}')]);

// One buffer, written in place: a publish used to build four and concatenate them.
export function encodeEnvelope(m: Message): Buffer {
  const body = m.body;
  let empty = true;
  for (const _ in m.header) {
    empty = false;
    break;
  }
  if (empty) {
    const out = Buffer.allocUnsafe(NO_HEADERS.length + body.byteLength);
    NO_HEADERS.copy(out, 0);
    out.set(body, NO_HEADERS.length);
    return out;
  }
  const json = JSON.stringify(m.header);
  const n = Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(HEAD + n + body.byteLength);
  MAGIC.copy(out, 0);
  out.writeUInt32BE(n, MAGIC.length);
  out.write(json, HEAD, 'utf8');
  out.set(body, HEAD + n);
  return out;
}

const hasMagic = (p: Buffer) => {
  for (let i = 0; i < MAGIC.length; i++) if (p[i] !== MAGIC[i]) return false;
  return true;
};

export function decodeEnvelope(payload: Buffer): Message {
  const raw = (): Message => ({ header: {}, body: new Uint8Array(payload) });
  if (payload.length < HEAD || !hasMagic(payload)) return raw();
  const n = payload.readUInt32BE(MAGIC.length);
  const start = HEAD;
  if (start + n > payload.length) return raw();
  // No headers (`{}`): nothing to parse.
  if (n === 2 && payload[start] === 0x7b && payload[start + 1] === 0x7d)
    return { header: {}, body: new Uint8Array(payload.subarray(start + n)) };
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
