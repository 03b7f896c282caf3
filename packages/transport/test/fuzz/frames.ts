import fc from 'fast-check';
import { FrameType, headerBound, PREFACE, STATIC_TABLE, writeHeader } from '../../src/tcp/wire.js';
import type { Message } from '../../src/transport.js';

/**
 * Input generators for the frame decoder fuzz targets: valid frames, then the ways a hostile or
 * broken peer bends them (bit flips, truncation, corrupted length fields, splices, random bytes).
 * Shared by the vitest fuzz tests and the nightly runner (scripts/fuzz.ts).
 */

/** One complete wire frame (length, type, header block, body) carrying `m`. */
export function encodeFrame(m: Message): Buffer {
  const buf = Buffer.alloc(5 + headerBound(m.header) + m.body.length);
  const end = writeHeader(buf, 5, m.header);
  buf.set(m.body, end);
  buf.writeUInt32BE(end + m.body.length - 4, 0);
  buf[4] = FrameType.message;
  return buf.subarray(0, end + m.body.length);
}

/** A control frame (ping or pong) with an 8-byte payload. */
export function controlFrame(type: number, payload: Uint8Array): Buffer {
  const buf = Buffer.alloc(13);
  buf.writeUInt32BE(9, 0);
  buf[4] = type;
  buf.set(payload.subarray(0, 8), 5);
  return buf;
}

const text = fc.oneof(fc.constantFrom(...STATIC_TABLE), fc.string({ maxLength: 70 }), fc.string({ unit: 'grapheme', maxLength: 20 }));

/** Messages shaped like RPC traffic: protocol keys from the static table, user metadata, small bodies. */
export const messageArb: fc.Arbitrary<Message> = fc.record({
  header: fc.dictionary(text, text, { maxKeys: 8 }),
  body: fc.uint8Array({ maxLength: 600 }),
});

/** A valid frame of any type. */
export const frameArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: messageArb.map(encodeFrame) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((p) => controlFrame(FrameType.ping, p)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((p) => controlFrame(FrameType.pong, p)) },
);

/** How a byte stream is damaged. Positions are fractions of the stream length, so they always land inside it. */
export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'length'; frame: number; value: number }
  | { kind: 'splice'; at: number; bytes: Uint8Array }
  | { kind: 'drop'; at: number; n: number };

const frac = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
/** Length values a corrupted prefix takes: zero, tiny, around the limit, huge. */
const lengthValue = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff),
  fc.integer({ min: 0, max: 4096 }),
  fc.integer({ min: 0, max: 0xffffffff }),
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: frac, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: frac, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: frac }),
  fc.record({ kind: fc.constant('length' as const), frame: fc.nat(), value: lengthValue }),
  fc.record({ kind: fc.constant('splice' as const), at: frac, bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('drop' as const), at: frac, n: fc.integer({ min: 1, max: 16 }) }),
);

/** Applies `m` to a copy of the frames (after the preface, which other tests cover) and returns the damaged stream. */
export function mutate(frames: readonly Buffer[], muts: readonly Mutation[]): Buffer {
  let s = Buffer.concat(frames);
  const starts: number[] = [];
  for (let off = 0, i = 0; i < frames.length; i++) {
    starts.push(off);
    off += frames[i]!.length;
  }
  for (const m of muts) {
    const at = Math.floor(m.kind === 'length' ? 0 : m.at * s.length);
    switch (m.kind) {
      case 'flip':
        if (s.length > 0) s[at] = s[at]! ^ (1 << m.bit);
        break;
      case 'byte':
        if (s.length > 0) s[at] = m.value;
        break;
      case 'truncate':
        s = s.subarray(0, at);
        break;
      case 'length': {
        const start = starts.length > 0 ? starts[m.frame % starts.length]! : 0;
        if (start + 4 <= s.length) s.writeUInt32BE(m.value, start);
        break;
      }
      case 'splice':
        s = Buffer.concat([s.subarray(0, at), m.bytes, s.subarray(at)]);
        break;
      case 'drop':
        s = Buffer.concat([s.subarray(0, at), s.subarray(at + m.n)]);
        break;
    }
  }
  return Buffer.concat([PREFACE, s]);
}

/** A byte stream as a peer might send it: valid frames, damaged frames, or noise after the preface. */
export const streamArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 1, arbitrary: fc.array(frameArb, { maxLength: 8 }).map((f) => mutate(f, [])) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.array(frameArb, { minLength: 1, maxLength: 8 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
      .map(([f, m]) => mutate(f, m)),
  },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.concat([PREFACE, b])) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
);

/** Chunk sizes the stream is cut into, cycled: single bytes up to whole frames. */
export const cutsArb: fc.Arbitrary<number[]> = fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 1500 })), {
  minLength: 1,
  maxLength: 8,
});
