import { badRequest, type MicroError, payloadTooLarge } from '@tsmicro/core';
import type { Message } from '../transport.js';
import { OversizeFrame } from './oversize.js';
import { FrameType, HeaderReader, MAGIC, PREFACE, VERSION } from './wire.js';

/** What the reader reports to its socket. */
export interface ReaderEvents {
  preface(): void;
  message(m: Message): void;
  ping(payload: Buffer): void;
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
  /** A frame over the limit whose body is being skipped (docs/protocol.md, "Limits"). */
  private oversize: OversizeFrame | undefined;
  /** Epoch ms when the frame now in progress started, or 0 when between frames. */
  partialSince = 0;

  constructor(
    private readonly maxMessageSize: number,
    private readonly on: ReaderEvents,
  ) {}

  get handshaken(): boolean {
    return this.prefaceSeen === PREFACE.length;
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
        this.markPartial();
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
        this.markPartial();
        return;
      }
    }
    this.partialSince = 0;
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
        this.on.fail(badRequest(`peer speaks tsmicro protocol version ${b}, this side speaks version ${VERSION}`));
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
    this.partialSince = 0;
    return this.dispatch(frame, 0, frame.length) ? off : -1;
  }

  /**
   * A message frame over the limit but within 64 × the limit is refused without closing: its header
   * is read, its body skipped unread, and the header goes up flagged with its size, so only its call
   * fails (413). Anything larger still closes the connection (see {@link checkLength}).
   */
  private refuses(len: number): boolean {
    if (len <= this.maxMessageSize + 1 || len > this.maxMessageSize * 64) return false;
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
    if (failed) return -1;
    if (next < 0) {
      this.markPartial();
      return -1;
    }
    this.oversize = undefined;
    this.partialSince = 0;
    return next;
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

  private markPartial(): void {
    if (this.partialSince === 0) this.partialSince = Date.now();
  }

  /** Handles one frame in `buf[start, end)`; false when the socket failed. */
  private dispatch(buf: Buffer, start: number, end: number): boolean {
    const type = buf[start];
    if (type === FrameType.message) {
      let header: Record<string, string>;
      try {
        header = this.headers.read(buf, start + 1, end);
      } catch (e) {
        this.on.fail(badRequest(`malformed frame from peer: ${(e as Error).message}`));
        return false;
      }
      this.on.message({ header, body: buf.subarray(this.headers.pos, end) });
      return true;
    }
    if (type === FrameType.ping) {
      this.on.ping(buf.subarray(start + 1, end));
      return true;
    }
    if (type === FrameType.pong) return true;
    this.on.fail(badRequest(`peer sent unknown frame type ${type}`));
    return false;
  }
}
