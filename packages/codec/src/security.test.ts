import { create, toBinary } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { Encoder } from '@msgpack/msgpack';
import { isMicroError } from '@tsmicro/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { file_codec_test, PingSchema } from '../test/proto/gen/codec_test_pb.js';
import type { Codec } from './codec.js';
import { json, msgpack } from './index.js';
import { protobuf } from './proto/index.js';

const DANGEROUS = ['__proto__', 'constructor', 'prototype'];
const numRuns = Number(process.env.FUZZ_RUNS) > 0 ? Number(process.env.FUZZ_RUNS) : 200;

/** Object.prototype and friends must come out of every test untouched. */
function assertPrototypesClean(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(cleanObjectProto);
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
}
const cleanObjectProto = Object.getOwnPropertyNames(Object.prototype).sort();

/** No object in `v` has a dangerous own key or a prototype other than Object.prototype / Array.prototype. */
function assertSafe(v: unknown): void {
  const todo: unknown[] = [v];
  for (let x = todo.pop(), n = 0; x !== undefined || todo.length > 0; x = todo.pop(), n++) {
    expect(n).toBeLessThan(1_000_000);
    if (typeof x !== 'object' || x === null || ArrayBuffer.isView(x)) continue;
    const proto = Object.getPrototypeOf(x);
    expect(proto === Object.prototype || proto === Array.prototype).toBe(true);
    for (const k of Object.keys(x)) {
      expect(DANGEROUS).not.toContain(k);
      todo.push((x as Record<string, unknown>)[k]);
    }
  }
}

/** Decodes: a clean value or a 400 MicroError are the only allowed outcomes. */
function decodeSafely(codec: Codec, bytes: Uint8Array): unknown {
  try {
    const v = codec.decode(bytes);
    assertSafe(v);
    return v;
  } catch (e) {
    if (!isMicroError(e) || e.code !== 400) throw e;
    return e;
  } finally {
    assertPrototypesClean();
  }
}

const put = (o: Record<string, unknown>, k: string, v: unknown) =>
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** JSON-like values whose objects carry dangerous keys at random depths. */
const hostile = fc.letrec<{ value: unknown; obj: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('obj'),
  ),
  obj: fc
    .array(
      fc.tuple(fc.oneof(fc.constantFrom(...DANGEROUS, 'polluted', 'toString', 'valueOf'), fc.string({ maxLength: 6 })), tie('value')),
      { maxLength: 4 },
    )
    .map((entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries) put(o, k, k === '__proto__' ? { polluted: 1 } : v);
      return o;
    }),
})).value;

/** `{a: … {a: inner}}` nested `depth` times, as raw msgpack (the library encoder refuses depth > 100). */
function deepMsgpack(depth: number, inner: unknown): Uint8Array {
  const tail = new Encoder().encode(inner);
  const out = new Uint8Array(depth * 3 + tail.length);
  for (let i = 0; i < depth; i++) out.set([0x81, 0xa1, 0x61], i * 3);
  out.set(tail, depth * 3);
  return out;
}

describe('security: prototype pollution through codecs', () => {
  afterEach(assertPrototypesClean);

  it.each([json, msgpack])('$name: random hostile objects decode clean or are refused with 400', (codec) => {
    fc.assert(
      fc.property(hostile, (v) => {
        const text = JSON.stringify(v);
        const bytes = codec === json ? new TextEncoder().encode(text) : new Encoder().encode(JSON.parse(text, (_k, x) => x));
        decodeSafely(codec, bytes);
      }),
      { numRuns },
    );
  });

  it('msgpack: a __proto__ key is refused with 400 (the decoder would otherwise set a prototype)', () => {
    const bytes = new Uint8Array([
      0x81,
      0xa9,
      ...new TextEncoder().encode('__proto__'),
      0x81,
      0xa8,
      ...new TextEncoder().encode('polluted'),
      0x01,
    ]);
    const e = decodeSafely(msgpack, bytes);
    expect(isMicroError(e) && e.detail).toMatch(/__proto__/);
  });

  it('json and msgpack: dangerous keys are dropped however deep they are nested (300 levels)', () => {
    const inner = { constructor: { prototype: { polluted: 1 } }, prototype: 1, ok: 1 };
    let v = decodeSafely(msgpack, deepMsgpack(300, inner)) as Record<string, unknown>;
    for (let i = 0; i < 300; i++) v = v.a as Record<string, unknown>;
    expect(v).toEqual({ ok: 1 });
    const text = `${'{"a":'.repeat(300)}{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"ok":1}${'}'.repeat(300)}`;
    let j = decodeSafely(json, new TextEncoder().encode(text)) as Record<string, unknown>;
    for (let i = 0; i < 300; i++) j = j.a as Record<string, unknown>;
    expect(j).toEqual({ ok: 1 });
  });

  it('json: a body nested too deep for the key filter is refused with 400, not a crash', () => {
    const text = `{"constructor":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const e = decodeSafely(json, new TextEncoder().encode(text));
    expect(isMicroError(e)).toBe(true);
  });

  describe('protobuf', () => {
    const codec = protobuf({ types: [file_codec_test] });

    it('keeps __proto__/constructor map keys as plain own data, the map prototype untouched', () => {
      const ping = create(PingSchema, { name: 'a' });
      put(ping.labels, '__proto__', 'p');
      put(ping.labels, 'constructor', 'c');
      const out = codec.decode(codec.encode(ping)) as { labels: Record<string, string> };
      expect(Object.getPrototypeOf(out.labels)).toBe(Object.prototype);
      expect(Object.entries(out.labels)).toEqual([
        ['__proto__', 'p'],
        ['constructor', 'c'],
      ]);
    });

    it.each(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'])('refuses an Any naming type %s with a 400', (name) => {
      const body = toBinary(AnySchema, create(AnySchema, { typeUrl: `type.googleapis.com/${name}`, value: new Uint8Array([10, 1, 97]) }));
      expect(() => codec.decode(body)).toThrow(/is not registered/);
    });

    it('turns random and mutated bodies into a message or a 400', () => {
      const valid = codec.encode(create(PingSchema, { name: 'ada', count: 3n, tags: ['x'], labels: { __proto__: 'p' } }));
      const mutated = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
        const b = Uint8Array.from(valid);
        for (const [at, v] of edits) b[at % b.length] = v;
        return b;
      });
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), (bytes) => {
          try {
            codec.decode(bytes);
          } catch (e) {
            expect(isMicroError(e) && e.code === 400, String(e)).toBe(true);
          }
          assertPrototypesClean();
        }),
        { numRuns },
      );
    });
  });
});
