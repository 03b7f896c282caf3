import { payloadTooLarge } from '@tsmicro/core';
import type { Message } from '../transport.js';
import { FrameType, type HeaderReader } from './wire.js';

/**
 * The header key a receiver adds to a message it refused for its size: the body's byte size. The
 * message arrives with its header and an empty body, so the RPC layer can refuse that one call
 * with a 413 and the connection (and every other call on it) stays up.
 */
export const OVERSIZE_HEADER = 'Micro-Oversize';

/** How much of an oversize frame is read (at most; never more than the limit) to find its header block; the rest is skipped unread. */
const HEAD_BYTES = 64 * 1024;

/**
 * An oversize frame being skipped: its first bytes are gathered (at most 64 KiB, to read the header
 * block), the rest is counted off without being stored.
 */
export class OversizeFrame {
  private readonly head: Buffer;
  private have = 0;
  /** Bytes of the frame not taken yet. */
  left: number;

  constructor(
    private readonly length: number,
    private readonly maxMessageSize: number,
  ) {
    // Never more than a frame within the limit could take: the limit still bounds what one frame costs.
    this.head = Buffer.allocUnsafe(Math.min(length, HEAD_BYTES, maxMessageSize + 1));
    this.left = length;
  }

  /**
   * Takes bytes from `chunk[off, end)`. Returns the offset after the frame when it is over, or -1 when
   * the chunk was used up. Once the head is in, `deliver` gets the flagged header (or `fail` a reason).
   */
  take(chunk: Buffer, off: number, headers: HeaderReader, deliver: (m: Message) => void, fail: (e: Error) => void): number {
    const end = chunk.length;
    if (this.have < this.head.length) {
      const n = chunk.copy(this.head, this.have, off, Math.min(end, off + this.head.length - this.have));
      this.have += n;
      this.left -= n;
      off += n;
      if (this.have < this.head.length) return -1;
      const m = this.message(headers);
      if (m instanceof Error) {
        fail(m);
        return -1;
      }
      deliver(m);
    }
    const n = Math.min(this.left, end - off);
    this.left -= n;
    off += n;
    return this.left > 0 ? -1 : off;
  }

  private message(headers: HeaderReader): Message | Error {
    const why = `peer sent a frame of ${this.length} bytes, over maxMessageSize ${this.maxMessageSize}`;
    if (this.head[0] !== FrameType.message) return payloadTooLarge(why);
    return skippedMessage(headers, this.head.subarray(1), this.length - 1, why);
  }
}

/**
 * The message a receiver hands up for one it refused for its size: the header read from `head` (the
 * first bytes of the message's content), flagged with the content's byte `size`, and an empty body;
 * an Error (413) when `head` holds no complete header block.
 */
export function skippedMessage(headers: HeaderReader, head: Buffer, size: number, why: string): Message | Error {
  let header: Record<string, string>;
  try {
    header = headers.read(head, 0, head.length);
  } catch {
    return payloadTooLarge(`${why}, with no readable header block in its first ${head.length} bytes`);
  }
  header[OVERSIZE_HEADER] = String(size);
  return { header, body: new Uint8Array(0) };
}
