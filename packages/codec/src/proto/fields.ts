/** Protobuf's wire format at its plainest: a message as its list of fields, for envelopes and small hand-read messages. */

/** One field of a message: its number, wire type and value (varint as number, length-delimited as bytes, a view). */
export interface Field {
  no: number;
  wire: number;
  varint: number;
  bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** The fields of a message, in order (fixed32/64 fields skipped); throws an `Error` on malformed input. */
export function readFields(data: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  const readVarint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (at >= data.length) throw new Error('truncated varint');
      const b = data[at++] as number;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
      if (mul > 2 ** 63) throw new Error('varint too long');
    }
  };
  while (at < data.length) {
    const tag = readVarint();
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) out.push({ no, wire, varint: readVarint(), bytes: EMPTY });
    else if (wire === 2) {
      const len = readVarint();
      if (at + len > data.length) throw new Error('truncated field');
      out.push({ no, wire, varint: 0, bytes: data.subarray(at, at + len) });
      at += len;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  if (at > data.length) throw new Error('truncated field');
  return out;
}
