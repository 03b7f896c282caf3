import type { Socket as NetSocket } from 'node:net';
import { type MicroError, serviceUnavailable, timeout } from '@tsmicro/core';
import { closedError, Inbox, InboxSocket } from '../inbox.js';
import type { Message, Socket } from '../transport.js';
import type { ResolvedOptions } from './options.js';
import { FrameReader } from './reader.js';
import { FrameType, INITIAL_CONNECTION_WINDOW, MAX_CONNECTION_WINDOW, PREFACE } from './wire.js';
import { FrameWriter } from './writer.js';

const PING = Buffer.alloc(8);

/**
 * One tcp (or tls, or unix) connection as a message socket: sends the preface, parses frames,
 * answers pings, pings an idle peer, grants the peer connection credit as the app reads (so the
 * peer's sends wait while the app is behind, and pings still flow), and closes on protocol errors,
 * slow handshakes and stalled frames.
 */
export class TcpSocket extends InboxSocket implements Socket {
  readonly closed: Promise<Error | undefined>;
  /** Resolves once the peer's preface checked out; rejects when the connection failed first. */
  readonly ready: Promise<void>;
  private settleReady!: { resolve: () => void; reject: (e: Error) => void };
  private settleClosed!: (e: Error | undefined) => void;
  protected readonly inbox: Inbox;
  private readonly reader: FrameReader;
  private readonly writer: FrameWriter;
  private error: Error | undefined;
  private isClosed = false;
  private closing = false;
  /** The app is behind (inbox full): credit is held back until it catches up. */
  private holding = false;
  /** Bytes received and not yet granted back. */
  private ungranted = 0;
  /** The connection window this side offers: its high-water mark in bytes. */
  private readonly window: number;
  /** Bytes received before they are granted back: a quarter window, at most 64 KiB. */
  private readonly grantAt: number;
  private lastRead = Date.now();
  private pingSentAt = 0;
  private timers: Partial<Record<'handshake' | 'keepalive' | 'frame' | 'close', NodeJS.Timeout | undefined>> = {};

