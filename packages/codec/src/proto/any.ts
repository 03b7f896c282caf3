/**
 * The `google.protobuf.Any` envelope of the protobuf codec, written and read by hand: @bufbuild's
 * `anyPack` + `toBinary(AnySchema)` cost about 15× the message's own encoding, and the envelope is
 * only two length-delimited fields. The bytes are the same as @bufbuild's (field 1 `type_url`, then
 * field 2 `value`, left out when empty as proto3 does), so the wire format does not change.
 */
import { readFields } from './fields.js';

const TYPE_URL_PREFIX = 'type.googleapis.com/';
const EMPTY: Uint8Array = new Uint8Array(0);

function varintLength(n: number): number {
  let len = 1;
  for (let v = n; v > 0x7f; v = Math.floor(v / 128)) len++;
  return len;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  let v = n;
  let i = at;
  while (v > 0x7f) {
    out[i++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[i++] = v;
  return i;
}

/** Field 1 (`type_url`) of the envelope of `typeName`, with its tag and length: made once per message type. */
export function anyHead(typeName: string): Uint8Array {
  const url = Buffer.from(TYPE_URL_PREFIX + typeName, 'utf8');
  const out = new Uint8Array(1 + varintLength(url.byteLength) + url.byteLength);
  out[0] = 0x0a;
  out.set(url, writeVarint(out, 1, url.byteLength));
  return out;
}

/** The envelope of a message: `head` ({@link anyHead}) and the message's bytes as field 2. One allocation. */
export function packAny(head: Uint8Array, value: Uint8Array): Uint8Array {
  if (value.byteLength === 0) return head.slice();
  const out = new Uint8Array(head.byteLength + 1 + varintLength(value.byteLength) + value.byteLength);
  out.set(head, 0);
  out[head.byteLength] = 0x12;
  out.set(value, writeVarint(out, head.byteLength + 1, value.byteLength));
  return out;
}

/** What an envelope holds: the full name of the message type and its bytes (a view, not a copy). */
export interface Unpacked {
  readonly typeName: string;
  readonly value: Uint8Array;
}

/** Reads an envelope, fields in any order, unknown fields skipped; throws an `Error` on malformed bytes. */
export function unpackAny(data: Uint8Array): Unpacked {
  let url: Uint8Array | undefined;
  let value = EMPTY;
  for (const f of readFields(data)) {
    if (f.wire !== 2) continue;
    if (f.no === 1) url = f.bytes;
    else if (f.no === 2) value = f.bytes;
  }
  if (url === undefined) throw new Error('no type_url in the Any envelope');
  const text = Buffer.from(url.buffer, url.byteOffset, url.byteLength).toString('utf8');
  return { typeName: text.slice(text.lastIndexOf('/') + 1), value };
}

/** The message bytes of an envelope (a view; empty when absent), without reading its type: for a peer that knows it. */
export function anyValue(data: Uint8Array): Uint8Array {
  return readFields(data).find((f) => f.no === 2 && f.wire === 2)?.bytes ?? EMPTY;
}
