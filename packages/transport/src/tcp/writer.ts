import type { Socket as NetSocket } from 'node:net';
import { payloadTooLarge } from '@tsmicro/core';
import type { Message } from '../transport.js';
import { LANE, Outgoing, PART_SIZE, type Queued, WHOLE_MAX } from './parts.js';
import { FRAME_HEAD, FrameType, headerBound, INITIAL_CONNECTION_WINDOW, writeHeader } from './wire.js';

/** Size of the buffers frames are encoded into. */
const SLAB = 64 * 1024;
/** Bodies up to this size are copied next to their header; larger ones are written as their own chunk, uncopied. */
const COPY_MAX = 8 * 1024;
/** Encoded bytes waiting for the batched flush before a frame forces an immediate one. */
const FLUSH_AT = 256 * 1024;
/**
 * Message frames queued in one turn before they are written at once, without waiting for the turn's
 * end. A peer on another core then works on the first frames while this side still makes the rest: at
 * W1 c=64 one write per 64 calls kept client and server in lock-step, each idle while the other worked
 * (client 65 %, server 40 % of a core), and writing every 16 frames took calls by name from 0.51× to
 * about 0.8× of the raw ceiling. The cost is a write per 16 frames. At c=64, 8, 12 or 4 measured
 * slower, and so did starting at 8 and doubling; at c=16, where 16 never writes early, 8 measured 1.2×
 * better: a count that follows the turn's batch size is left for when both can be measured at once.
 */
export const FLUSH_FRAMES = 16;
/** Split messages interleaved at once; more wait their turn. */
const ACTIVE_MAX = 4;
/**
 * Bytes a sender lets be unacknowledged (sent, and not yet granted back by the receiver, which grants
 * as it reads) before it writes more parts. Kernel socket buffers on a fast link hold megabytes; with
 * this bound a small frame waits behind at most this much of a large message, wherever it is queued.
 */
const PARTS_IN_FLIGHT = 256 * 1024;
/**
 * Bytes of parts handed to the socket per event-loop turn. Then the writer yields (setImmediate), so
 * requests arriving meanwhile are read and their small answers go out before the next round of parts.
 */
const ROUND_BYTES = 128 * 1024;

const RESOLVED = Promise.resolve();

/**
 * Encodes frames into a bump-allocated slab and flushes everything produced in one event-loop
 * turn with a single write (writev when large bodies are in the batch). Flushed slab ranges are
 * never touched again, so the slab needs no copy and no per-frame allocation.
 *
 * The flush runs on `process.nextTick`: after the promise jobs of the current callback (where the RPC
 * layer produces its frames) and before the loop goes back to polling. A `setImmediate` flush
 * waited one more loop phase per batch, and measured slower and costlier per call. With
 * `perIteration` (tcp option `coalesceWrites: 'loop'`) the flush waits for the iteration's check
 * phase (`setImmediate`): a gateway reading many HTTP sockets in one poll phase makes one call per
 * socket callback, and they all go out in one write.
 *
 * Large messages go out as parts, round-robin, a bounded amount per turn, and every message frame
 * or part spends connection credit granted by the peer (docs/protocol.md, "Flow control").
 * Messages of one lane (one call) never overtake each other.
 */
export class FrameWriter {
  private slab = Buffer.allocUnsafe(SLAB);
  private start = 0;
  private pos = 0;
  private chunks: Uint8Array[] = [];
  private queued = 0;
  /** Message frames in {@link queued}. */
  private frames = 0;
  private scheduled = false;
  private blocked = false;
  private drainWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private dead = false;
  private flushing = false;
  /** Connection credit the peer granted, bytes; a frame may start while it is above 0. */
  private credit = INITIAL_CONNECTION_WINDOW;
  /** The most credit seen: the peer's whole window, so `peak - credit` is what it has not acknowledged yet. */
  private peak = INITIAL_CONNECTION_WINDOW;
  /** Messages waiting for credit, in send order. */
  private waiting: Queued[] = [];
  /** Split messages being written, round-robin, and those waiting for a slot. */
  private active: Outgoing[] = [];
  private later: Outgoing[] = [];
  private rr = 0;
  /** The split message in flight per lane: later messages of that lane wait for it. */
  private readonly lanes = new Map<string, Outgoing>();
  private nextSid = 1;
  private round: NodeJS.Immediate | undefined;

