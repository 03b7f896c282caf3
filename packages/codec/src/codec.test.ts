import { MicroError } from '@tsmicro/core';
import { describe, expect, it } from 'vitest';
import { bytes, codecSet, json, msgpack, msgpackCodec } from './index.js';

describe.each([json, msgpack])('$name codec', (codec) => {
  it('round-trips nested values', () => {
    const v = { a: 1, b: 'x', c: [true, null, { d: 2.5 }] };
    expect(codec.decode(codec.encode(v))).toEqual(v);
  });
  it('round-trips undefined as an empty body', () => {
    expect(codec.encode(undefined).length).toBe(0);
    expect(codec.decode(new Uint8Array(0))).toBeUndefined();
  });
  it('refuses garbage with a 400 MicroError', () => {
    const bad = new Uint8Array([0xc1, 0xff, 0x00, 0x7b]);
    expect(() => codec.decode(bad)).toThrow(MicroError);
    try {
      codec.decode(bad);
    } catch (e) {
      expect((e as MicroError).code).toBe(400);
    }
  });
  const hostile = '{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"polluted":2}}},"ok":1}';
  const encodeHostile = (text: string) => (codec === json ? new TextEncoder().encode(text) : msgpack.encode(JSON.parse(text)));
  it('never lets __proto__ reach a prototype: the key is dropped or the body refused with 400', () => {
    let out: Record<string, unknown> | undefined;
    try {
      out = codec.decode(encodeHostile(hostile)) as Record<string, unknown>;
    } catch (e) {
      expect(e).toBeInstanceOf(MicroError);
      expect((e as MicroError).code).toBe(400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (out) {
      expect(out.ok).toBe(1);
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(out.polluted).toBeUndefined();
    }
  });
  it('drops constructor/prototype keys from decoded objects', () => {
    const out = codec.decode(encodeHostile('{"a":{"constructor":{"prototype":{"polluted":2}}},"ok":1}')) as Record<string, unknown>;
    expect(out.ok).toBe(1);
    expect(Object.hasOwn(out.a as object, 'constructor')).toBe(false);
  });
});

describe('msgpackCodec', () => {
  it('makes a codec of its own each time, which reads what any other msgpack codec writes', () => {
    const a = msgpackCodec();
    const b = msgpackCodec();
    expect(a).not.toBe(b);
    expect(a).not.toBe(msgpack);
    expect(a.encode).not.toBe(msgpack.encode);
    const v = { name: 'ada', tags: ['x', 'y'], n: 3 };
    expect(b.decode(a.encode(v))).toEqual(v);
    expect(msgpack.decode(b.encode(v))).toEqual(v);
    expect(a.decode(msgpack.encode(v))).toEqual(v);
  });
});

describe('bytes codec', () => {
  it('passes bytes through and refuses other values', () => {
    const b = new Uint8Array([1, 2, 3]);
    expect(bytes.decode(bytes.encode(b))).toBe(b);
    expect(() => bytes.encode({ a: 1 })).toThrow(/Uint8Array/);
  });
});

describe('codecSet', () => {
  it('finds codecs by content type, ignoring parameters', () => {
    const set = codecSet();
    expect(set.get('application/json; charset=utf-8')).toBe(json);
    expect(set.get('application/msgpack')).toBe(msgpack);
  });
  it('names the unsupported type', () => {
    expect(() => codecSet([json]).get('text/xml')).toThrow(/text\/xml/);
  });
});

describe('json codec: keys spelled with escapes', () => {
  it('drops a __proto__ key written as "\\u005f_proto__" (JSON.parse unescapes it into the real key)', () => {
    const out = json.decode(new TextEncoder().encode(String.raw`{"\u005f_proto__":{"polluted":1},"\u0063onstructor":1,"ok":1}`));
    expect(Object.keys(out as object)).toEqual(['ok']);
    expect(Object.getPrototypeOf(Object.assign({}, out))).toBe(Object.prototype);
  });
  it('encodes what JSON.stringify cannot (a function) as an empty body, like undefined', () => {
    expect(json.encode(() => 1).length).toBe(0);
    expect(json.encode({ a: 'é' })).toBeInstanceOf(Uint8Array);
  });
});
