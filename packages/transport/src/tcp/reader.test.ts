import type { MicroError } from '@tsmicro/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../transport.js';
import { FrameReader } from './reader.js';
import { FrameType, PREFACE, writeHeader } from './wire.js';

function frame(m: Message): Buffer {
  const buf = Buffer.alloc(16 + m.body.length + 20 * JSON.stringify(m.header).length);
  const end = writeHeader(buf, 5, m.header);
  Buffer.from(m.body).copy(buf, end);
  buf.writeUInt32BE(end + m.body.length - 4, 0);
  buf[4] = FrameType.message;
  return buf.subarray(0, end + m.body.length);
}

function collect(max = 1 << 20) {
  const got: Message[] = [];
  const pings: Buffer[] = [];
  const errors: MicroError[] = [];
  let preface = 0;
  const reader = new FrameReader(max, {
    preface: () => preface++,
    message: (m) => got.push({ header: m.header, body: Uint8Array.from(m.body) }),
    ping: (p) => pings.push(Buffer.from(p)),
    fail: (e) => errors.push(e),
  });
  return { reader, got, pings, errors, prefaces: () => preface };
}

const message = fc.record({
  header: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 100 }), { maxKeys: 5 }),
  body: fc.uint8Array({ maxLength: 3000 }),
});

describe('FrameReader', () => {
  it('parses any stream of frames however it is split into chunks', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1 }), (msgs, cuts) => {
        const ping = Buffer.from([0, 0, 0, 9, FrameType.ping, 1, 2, 3, 4, 5, 6, 7, 8]);
        const stream = Buffer.concat([PREFACE, ...msgs.map(frame), ping]);
        const { reader, got, pings, errors, prefaces } = collect();
        for (let off = 0, i = 0; off < stream.length; i++) {
          const n = cuts[i % cuts.length]!;
          reader.push(stream.subarray(off, off + n));
          off += n;
        }
        expect(errors).toEqual([]);
        expect(prefaces()).toBe(1);
        expect(got).toEqual(msgs.map((m) => ({ header: m.header, body: Uint8Array.from(m.body) })));
        expect(pings).toEqual([Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])]);
        expect(reader.partialSince).toBe(0);
      }),
    );
  });

  it('refuses an oversized frame from its length prefix alone, even split across chunks', () => {
    const { reader, errors } = collect(1024);
    reader.push(Buffer.concat([PREFACE, Buffer.from([0x7f, 0xff])]));
    expect(errors).toEqual([]);
    reader.push(Buffer.from([0xff, 0xff]));
    expect(errors[0]?.code).toBe(413);
  });

  it('reports a frame in progress until it completes', () => {
    const { reader, got } = collect();
    const f = frame({ header: { a: 'b' }, body: new Uint8Array(100) });
    reader.push(Buffer.concat([PREFACE, f.subarray(0, 50)]));
    expect(reader.partialSince).toBeGreaterThan(0);
    reader.push(f.subarray(50));
    expect(reader.partialSince).toBe(0);
    expect(got).toHaveLength(1);
  });
});
