import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { AnySchema, anyPack, StringValueSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { anyPrefix, unwrapAny, wrapAny } from './wire.js';

describe('the Any envelope, by hand', () => {
  it('matches @bufbuild/protobuf both ways, including empty and long (multi-byte length) values', () => {
    for (const text of ['', 'hi', 'x'.repeat(300)]) {
      const msg = create(StringValueSchema, { value: text });
      const plain = toBinary(StringValueSchema, msg);
      const packed = toBinary(AnySchema, anyPack(StringValueSchema, msg));
      expect(Buffer.from(unwrapAny(packed))).toEqual(Buffer.from(plain));
      const any = fromBinary(AnySchema, wrapAny(anyPrefix('google.protobuf.StringValue'), plain));
      expect(any.typeUrl).toBe('type.googleapis.com/google.protobuf.StringValue');
      expect(Buffer.from(any.value)).toEqual(Buffer.from(plain));
      // Byte-identical except that an empty value is written (0x12 0x00) where protobuf-es leaves the field out.
      if (plain.length > 0) expect(Buffer.from(wrapAny('google.protobuf.StringValue', plain))).toEqual(Buffer.from(packed));
    }
  });
});