  constructor(
    private readonly sock: NetSocket,
    readonly local: string,
    readonly remote: string,
    private readonly o: ResolvedOptions,
  ) {
    super();
    this.closed = new Promise((resolve) => {
      this.settleClosed = resolve;
    });
    this.ready = new Promise((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    this.ready.catch(() => undefined);
    this.inbox = new Inbox(remote, o.highWaterMessages, o.highWaterBytes, () => this.resumeReading());
    this.writer = new FrameWriter(sock, o.maxMessageSize, o.coalesceWrites === 'loop');
    this.reader = new FrameReader(o.maxMessageSize, {
      preface: () => this.onPreface(),
      message: (m) => this.onMessage(m),
      ping: (payload) => this.writer.control(FrameType.pong, payload),
      window: (n) => this.writer.grant(n),
      counted: (len) => {
        this.ungranted += len;
      },
      fail: (e) => this.fail(e),
    });
    this.window = Math.min(MAX_CONNECTION_WINDOW, Math.max(INITIAL_CONNECTION_WINDOW, o.highWaterBytes));
    this.grantAt = Math.min(this.window / 4, 64 * 1024);
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('end', () => {
      // The peer finished; Node ends our side too (allowHalfOpen is off), so sending is over.
      this.closing = true;
      this.inbox.end();
    });
    sock.on('error', (e) => this.fail(serviceUnavailable(`connection to ${remote} failed: ${e.message}`, { cause: e })));
    sock.on('close', () => this.onClose());
    this.timers.handshake = setTimeout(
      () => this.fail(timeout(`peer ${remote} did not complete the preface within ${o.handshakeTimeout} ms`)),
      o.handshakeTimeout,
    ).unref();
    sock.write(PREFACE);
    if (this.window > INITIAL_CONNECTION_WINDOW) this.sendGrant(this.window - INITIAL_CONNECTION_WINDOW);
  }

  send(m: Message): Promise<void> {
    if (this.isClosed || this.closing) return Promise.reject(closedError(this.remote, this.error));
    try {
      return this.writer.message(m);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Flushes what is queued, sends FIN and waits for the connection to close (destroying it after `closeTimeout`). */
  close(): Promise<void> {
    if (!this.closing && !this.isClosed) {
      this.closing = true;
      this.inbox.discard();
      this.writer.flush();
      this.sock.end();
      this.timers.close = setTimeout(() => this.sock.destroy(), this.o.closeTimeout);
    }
    return this.closed.then(() => undefined);
  }

  /** Closes at once because of `e`; the first error wins and is what `closed` reports. */
  fail(e: MicroError): void {
    if (this.isClosed) return;
    if (this.error === undefined) {
      this.error = e;
      this.o.logger.warn({ remote: this.remote, code: e.code, err: e.detail }, 'tsmicro tcp: closing connection');
    }
    this.sock.destroy();
  }

  private onData(chunk: Buffer): void {
    this.lastRead = Date.now();
    this.reader.push(chunk);
    // Granted in batches (a grant per frame would double the frames on the wire), small enough that a
    // sender of a large message learns soon what arrived (it keeps little unacknowledged: see the writer).
    if (!this.holding && this.ungranted >= this.grantAt && !this.isClosed) this.sendGrant(this.ungranted);
    if (this.timers.frame === undefined && this.reader.partial && this.reader.handshaken) this.armProgressTimer(this.o.frameTimeout);
  }

  private sendGrant(n: number): void {
    this.ungranted = 0;
    this.reader.credit(n);
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n, 0);
    this.writer.control(FrameType.window, b);
  }

  private onPreface(): void {
    clearTimeout(this.timers.handshake);
    this.settleReady.resolve();
    if (this.o.keepaliveInterval > 0) this.armKeepalive(this.o.keepaliveInterval);
  }

  private onMessage(m: Message): void {
    this.inbox.push(m);
    if (this.inbox.full) this.holding = true;
  }

  /** The app caught up: the credit held back goes to the peer. */
  private resumeReading(): void {
    if (!this.holding || this.isClosed) return;
    this.holding = false;
    this.lastRead = Date.now();
    if (this.ungranted > 0) this.sendGrant(this.ungranted);
  }

  /**
   * Progress timeout: while a frame or a large message is unfinished, each `frameTimeout` ms must bring
   * some bytes, and at least `minReceiveRate` bytes/s worth of them (or all that was missing). A slow link
   * that keeps delivering is never cut, however long the message; a stalled or dripping peer is. While
   * credit is held back, the peer's silence is this side's doing and does not count.
   */
  private armProgressTimer(ms: number): void {
    const startBytes = this.sock.bytesRead;
    const missing = this.reader.missing();
    this.timers.frame = setTimeout(() => {
      this.timers.frame = undefined;
      if (!this.reader.partial) return;
      const got = this.sock.bytesRead - startBytes;
      const need = Math.min(missing, Math.ceil((this.o.minReceiveRate * ms) / 1000));
      if (this.holding || (got > 0 && got >= need)) return this.armProgressTimer(this.o.frameTimeout);
      const what = got === 0 ? 'sent nothing' : `sent only ${got} bytes (minReceiveRate ${this.o.minReceiveRate} bytes/s)`;
      this.fail(timeout(`peer ${this.remote} left a frame unfinished and ${what} for ${ms} ms`));
    }, ms).unref();
  }

  /** Pings after `keepaliveInterval` without receiving anything; no data within `keepaliveTimeout` after a ping means the peer is gone. */
  private armKeepalive(ms: number): void {
    this.timers.keepalive = setTimeout(() => {
      const now = Date.now();
      if (this.pingSentAt !== 0) {
        if (this.lastRead < this.pingSentAt) {
          return this.fail(serviceUnavailable(`peer ${this.remote} did not answer a keepalive ping within ${this.o.keepaliveTimeout} ms`));
        }
        this.pingSentAt = 0;
      }
      const idle = now - this.lastRead;
      if (idle < this.o.keepaliveInterval) return this.armKeepalive(this.o.keepaliveInterval - idle);
      this.pingSentAt = now;
      this.writer.control(FrameType.ping, PING);
      this.armKeepalive(this.o.keepaliveTimeout);
    }, ms).unref();
  }

  private onClose(): void {
    this.isClosed = true;
    for (const t of Object.values(this.timers)) clearTimeout(t);
    const err = closedError(this.remote, this.error);
    this.writer.kill(err);
    this.inbox.end(this.error);
    this.settleReady.reject(this.error ?? serviceUnavailable(`connection to ${this.remote} closed before the peer's preface`));
    this.settleClosed(this.error);
  }
}
