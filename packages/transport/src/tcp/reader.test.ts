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
  const grants: number[] = [];
  let preface = 0;
  const reader = new FrameReader(max, {
    preface: () => preface++,
    message: (m) => got.push({ header: m.header, body: Uint8Array.from(m.body) }),
    ping: (p) => pings.push(Buffer.from(p)),
    window: (n) => grants.push(n),
    counted: () => undefined,
    fail: (e) => errors.push(e),
  });
  return { reader, got, pings, grants, errors, prefaces: () => preface };
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
        expect(reader.partial).toBe(false);
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
    expect(reader.partial).toBe(true);
    reader.push(f.subarray(50));
    expect(reader.partial).toBe(false);
    expect(got).toHaveLength(1);
  });

  it('reassembles a message sent as interleaved parts, and refuses parts that break the rules', () => {
    const content = (m: Message) => frame(m).subarray(5);
    const part = (type: number, sid: number, bytes: Buffer, total?: number) => {
      const head = Buffer.alloc(total === undefined ? 9 : 13);
      head.writeUInt32BE(head.length - 4 + bytes.length, 0);
      head[4] = type;
      head.writeUInt32BE(sid, 5);
      if (total !== undefined) head.writeUInt32BE(total, 9);
      return Buffer.concat([head, bytes]);
    };
    const a = content({ header: { 'Micro-Id': '1' }, body: Buffer.alloc(5000, 7) });
    const b = content({ header: { 'Micro-Id': '2' }, body: Buffer.alloc(3000, 9) });
    const { reader, got, grants, errors } = collect();
    reader.push(
      Buffer.concat([
        PREFACE,
        part(FrameType.first, 1, a.subarray(0, 2000), a.length),
        part(FrameType.first, 2, b.subarray(0, 1000), b.length),
        frame({ header: { 'Micro-Id': '3' }, body: Buffer.from('small') }),
        part(FrameType.more, 1, a.subarray(2000)),
        part(FrameType.more, 2, b.subarray(1000)),
        Buffer.from([0, 0, 0, 5, FrameType.window, 0, 1, 0, 0]),
      ]),
    );
    expect(errors).toEqual([]);
    expect(got.map((m) => [m.header['Micro-Id'], m.body.length])).toEqual([
      ['3', 5],
      ['1', 5000],
      ['2', 3000],
    ]);
    expect(grants).toEqual([65536]);
    expect(reader.partial).toBe(false);

    const bad = (bytes: Buffer, max?: number) => {
      const r = collect(max);
      r.reader.push(Buffer.concat([PREFACE, bytes]));
      return r.errors[0];
    };
    expect(bad(part(FrameType.more, 5, Buffer.alloc(10)))?.detail).toContain('unknown message 5');
    expect(bad(part(FrameType.first, 1, Buffer.alloc(10), 4))?.detail).toContain('more bytes than announced');
    // Over 64 x the limit: the connection closes from the announced size.
    expect(bad(part(FrameType.first, 1, Buffer.alloc(10), 70_000), 1000)?.code).toBe(413);
    // Over the limit but within 64 x: only that message is refused, its header flagged, its later parts dropped unread.
    const refused = collect(5000);
    const big = content({ header: { 'Micro-Id': '9' }, body: Buffer.alloc(9000, 1) });
    const after = frame({ header: { 'Micro-Id': '10' }, body: Buffer.from('next') });
    refused.reader.push(
      Buffer.concat([
        PREFACE,
        part(FrameType.first, 4, big.subarray(0, 100), big.length),
        part(FrameType.more, 4, big.subarray(100, 4100)),
        part(FrameType.more, 4, big.subarray(4100)),
        after,
      ]),
    );
    expect(refused.errors).toEqual([]);
    expect(refused.got.map((m) => [m.header['Micro-Id'], m.header['Micro-Oversize'], m.body.length])).toEqual([
      ['9', String(big.length), 0],
      ['10', undefined, 4],
    ]);
    expect(refused.reader.partial).toBe(false);
    const twice = Buffer.concat([part(FrameType.first, 1, Buffer.alloc(1), 9), part(FrameType.first, 1, Buffer.alloc(1), 9)]);
    expect(bad(twice)?.detail).toContain('reused part stream 1');
  });

  it('refuses a peer that sends past the connection window', () => {
    const { reader, errors } = collect();
    const f = frame({ header: {}, body: Buffer.alloc(40_000) });
    reader.push(Buffer.concat([PREFACE, f, f]));
    expect(errors).toEqual([]);
    reader.push(f);
    expect(errors[0]?.detail).toContain('beyond the connection window');
  });
});