  constructor(
    private readonly socket: NetSocket,
    private readonly maxMessageSize: number,
    private readonly perIteration = false,
  ) {
    socket.on('drain', () => {
      this.blocked = false;
      for (const w of this.drainWaiters.splice(0)) w.resolve();
      if (this.active.length > 0) this.flush();
    });
  }

  /** Queues a message; the promise waits while the socket's write buffer is full, or for credit. Throws 413 without writing anything when oversized. */
  message(m: Message): Promise<void> {
    if (m.body.byteLength + 2 > this.maxMessageSize) throw this.tooLarge(m.body.byteLength + 2);
    if (this.credit <= 0 || this.waiting.length !== 0) return this.wait(m);
    return this.submit(m);
  }

  /** Adds connection credit granted by the peer. */
  grant(n: number): void {
    this.credit += n;
    if (this.credit > this.peak) this.peak = this.credit;
    if (this.credit > 0 && (this.waiting.length !== 0 || this.active.length !== 0)) this.schedule();
  }

  /** True while parts may go out: credit left, and less than {@link PARTS_IN_FLIGHT} unacknowledged. */
  private partsMayGo(): boolean {
    return this.credit > 0 && this.peak - this.credit < PARTS_IN_FLIGHT;
  }

  private submit(m: Message): Promise<void> {
    if (this.lanes.size !== 0) {
      const holder = this.lanes.get(m.header[LANE] ?? '');
      if (holder) return this.follow(holder, m);
    }
    const body = m.body;
    const blen = body.byteLength;
    if (blen > WHOLE_MAX) return this.split(m);
    const copy = blen <= COPY_MAX;
    let need = 64 + (copy ? blen : 0);
    for (;;) {
      if (this.slab.length - this.pos < need) this.newSlab(need);
      const p0 = this.pos;
      let p = writeHeader(this.slab, p0 + FRAME_HEAD, m.header);
      if (p < 0 || (copy && p + blen > this.slab.length)) {
        need = FRAME_HEAD + headerBound(m.header) + (copy ? blen : 0);
        this.newSlab(need);
        continue;
      }
      if (copy) {
        this.slab.set(body, p);
        p += blen;
      }
      const len = p - p0 - 4 + (copy ? 0 : blen);
      if (len - 1 > this.maxMessageSize) throw this.tooLarge(len - 1);
      this.slab.writeUInt32BE(len, p0);
      this.slab[p0 + 4] = FrameType.message;
      this.pos = p;
      if (!copy) {
        this.cut();
        this.chunks.push(body);
      }
      this.queued += len + 4;
      this.frames++;
      this.credit -= len;
      break;
    }
    return this.afterQueue();
  }

  private wait(m: Message): Promise<void> {
    return new Promise<void>((resolve, reject) => this.waiting.push({ m, resolve, reject }));
  }

  private follow(holder: Outgoing, m: Message): Promise<void> {
    return new Promise<void>((resolve, reject) => holder.followers.push({ m, resolve, reject }));
  }

  /** Starts a large message: its header block is encoded now, its parts go out round-robin from {@link flush}. */
  private split(m: Message): Promise<void> {
    const head = Buffer.allocUnsafe(headerBound(m.header));
    const hl = writeHeader(head, 0, m.header);
    const total = hl + m.body.byteLength;
    if (total > this.maxMessageSize) throw this.tooLarge(total);
    const sid = this.nextSid;
    this.nextSid = sid === 0xffffffff ? 1 : sid + 1;
    const o = new Outgoing(sid, head.subarray(0, hl), m.body, m.header[LANE] ?? '');
    this.lanes.set(o.lane, o);
    if (this.active.length < ACTIVE_MAX) this.active.push(o);
    else this.later.push(o);
    this.schedule();
    return o.done;
  }

  /** Queues a control frame (ping, pong: 8 bytes; window: 4) carrying `payload`; control frames spend no credit. */
  control(type: number, payload: Buffer): void {
    if (this.slab.length - this.pos < FRAME_HEAD + payload.length) this.newSlab(FRAME_HEAD + payload.length);
    this.slab.writeUInt32BE(1 + payload.length, this.pos);
    this.slab[this.pos + 4] = type;
    payload.copy(this.slab, this.pos + FRAME_HEAD);
    this.pos += FRAME_HEAD + payload.length;
    this.queued += FRAME_HEAD + payload.length;
    this.schedule();
  }

  private schedule(): void {
    if (this.flushing) return;
    if (this.queued >= FLUSH_AT || this.frames >= FLUSH_FRAMES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      if (this.perIteration) setImmediate(this.flushNow);
      else process.nextTick(this.flushNow);
    }
  }

