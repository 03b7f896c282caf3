import { create } from '@bufbuild/protobuf';
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
});
