import { badRequest, type MicroError, payloadTooLarge } from '@tsmicro/core';
import type { Message } from '../transport.js';
import { OversizeFrame, skippedMessage } from './oversize.js';
import { type Incoming, MAX_PARTIAL } from './parts.js';
import { FrameType, HeaderReader, INITIAL_CONNECTION_WINDOW, MAGIC, PREFACE, VERSION } from './wire.js';

/** What the reader reports to its socket. */
export interface ReaderEvents {
  preface(): void;
  message(m: Message): void;
  ping(payload: Buffer): void;
  /** The peer granted `n` more bytes of connection credit. */
  window(n: number): void;
  /** A message, first or more frame of `len` bytes (its length field) arrived: credit this side may grant back. */
  counted(len: number): void;
  /** A protocol violation: the socket must close with this error. */
  fail(e: MicroError): void;
}

/**
 * Parses the preface and then frames out of socket chunks. Complete frames are decoded in place
 * (bodies are views into the chunk, never copied); only a frame split across chunks is gathered,
 * into one buffer of exactly its announced size, after the size was checked against the limit.
 */
export class FrameReader {
  private prefaceSeen = 0;
  private lenBuf = Buffer.allocUnsafe(4);
  private lenHave = 0;
  private frame: Buffer | undefined;
  private frameHave = 0;
  private readonly headers = new HeaderReader();
  /** Large messages half received, by part stream id; a number: bytes of a refused one still to skip. */
  private readonly partials = new Map<number, Incoming | number>();
  /** A single frame over the limit whose body is being skipped (docs/protocol.md, "Limits"). */
  private oversize: OversizeFrame | undefined;
  /** Credit the peer still has, bytes: what this side granted minus what arrived. */
  private avail = INITIAL_CONNECTION_WINDOW;

  constructor(
    private readonly maxMessageSize: number,
    private readonly on: ReaderEvents,
  ) {}

  get handshaken(): boolean {
    return this.prefaceSeen === PREFACE.length;
  }

  /** True while a frame or a large message has started and not finished arriving. */
  get partial(): boolean {
    return this.frame !== undefined || this.lenHave > 0 || this.oversize !== undefined || this.partials.size !== 0;
  }

  /** Bytes still missing to complete the frame and the large messages in progress. */
  missing(): number {
    let n = this.lenHave > 0 ? 4 - this.lenHave : 0;
    if (this.frame !== undefined) n += this.frame.length - this.frameHave;
    if (this.oversize) n += this.oversize.left;
    for (const p of this.partials.values()) n += typeof p === 'number' ? p : p.buf.length - p.have;
    return n;
  }

  /** This side granted the peer `n` more bytes. */
  credit(n: number): void {
    this.avail += n;
  }

  push(chunk: Buffer): void {
    let off = 0;
    if (this.prefaceSeen < PREFACE.length) {
      off = this.preface(chunk);
      if (off < 0) return;
    }
    const end = chunk.length;
    if (this.oversize) {
      off = this.skip(chunk, off);
      if (off < 0) return;
    }
    if (this.frame !== undefined || this.lenHave > 0) {
      off = this.continuePartial(chunk, off);
      if (off < 0) return;
    }
    while (off < end) {
      if (end - off < 4) {
        chunk.copy(this.lenBuf, 0, off, end);
        this.lenHave = end - off;
        return;
      }
      const len = chunk.readUInt32BE(off);
      off += 4;
      if (this.refuses(len)) {
        off = this.skip(chunk, off);
        if (off < 0) return;
        continue;
      }
      if (!this.checkLength(len)) return;
      if (end - off >= len) {
        if (!this.dispatch(chunk, off, off + len)) return;
        off += len;
      } else {
        this.frame = Buffer.allocUnsafe(len);
        this.frameHave = chunk.copy(this.frame, 0, off, end);
        return;
      }
    }
  }

