import type { Message } from '../transport.js';

/**
 * Messages split into parts (docs/protocol.md, "Large messages"). A message whose body is over
 * {@link WHOLE_MAX} travels as a `first` frame and `more` frames of at most {@link PART_SIZE} bytes
 * of content each, interleaved with every other message on the connection, so a small call never
 * waits behind a large one for more than a part.
 */

/** Bodies up to this size go as one `message` frame; larger ones as parts. */
export const WHOLE_MAX = 64 * 1024;
/** Bytes of message content (header block, then body) per part frame. */
export const PART_SIZE = 16 * 1024;
/** Split messages a receiver holds half-received at once; one more is a protocol error. */
export const MAX_PARTIAL = 16;
/** Messages keep their order among those with the same value of this header (the RPC call id). */
export const LANE = 'Micro-Id';

/** A message waiting its turn to be written, with the settle functions of its `send()`. */
export interface Queued {
  m: Message;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A large message being written part by part. */
export class Outgoing {
  /** Content bytes (header block + body) already framed. */
  sent = 0;
  readonly total: number;
  /** Later messages of the same lane: they go out once this one has been written completely. */
  readonly followers: Queued[] = [];
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (e: unknown) => void;

  constructor(
    readonly sid: number,
    readonly head: Buffer,
    readonly body: Uint8Array,
    readonly lane: string,
  ) {
    this.total = head.length + body.byteLength;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  get finished(): boolean {
    return this.sent === this.total;
  }

  /** Views of the next `n` content bytes (the header block, then the body), uncopied; advances `sent`. */
  take(n: number, out: Uint8Array[]): void {
    let at = this.sent;
    let left = n;
    if (at < this.head.length) {
      const k = Math.min(left, this.head.length - at);
      out.push(this.head.subarray(at, at + k));
      at += k;
      left -= k;
    }
    if (left > 0) {
      const b = at - this.head.length;
      out.push(this.body.subarray(b, b + left));
    }
    this.sent += n;
  }

  /** Fails this message and every follower with `e`. */
  fail(e: unknown): void {
    this.reject(e);
    for (const f of this.followers.splice(0)) f.reject(e);
  }
}

/** A large message being received part by part: one buffer of its announced size, filled in place. */
export interface Incoming {
  buf: Buffer;
  have: number;
}
