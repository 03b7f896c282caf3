import { isMicroError } from '@tsmicro/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderReader, STATIC_TABLE, writeHeader } from './wire.js';

function roundTrip(h: Record<string, string>): Record<string, string> {
  const buf = Buffer.alloc(8 + 20 * JSON.stringify(h).length);
  const end = writeHeader(buf, 3, h);
  expect(end).toBeGreaterThan(3);
  return new HeaderReader().read(buf, 3, end);
}

const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.constantFrom(...STATIC_TABLE), fc.string({ maxLength: 300 }));

describe('header codec', () => {
  it('round-trips any header (unicode, static strings, empty)', () => {
    fc.assert(
      fc.property(fc.dictionary(text, text, { maxKeys: 12 }), (h) => {
        expect(roundTrip(h)).toEqual(h);
      }),
    );
  });

  it('round-trips digit strings exactly (leading zeros, long runs, ids)', () => {
    const h = { a: '0', b: '007', c: '123456789', d: '1234567890123456789012', e: '00', f: '42' };
    expect(roundTrip(h)).toEqual(h);
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,20}$/), (v) => {
        expect(roundTrip({ v }).v).toBe(v);
      }),
    );
  });

  it('round-trips long values through the u16 and u32 length forms', () => {
    const h = { 'Micro-Error': 'é'.repeat(40_000), mid: 'x'.repeat(300), small: 'y'.repeat(63) };
    expect(roundTrip(h)).toEqual(h);
  });

  it('keeps a __proto__ key as a plain key without touching the prototype', () => {
    const h: Record<string, string> = {};
    Object.defineProperty(h, '__proto__', { value: 'x', enumerable: true });
    const out = roundTrip(h);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
  });

  it('writes static strings as one byte', () => {
    const buf = Buffer.alloc(64);
    expect(writeHeader(buf, 0, { 'Micro-Frame': 'request', 'Content-Type': 'application/json' })).toBe(2 + 4);
  });

  it('encodes the example of docs/protocol.md byte for byte', () => {
    const buf = Buffer.alloc(64);
    const end = writeHeader(buf, 0, { 'Micro-Frame': 'request', a: 'b' });
    expect([...buf.subarray(0, end)]).toEqual([0x00, 0x02, 0x01, 0x0a, 0x41, 0x61, 0x41, 0x62]);
  });

  it('reports a buffer too small instead of overrunning it', () => {
    expect(writeHeader(Buffer.alloc(10), 0, { key: 'a value longer than the buffer' })).toBe(-1);
  });

  it('turns any malformed input into a 400 MicroError, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const buf = Buffer.from(bytes);
        try {
          expect(typeof new HeaderReader().read(buf, 0, buf.length)).toBe('object');
        } catch (e) {
          expect(isMicroError(e) && e.code === 400, String(e)).toBe(true);
        }
      }),
    );
  });
});
