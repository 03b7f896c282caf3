/** Just enough protobuf wire format to write the standard services' small messages (reading them, and the Any envelope, is @tsmicro/codec's). */
import type { Field } from '@tsmicro/codec';

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

/** A string field's text, or '' when absent. */
export function stringField(fields: readonly Field[], no: number): string {
  const f = fields.find((x) => x.no === no && x.wire === 2);
  return f ? Buffer.from(f.bytes).toString('utf8') : '';
}