  private afterQueue(): Promise<void> {
    this.schedule();
    if (!this.blocked) return RESOLVED;
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  private readonly flushNow = (): void => {
    // An explicit flush() may have run meanwhile; then this finds nothing queued and writes nothing.
    this.scheduled = false;
    this.flush();
  };

  private readonly nextRound = (): void => {
    this.round = undefined;
    this.flush();
  };

  /** Writes everything queued now, plus one round of parts of the split messages in flight. */
  flush(): void {
    if (this.dead || this.flushing || !this.socket.writable) return;
    this.flushing = true;
    try {
      while (this.credit > 0 && this.waiting.length !== 0) {
        const q = this.waiting.shift() as Queued;
        this.settle(q);
      }
      if (this.active.length !== 0) this.parts();
    } finally {
      this.flushing = false;
    }
    this.cut();
    const chunks = this.chunks;
    if (chunks.length !== 0) {
      this.chunks = [];
      this.queued = 0;
      this.frames = 0;
      let ok: boolean;
      if (chunks.length === 1) ok = this.socket.write(chunks[0]!);
      else {
        this.socket.cork();
        ok = true;
        for (const c of chunks) ok = this.socket.write(c);
        this.socket.uncork();
      }
      if (!ok) this.blocked = true;
    }
    // More parts to go: after 'drain' when the socket is full, after a grant when too much is unacknowledged,
    // after a turn of the loop otherwise.
    if (this.active.length !== 0 && this.partsMayGo() && !this.blocked && this.round === undefined)
      this.round = setImmediate(this.nextRound);
  }

  /** Frames up to {@link ROUND_BYTES} of parts, one part per split message in turn. */
  private parts(): void {
    let budget = ROUND_BYTES - this.socket.writableLength;
    while (this.active.length !== 0 && this.partsMayGo() && budget > 0) {
      if (this.rr >= this.active.length) this.rr = 0;
      const o = this.active[this.rr]!;
      const len = this.part(o);
      this.credit -= len;
      budget -= len + 4;
      if (!o.finished) {
        this.rr++;
        continue;
      }
      this.active.splice(this.rr, 1);
      const next = this.later.shift();
      if (next) this.active.push(next);
      this.lanes.delete(o.lane);
      o.resolve();
      // The lane's next messages go right behind the last part, in order (a large one takes the lane again).
      for (const f of o.followers.splice(0)) this.settle(f);
    }
  }

  private settle(q: Queued): void {
    try {
      this.submit(q.m).then(q.resolve, q.reject);
    } catch (e) {
      q.reject(e);
    }
  }

  /** Frames the next part of `o`: its head goes into the slab, its content is written uncopied. Returns the frame's length field. */
  private part(o: Outgoing): number {
    const first = o.sent === 0;
    const headLen = FRAME_HEAD + 4 + (first ? 4 : 0);
    const n = Math.min(PART_SIZE, o.total - o.sent);
    if (this.slab.length - this.pos < headLen) this.newSlab(headLen);
    const p = this.pos;
    const len = headLen - 4 + n;
    this.slab.writeUInt32BE(len, p);
    this.slab[p + 4] = first ? FrameType.first : FrameType.more;
    this.slab.writeUInt32BE(o.sid, p + 5);
    if (first) this.slab.writeUInt32BE(o.total, p + 9);
    this.pos = p + headLen;
    this.cut();
    o.take(n, this.chunks);
    return len;
  }

  /** Drops queued data and fails senders still waiting (for drain, credit or their turn) with `error`. */
  kill(error: Error): void {
    this.dead = true;
    this.chunks = [];
    if (this.round) clearImmediate(this.round);
    this.round = undefined;
    for (const w of this.drainWaiters.splice(0)) w.reject(error);
    for (const q of this.waiting.splice(0)) q.reject(error);
    for (const o of [...this.active.splice(0), ...this.later.splice(0)]) o.fail(error);
    this.lanes.clear();
  }

  private cut(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.slab.subarray(this.start, this.pos));
      this.start = this.pos;
    }
  }

  private newSlab(need: number): void {
    this.cut();
    this.slab = Buffer.allocUnsafe(Math.max(SLAB, need));
    this.start = 0;
    this.pos = 0;
  }

  private tooLarge(size: number) {
    return payloadTooLarge(`message of ${size} bytes exceeds maxMessageSize ${this.maxMessageSize}`);
  }
}