  /** Consumes preface bytes; returns the offset after them, or -1 when the chunk is used up or the peer failed. */
  private preface(chunk: Buffer): number {
    let i = 0;
    while (i < chunk.length && this.prefaceSeen < PREFACE.length) {
      const at = this.prefaceSeen;
      const b = chunk[i]!;
      if (at < MAGIC.length && b !== MAGIC[at]) {
        this.on.fail(badRequest(`peer does not speak the tsmicro protocol (bad preface byte 0x${b.toString(16)} at ${at})`));
        return -1;
      }
      if (at === MAGIC.length && b !== VERSION) {
        const old = b < VERSION ? ' (version 1 sends each message as one frame, with no byte windows)' : '';
        this.on.fail(
          badRequest(
            `peer speaks tsmicro protocol version ${b}, this side speaks version ${VERSION}${old}: run the same tsmicro major version on both ends`,
          ),
        );
        return -1;
      }
      this.prefaceSeen++;
      i++;
    }
    if (this.prefaceSeen < PREFACE.length) return -1;
    this.on.preface();
    return i;
  }

  private continuePartial(chunk: Buffer, off: number): number {
    if (this.frame === undefined) {
      const take = Math.min(4 - this.lenHave, chunk.length - off);
      chunk.copy(this.lenBuf, this.lenHave, off, off + take);
      this.lenHave += take;
      off += take;
      if (this.lenHave < 4) return -1;
      this.lenHave = 0;
      const len = this.lenBuf.readUInt32BE(0);
      if (this.refuses(len)) return this.skip(chunk, off);
      if (!this.checkLength(len)) return -1;
      this.frame = Buffer.allocUnsafe(len);
      this.frameHave = 0;
    }
    const frame = this.frame;
    const n = chunk.copy(frame, this.frameHave, off, Math.min(chunk.length, off + frame.length - this.frameHave));
    this.frameHave += n;
    off += n;
    if (this.frameHave < frame.length) return -1;
    this.frame = undefined;
    return this.dispatch(frame, 0, frame.length) ? off : -1;
  }

  /**
   * A single frame over the limit but within 64 × the limit (possible when maxMessageSize is under
   * the size that travels as parts) is refused without closing: it counts against the connection
   * window as any frame does, its header is read, its body skipped unread, and the header goes up
   * flagged with its size, so only its call fails (413). Anything larger closes the connection.
   */
  private refuses(len: number): boolean {
    if (len <= this.maxMessageSize + 1 || len > this.maxMessageSize * 64) return false;
    if (!this.charge(len)) return false;
    this.oversize = new OversizeFrame(len, this.maxMessageSize);
    return true;
  }

  /** Skips on through an oversize frame; the offset after it, or -1 when the chunk is used up (or the socket failed). */
  private skip(chunk: Buffer, off: number): number {
    const o = this.oversize as OversizeFrame;
    let failed = false;
    const next = o.take(
      chunk,
      off,
      this.headers,
      (m) => this.on.message(m),
      (e) => {
        failed = true;
        this.on.fail(e as MicroError);
      },
    );
    if (failed || next < 0) return -1;
    this.oversize = undefined;
    return next;
  }

  /** Counts a message frame of `len` bytes against the peer's connection credit; false (and failed) past it. */
  private charge(len: number): boolean {
    if (this.avail <= 0) return this.refuse(badRequest('peer sent beyond the connection window it was granted'));
    this.avail -= len;
    this.on.counted(len);
    return true;
  }

  private checkLength(len: number): boolean {
    if (len > this.maxMessageSize + 1) {
      this.on.fail(payloadTooLarge(`peer announced a frame of ${len} bytes, over maxMessageSize ${this.maxMessageSize}`));
      return false;
    }
    if (len === 0) {
      this.on.fail(badRequest('peer sent an empty frame'));
      return false;
    }
    return true;
  }

  /** Handles one frame in `buf[start, end)`; false when the socket failed. */
  private dispatch(buf: Buffer, start: number, end: number): boolean {
    const type = buf[start];
    if (type === FrameType.message || type === FrameType.first || type === FrameType.more) {
      if (!this.charge(end - start)) return false;
      if (type === FrameType.message) return this.emit(buf, start + 1, end);
      return type === FrameType.first ? this.first(buf, start, end) : this.more(buf, start, end);
    }
    if (type === FrameType.ping) {
      this.on.ping(buf.subarray(start + 1, end));
      return true;
    }
    if (type === FrameType.pong) return true;
    if (type === FrameType.window) {
      const n = end - start === 5 ? buf.readUInt32BE(start + 1) : 0;
      if (n === 0) return this.refuse(badRequest('peer sent a malformed connection window grant'));
      this.on.window(n);
      return true;
    }
    return this.refuse(badRequest(`peer sent unknown frame type ${type}`));
  }

