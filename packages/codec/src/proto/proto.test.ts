import { create, toBinary } from '@bufbuild/protobuf';
import { AnySchema, anyPack } from '@bufbuild/protobuf/wkt';
import { MicroError } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { file_codec_test, PingSchema, PongSchema } from '../../test/proto/gen/codec_test_pb.js';
import { protobuf } from './index.js';

describe('protobuf codec', () => {
  const codec = protobuf({ types: [file_codec_test] });

  it('round-trips generated messages, each decoding to its own type', () => {
    const ping = create(PingSchema, { name: 'ada', count: 42n, tags: ['a', 'b'], labels: { zone: 'eu' } });
    const back = codec.decode(codec.encode(ping));
    expect(back).toEqual(ping);
    const pong = codec.decode(codec.encode(create(PongSchema, { msg: 'hi' }))) as { $typeName: string; msg: string };
    expect(pong.$typeName).toBe('tsmicro.codec.test.Pong');
    expect(pong.msg).toBe('hi');
  });

  it('refuses plain objects and unregistered types with a 400 naming the type', () => {
    expect(() => codec.encode({ name: 'x' })).toThrow(/generated protobuf messages only/);
    const other = protobuf({ types: [PongSchema] });
    const bytes = codec.encode(create(PingSchema, { name: 'x' }));
    expect(() => other.decode(bytes)).toThrow(/tsmicro\.codec\.test\.Ping/);
  });

  it('refuses garbage bytes with a 400', () => {
    try {
      codec.decode(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]));
      expect.unreachable('decode should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(400);
    }
  });

  it('writes the same Any envelope as @bufbuild/protobuf, so the wire format is unchanged', () => {
    for (const m of [
      create(PingSchema, { name: 'ada', count: 7n, tags: ['x'] }),
      create(PingSchema, { name: 'x'.repeat(300) }),
      create(PongSchema, {}),
    ]) {
      expect(codec.encode(m)).toEqual(toBinary(AnySchema, anyPack(m.$typeName === PingSchema.typeName ? PingSchema : PongSchema, m)));
    }
  });

  it('reads an envelope whatever its field order, skipping unknown fields', () => {
    const ping = create(PingSchema, { name: 'ada', tags: ['a'] });
    const any = anyPack(PingSchema, ping);
    const value = toBinary(PingSchema, ping);
    const url = Buffer.from(any.typeUrl);
    // value (2), an unknown varint field (3), then type_url (1)
    const reordered = Buffer.concat([Buffer.from([0x12, value.length]), value, Buffer.from([0x18, 0x96, 0x01, 0x0a, url.length]), url]);
    expect(codec.decode(reordered)).toEqual(ping);
  });

  it('refuses a truncated envelope and one without a type with a 400', () => {
    const bytes = codec.encode(create(PingSchema, { name: 'ada' }));
    expect(() => codec.decode(bytes.subarray(0, bytes.length - 2))).toThrow(/not valid protobuf/);
    expect(() => codec.decode(Uint8Array.from([0x12, 0x00]))).toThrow(/not valid protobuf/);
  });
});
