import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, envelopeDecoder, envelopeEncoder, MAGIC } from './envelope.js';

const body = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('redis envelope', () => {
  it('a publisher encodes a shared frozen header once, and a header that can change every time', () => {
    const encode = envelopeEncoder();
    const json = Object.freeze({ 'content-type': 'application/json' });
    const a = encode({ header: json, body: body('1') });
    const b = encode({ header: json, body: body('22') });
    expect(a).toEqual(encodeEnvelope({ header: json, body: body('1') }));
    expect(decodeEnvelope(b)).toEqual({ header: { 'content-type': 'application/json' }, body: body('22') });
    const other = Object.freeze({ 'content-type': 'application/msgpack' });
    expect(decodeEnvelope(encode({ header: other, body: body('3') })).header).toEqual({ 'content-type': 'application/msgpack' });
    const mutable: Record<string, string> = { k: 'v1' };
    expect(decodeEnvelope(encode({ header: mutable, body: body('4') })).header).toEqual({ k: 'v1' });
    mutable.k = 'v2';
    expect(decodeEnvelope(encode({ header: mutable, body: body('5') })).header).toEqual({ k: 'v2' });
    expect(decodeEnvelope(encode({ header: {}, body: body('6') }))).toEqual({ header: {}, body: body('6') });
  });

  it('a subscriber parses a repeated header block once, yet hands each message a header of its own', () => {
    const decode = envelopeDecoder();
    const header = { 'content-type': 'application/json', trace: 'x' };
    const first = decode(encodeEnvelope({ header, body: body('a') }));
    first.header.trace = 'changed by a handler';
    const second = decode(encodeEnvelope({ header, body: body('bb') }));
    expect(second).toEqual({ header, body: body('bb') });
    expect(second.header).not.toBe(first.header);
    const third = decode(encodeEnvelope({ header: { k: 'other' }, body: body('c') }));
    expect(third).toEqual({ header: { k: 'other' }, body: body('c') });
    expect(decode(encodeEnvelope({ header: {}, body: body('d') }))).toEqual({ header: {}, body: body('d') });
  });

  it('a subscriber takes a payload whose header block is not JSON, or that is no envelope, as a body', () => {
    const decode = envelopeDecoder();
    const broken = Buffer.concat([MAGIC, Buffer.from([0, 0, 0, 3]), Buffer.from('{x}'), Buffer.from('rest')]);
    for (let i = 0; i < 2; i++) expect(decode(broken)).toEqual({ header: {}, body: new Uint8Array(broken) });
    expect(text(decode(Buffer.from('hello')).body)).toBe('hello');
  });
});