  /** A first part: `sid: u32, total: u32`, then the first content bytes. */
  private first(buf: Buffer, start: number, end: number): boolean {
    if (end - start < 9) return this.refuse(badRequest('peer sent a truncated first part'));
    const sid = buf.readUInt32BE(start + 1);
    const total = buf.readUInt32BE(start + 5);
    if (total > this.maxMessageSize * 64)
      return this.refuse(payloadTooLarge(`peer announced a message of ${total} bytes, over maxMessageSize ${this.maxMessageSize}`));
    if (this.partials.has(sid)) return this.refuse(badRequest(`peer reused part stream ${sid} before finishing it`));
    if (this.partials.size >= MAX_PARTIAL) return this.refuse(badRequest(`peer has more than ${MAX_PARTIAL} messages half sent`));
    if (total > this.maxMessageSize) return this.refuseParts(sid, total, buf, start + 9, end);
    const p: Incoming = { buf: Buffer.allocUnsafe(total), have: 0 };
    this.partials.set(sid, p);
    return this.fill(sid, p, buf, start + 9, end);
  }

  /** A further part: `sid: u32`, then the next content bytes. */
  private more(buf: Buffer, start: number, end: number): boolean {
    if (end - start < 5) return this.refuse(badRequest('peer sent a truncated part'));
    const sid = buf.readUInt32BE(start + 1);
    const p = this.partials.get(sid);
    if (p === undefined) return this.refuse(badRequest(`peer sent a part of unknown message ${sid}`));
    if (typeof p !== 'number') return this.fill(sid, p, buf, start + 5, end);
    // A refused message: its parts are counted and dropped unread.
    const left = p - (end - start - 5);
    if (left < 0) return this.refuse(badRequest(`peer sent more bytes than announced for message ${sid}`));
    if (left === 0) this.partials.delete(sid);
    else this.partials.set(sid, left);
    return true;
  }

  /**
   * A message announced over maxMessageSize (within 64 ×) is refused without closing: its header is
   * read from the first part and goes up flagged with its size, so only its call fails (413); its
   * later parts are dropped unread. A header that does not fit in the first part closes the connection.
   */
  private refuseParts(sid: number, total: number, buf: Buffer, from: number, end: number): boolean {
    const left = total - (end - from);
    if (left > 0) this.partials.set(sid, left);
    return this.emitRefused(buf.subarray(from, end), total);
  }

  /** Hands up the header of a message of `size` content bytes refused for its size (flagged `Micro-Oversize`, empty body). */
  private emitRefused(head: Buffer, size: number): boolean {
    const m = skippedMessage(this.headers, head, size, `peer sent a message of ${size} bytes, over maxMessageSize`);
    if (m instanceof Error) return this.refuse(m as MicroError);
    this.on.message(m);
    return true;
  }

  private fill(sid: number, p: Incoming, buf: Buffer, from: number, end: number): boolean {
    if (p.have + end - from > p.buf.length) return this.refuse(badRequest(`peer sent more bytes than announced for message ${sid}`));
    p.have += buf.copy(p.buf, p.have, from, end);
    if (p.have < p.buf.length) return true;
    this.partials.delete(sid);
    return this.emit(p.buf, 0, p.buf.length);
  }

  /** Decodes a header block and body in `buf[start, end)` into a message. */
  private emit(buf: Buffer, start: number, end: number): boolean {
    let header: Record<string, string>;
    try {
      header = this.headers.read(buf, start, end);
    } catch (e) {
      return this.refuse(badRequest(`malformed frame from peer: ${(e as Error).message}`));
    }
    this.on.message({ header, body: buf.subarray(this.headers.pos, end) });
    return true;
  }

  private refuse(e: MicroError): false {
    this.on.fail(e);
    return false;
  }
}
