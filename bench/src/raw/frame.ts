import { payloadTooLarge } from '@tsmicro/core';

/**
 * The ceiling's wire: a 4-byte big-endian length, then that many bytes of JSON — the same
 * framing idea as tsmicro's transport, minus headers, multiplexing and codecs.
 */

/** Largest frame the raw peers accept; bigger means a broken peer, so the reader throws. */
export const MAX_FRAME = 4 * 1024 * 1024;

/** One frame holding `value` as JSON. */
export function encodeFrame(value: unknown): Buffer {
  const text = JSON.stringify(value);
  const len = Buffer.byteLength(text);
  const out = Buffer.allocUnsafe(4 + len);
  out.writeUInt32BE(len, 0);
  out.write(text, 4);
  return out;
}

/** Splits a byte stream into decoded JSON frames; `push` returns the values completed by a chunk. */
export interface FrameReader {
  push(chunk: Buffer): unknown[];
}

/** @example const r = createFrameReader(); socket.on('data', (c) => r.push(c).forEach(handle)) */
export function createFrameReader(): FrameReader {
  let buf: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const out: unknown[] = [];
      let off = 0;
      while (buf.length - off >= 4) {
        const len = buf.readUInt32BE(off);
        if (len > MAX_FRAME) throw payloadTooLarge(`raw frame of ${len} bytes exceeds ${MAX_FRAME}`);
        if (buf.length - off - 4 < len) break;
        out.push(JSON.parse(buf.toString('utf8', off + 4, off + 4 + len)));
        off += 4 + len;
      }
      buf = off === buf.length ? Buffer.alloc(0) : buf.subarray(off);
      return out;
    },
  };
}
