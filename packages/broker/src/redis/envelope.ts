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
const NO_BODY = new Uint8Array(0);

// One buffer, written in place: a publish used to build four and concatenate them.
export function encodeEnvelope(m: Message): Buffer {
  const body = m.body;
  let empty = true;
  for (const _ in m.header) {
    empty = false;
    break;
  }
  if (empty) return withBody(NO_HEADERS, body);
  const json = JSON.stringify(m.header);
  const n = Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(HEAD + n + body.byteLength);
  MAGIC.copy(out, 0);
  out.writeUInt32BE(n, MAGIC.length);
  out.write(json, HEAD, 'utf8');
  out.set(body, HEAD + n);
  return out;
}

/** `head` (magic, length, headers) then `body`, in one new buffer. */
function withBody(head: Buffer, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(head.length + body.byteLength);
  head.copy(out, 0);
  out.set(body, head.length);
  return out;
}

/**
 * `encodeEnvelope` for one publisher, remembering the encoded header block of the last message
 * whose header was a frozen object: the client shares one per content type for messages without
 * metadata, and its JSON was otherwise written again for every message.
 */
export function envelopeEncoder(): (m: Message) => Buffer {
  let lastHeader: Message['header'] | undefined;
  let lastHead: Buffer = NO_HEADERS;
  return (m) => {
    if (m.header !== lastHeader) {
      // A header that can change may not be remembered.
      if (!Object.isFrozen(m.header)) return encodeEnvelope(m);
      lastHead = encodeEnvelope({ header: m.header, body: NO_BODY });
      lastHeader = m.header;
    }
    return withBody(lastHead, m.body);
  };
}

const hasMagic = (p: Buffer) => {
  for (let i = 0; i < MAGIC.length; i++) if (p[i] !== MAGIC[i]) return false;
  return true;
};

/** The headers of a JSON block: its string values; undefined when it is not a JSON object. */
function parseHeaders(block: Buffer): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(block.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const header: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') header[k] = v;
  return header;
}

/** The length of the header block when `payload` is an envelope that holds one; -1 when it is not an envelope. */
function blockLength(payload: Buffer): number {
  if (payload.length < HEAD || !hasMagic(payload)) return -1;
  const n = payload.readUInt32BE(MAGIC.length);
  return HEAD + n > payload.length ? -1 : n;
}

const raw = (payload: Buffer): Message => ({ header: {}, body: new Uint8Array(payload) });

const isEmptyBlock = (payload: Buffer, n: number) => n === 2 && payload[HEAD] === 0x7b && payload[HEAD + 1] === 0x7d;

export function decodeEnvelope(payload: Buffer): Message {
  const n = blockLength(payload);
  if (n < 0) return raw(payload);
  // No headers (`{}`): nothing to parse.
  if (isEmptyBlock(payload, n)) return { header: {}, body: new Uint8Array(payload.subarray(HEAD + n)) };
  const header = parseHeaders(payload.subarray(HEAD, HEAD + n));
  return header === undefined ? raw(payload) : { header, body: new Uint8Array(payload.subarray(HEAD + n)) };
}

/**
 * `decodeEnvelope` for the messages of one connection, remembering the header block it parsed
 * last: a topic's messages mostly carry the same headers (a publisher's Content-Type), whose JSON
 * was otherwise parsed for every message. Every message still gets a header object of its own.
 */
export function envelopeDecoder(): (payload: Buffer) => Message {
  let lastBlock: Buffer | undefined;
  let last: Readonly<Record<string, string>> = {};
  return (payload) => {
    const n = blockLength(payload);
    if (n < 0 || isEmptyBlock(payload, n)) return decodeEnvelope(payload);
    const block = payload.subarray(HEAD, HEAD + n);
    const body = new Uint8Array(payload.subarray(HEAD + n));
    if (lastBlock !== undefined && block.equals(lastBlock)) return { header: { ...last }, body };
    const header = parseHeaders(block);
    if (header === undefined) return raw(payload);
    lastBlock = Buffer.from(block);
    last = { ...header };
    return { header, body };
  };
}
