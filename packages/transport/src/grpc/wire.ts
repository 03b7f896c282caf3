/** Just enough protobuf wire format for the Any envelope and the standard services' small messages. */

/** One field of a message: its number, wire type and value (varint as number, length-delimited as bytes). */
export interface Field {
  no: number;
  wire: number;
  varint: number;
  bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Builds a message field by field. */
export class ProtoWriter {
  private parts: Uint8Array[] = [];

  /** A varint field (int32, enum, bool). Zero is written too (a oneof may need it). */
  int(no: number, v: number): this {
    this.parts.push(Uint8Array.from([...varint(no * 8), ...varint(v)]));
    return this;
  }

  /** A length-delimited field: bytes, a nested message or a string. */
  bytes(no: number, v: Uint8Array | string): this {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    this.parts.push(Uint8Array.from([...varint(no * 8 + 2), ...varint(b.byteLength)]), b);
    return this;
  }

  /** Bare varints, one after another: the body of a packed repeated field. */
  varints(vs: readonly number[]): this {
    this.parts.push(Uint8Array.from(vs.flatMap(varint)));
    return this;
  }

  finish(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

/** The fields of a message, in order; throws on malformed input. */
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
  return out;
}

/** A string field's text, or '' when absent. */
export function stringField(fields: readonly Field[], no: number): string {
  const f = fields.find((x) => x.no === no && x.wire === 2);
  return f ? Buffer.from(f.bytes).toString('utf8') : '';
}

const TYPE_URL = 'type.googleapis.com/';

/** The first field of an `Any` of `typeName` (tag, length, type URL): made once per message type. */
export function anyPrefix(typeName: string): Uint8Array {
  return new ProtoWriter().bytes(1, TYPE_URL + typeName).finish();
}

/**
 * Wraps plain message bytes in the `google.protobuf.Any` envelope the protobuf codec reads; `prefix`
 * is {@link anyPrefix} of the message type (or the type name itself). One allocation per message.
 */
export function wrapAny(prefix: Uint8Array | string, value: Uint8Array): Uint8Array {
  const head = typeof prefix === 'string' ? anyPrefix(prefix) : prefix;
  const len = varint(value.byteLength);
  const out = Buffer.allocUnsafe(head.byteLength + 1 + len.length + value.byteLength);
  out.set(head, 0);
  out[head.byteLength] = 0x12;
  out.set(len, head.byteLength + 1);
  out.set(value, head.byteLength + 1 + len.length);
  return out;
}

/** The plain message bytes inside an `Any` envelope (field 2); empty when absent. Scans without building fields. */
export function unwrapAny(any: Uint8Array): Uint8Array {
  let at = 0;
  const readVarint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (at >= any.length) throw new Error('truncated Any');
      const b = any[at++] as number;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  };
  while (at < any.length) {
    const tag = readVarint();
    if ((tag & 7) !== 2) return readFields(any).find((f) => f.no === 2 && f.wire === 2)?.bytes ?? EMPTY;
    const len = readVarint();
    if (tag >>> 3 === 2) return any.subarray(at, at + len);
    at += len;
  }
  return EMPTY;
}
