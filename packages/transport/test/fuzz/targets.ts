import { isMicroError } from '@tsmicro/core';
import { FrameReader } from '../../src/tcp/reader.js';
import { HeaderReader, headerBound, writeHeader } from '../../src/tcp/wire.js';

/**
 * Fuzz targets for the pure decoders: each takes one input, runs the decoder on it and throws a
 * {@link FuzzFailure} when an invariant breaks. Anything else they throw is a decoder crash.
 */

/** An invariant a decoder broke, with the input that broke it. */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

/** What one run of the frame reader did, in a form two runs can be compared by. */
export interface ReaderTrace {
  /** One entry per event: messages, pings, then at most one failure. */
  events: string[];
  /** Largest buffer the reader asked for while parsing. */
  maxAlloc: number;
  failed: boolean;
}

let allocMax = 0;
const realAllocUnsafe = Buffer.allocUnsafe;
const countingAllocUnsafe = ((size: number) => {
  if (size > allocMax) allocMax = size;
  return realAllocUnsafe(size);
}) as typeof Buffer.allocUnsafe;

/**
 * Feeds `stream` to a fresh {@link FrameReader} in chunks of the sizes in `cuts` (cycled), the way
 * socket `data` events arrive, and stops at the first failure as the socket does (it is destroyed).
 * Buffer allocations made by the reader are measured to check nothing is buffered past the limit.
 */
export function traceReader(stream: Buffer, cuts: readonly number[], maxMessageSize: number): ReaderTrace {
  const events: string[] = [];
  let failed = false;
  allocMax = 0;
  Buffer.allocUnsafe = countingAllocUnsafe;
  try {
    const reader = new FrameReader(maxMessageSize, {
      preface: () => events.push('preface'),
      message: (m) => events.push(`m ${JSON.stringify(Object.entries(m.header))} ${Buffer.from(m.body).toString('hex')}`),
      ping: (p) => events.push(`ping ${p.toString('hex')}`),
      window: (n) => events.push(`window ${n}`),
      counted: () => undefined,
      fail: (e) => {
        if (failed) throw new FuzzFailure(`fail() called twice: ${e.detail}`);
        failed = true;
        if (!isMicroError(e) || (e.code !== 400 && e.code !== 413))
          throw new FuzzFailure(`reader failed with a non-400/413 error: ${String(e)}`);
        events.push(`fail ${e.code} ${e.detail}`);
      },
    });
    for (let off = 0, i = 0; off < stream.length && !failed; i++) {
      const n = Math.max(1, cuts[i % cuts.length] ?? stream.length);
      reader.push(stream.subarray(off, off + n));
      off += n;
    }
    if (!failed && !reader.partial && reader.handshaken && !endsOnFrameBoundary(stream))
      throw new FuzzFailure('reader is between frames although the stream ended inside one');
  } finally {
    Buffer.allocUnsafe = realAllocUnsafe;
  }
  return { events, maxAlloc: allocMax, failed };
}

/** Walks the frame lengths after the preface: true when the stream ends exactly after a frame. */
function endsOnFrameBoundary(stream: Buffer): boolean {
  let off = 8;
  while (off < stream.length) {
    if (stream.length - off < 4) return false;
    off += 4 + stream.readUInt32BE(off);
  }
  return off === stream.length;
}

/**
 * The frame decoder target. Invariants: `push` never throws; a failure is a 400 or 413
 * `MicroError`, reported once; no buffer larger than one frame within the limit
 * (`maxMessageSize + 1` with its type byte) is ever allocated, so an oversize length is refused
 * before buffering; the events do not depend on how the bytes were split into chunks.
 */
export function fuzzReader(stream: Buffer, cuts: readonly number[], maxMessageSize: number): ReaderTrace {
  const chunked = traceReader(stream, cuts, maxMessageSize);
  if (chunked.maxAlloc > maxMessageSize + 1)
    throw new FuzzFailure(`reader allocated ${chunked.maxAlloc} bytes, over maxMessageSize ${maxMessageSize} + 1`);
  const whole = traceReader(stream, [stream.length], maxMessageSize);
  if (whole.events.length !== chunked.events.length || whole.events.some((e, i) => e !== chunked.events[i]))
    throw new FuzzFailure(`chunking changed the outcome:\n whole:   ${whole.events.join(' | ')}\n chunked: ${chunked.events.join(' | ')}`);
  return chunked;
}

/**
 * The header codec target on arbitrary bytes. Invariants: decoding yields a plain object of
 * strings (prototype untouched) or a 400 `MicroError`; what decoded re-encodes to a header that
 * decodes to the same entries.
 */
export function fuzzHeaderBytes(bytes: Uint8Array): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let h: Record<string, string>;
  try {
    h = new HeaderReader().read(buf, 0, buf.length);
  } catch (e) {
    if (isMicroError(e) && e.code === 400) return false;
    throw new FuzzFailure(`header decoder threw something other than a 400 MicroError: ${String(e)}`);
  }
  checkHeader(h);
  const again = roundTripHeader(h);
  if (!sameEntries(h, again)) throw new FuzzFailure(`re-encoding a decoded header changed it: ${JSON.stringify(Object.entries(h))}`);
  return true;
}

/** The header codec round-trip target: any header of strings comes back with the same entries. */
export function fuzzHeaderRoundTrip(h: Record<string, string>): void {
  const back = roundTripHeader(h);
  checkHeader(back);
  if (!sameEntries(h, back)) throw new FuzzFailure(`header did not round-trip: ${JSON.stringify(Object.entries(h))}`);
}

function roundTripHeader(h: Record<string, string>): Record<string, string> {
  const buf = Buffer.alloc(headerBound(h));
  const end = writeHeader(buf, 0, h);
  if (end < 0) throw new FuzzFailure('writeHeader ran out of the room headerBound promised');
  const r = new HeaderReader();
  const out = r.read(buf, 0, end);
  if (r.pos !== end) throw new FuzzFailure(`decoder stopped at ${r.pos}, encoder wrote ${end} bytes`);
  return out;
}

function checkHeader(h: Record<string, string>): void {
  if (Object.getPrototypeOf(h) !== Object.prototype) throw new FuzzFailure('decoded header has a foreign prototype');
  for (const [k, v] of Object.entries(h)) {
    if (typeof v !== 'string') throw new FuzzFailure(`header ${JSON.stringify(k)} decoded to a ${typeof v}`);
  }
}

function sameEntries(a: Record<string, string>, b: Record<string, string>): boolean {
  const ea = Object.entries(a);
  const eb = Object.entries(b);
  return ea.length === eb.length && ea.every(([k, v], i) => eb[i]?.[0] === k && eb[i]?.[1] === v);
}
