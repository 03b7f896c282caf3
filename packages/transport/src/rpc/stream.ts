import {
  badRequest,
  canceled,
  decodeError,
  ErrorCode,
  encodeError,
  isMicroError,
  type Metadata,
  type MicroError,
  payloadTooLarge,
} from '@tsmicro/core';
import type { Message } from '../transport.js';
import type { Encoding } from './compression.js';
import { Frame, H, MESSAGE_OVERHEAD, messageCost, writeMetadata } from './headers.js';

/** One call on a multiplexed connection, seen from either end. Bodies are encoded messages. */
export interface RpcStream {
  readonly id: string;
  /** Aborts, with the error as reason, when the call ends abnormally: peer cancel or error, connection lost, local cancel. */
  readonly signal: AbortSignal;
  /** True once the call ended abnormally (the cheap way to ask `signal.aborted`). */
  readonly failed: boolean;
  /** Runs `fn` once when the call ends abnormally (at once if it has); returns an unsubscribe function. */
  onFail(fn: (e: MicroError) => void): () => void;
  /** Sends one message; waits while the peer has granted no credit. Rejects once the call ended abnormally. */
  send(body: Uint8Array): Promise<void>;
  /**
   * Sends the last message and half-closes in one frame. `trailer` (server): metadata that goes in
   * that frame's header, after the answer (gRPC sends it as trailing metadata).
   */
  sendLast(body: Uint8Array, trailer?: Metadata): Promise<void>;
  /** Half-closes: no more messages from this side. From the server it completes the call (with `trailer`, as for `sendLast`). */
  end(trailer?: Metadata): Promise<void>;
  /** The next message, `undefined` at the peer's end of stream; rejects with the `MicroError` that ended the call. */
  recv(): Promise<Uint8Array | undefined>;
  /** Server: completes the call with an error (and `trailer`, as for `sendLast`). */
  fail(e: MicroError, trailer?: Metadata): Promise<void>;
  /** Server: completes the call with an error that says no handler ran it (`Micro-Refused: 1`), so any caller may repeat it. */
  refuse(e: MicroError): Promise<void>;
  /** Client: abandons the call, telling the server; `reason` is what local readers and writers see. */
  cancel(reason?: MicroError): void;
}

/** What a stream needs from its connection. */
export interface StreamHost {
  /** Sends a frame; `encoding` asks for its body to be compressed (when the peer accepts it and it pays). */
  write(m: Message, encoding?: Encoding | 'identity'): Promise<void>;
  release(id: string): void;
}

const empty = new Uint8Array(0);
/**
 * A stream runs at the pace of its grants: one round trip per half window. The receiver therefore
 * lets its window grow (doubling per grant) while its reader is kept waiting, up to this many bytes
 * (or the configured window, if larger). The peer sees only larger grants: nothing in the protocol changes.
 */
const MAX_WINDOW = 4 * 1024 * 1024;
/** The header of an `error` frame refusing call `id` before any handler ran. */
export function refusal(id: string, e: MicroError): Record<string, string> {
  return { [H.id]: id, [H.frame]: Frame.error, [H.error]: encodeError(e), [H.refused]: '1' };
}
/** A closing frame's header with the handler's trailer metadata in it (lower-case keys: never a protocol header). */
function withTrailer(header: Record<string, string>, trailer: Metadata | undefined): Record<string, string> {
  if (trailer !== undefined) writeMetadata(header, trailer);
  return header;
}
type Waiter = { resolve: () => void; reject: (e: unknown) => void };
type Reader = { resolve: (m: Uint8Array | undefined) => void; reject: (e: unknown) => void };

/** One call's state: an inbox bounded by the credit we granted, and the credit the peer granted us. */
export class Channel implements RpcStream {
  private ac: AbortController | undefined;
  /** The first listener has its own slot: a call usually has one, and then needs no array. */
  private onFail1: ((e: MicroError) => void) | undefined;
  private onFails: Array<(e: MicroError) => void> | undefined;
  /** The oldest unread message, then the rest: a unary call holds one message and so never needs the array. */
  private first: Uint8Array | undefined;
  private rest: Uint8Array[] | undefined;
  private reader: Reader | undefined;
  private writer: Waiter | undefined;
  private remoteEnded = false;
  private localEnded = false;
  private failure: MicroError | undefined;
  private released = false;
  /** Bytes of credit the peer still has (it may overshoot by the last message it sent). */
  private recvCredit: number;
  /** Credit consumed by the reader since the last grant, bytes. */
  private consumed = 0;
  /** Bytes the peer may have in flight or unread: starts at `window`, grows while the reader waits. */
  private target: number;
  /** A reader waited for a message since the last grant. */
  private starved = false;
  /** At least one grant went out as messages were consumed. */
  private granted = false;
  private dataHeader: Record<string, string> | undefined;

  constructor(
    private readonly host: StreamHost,
    readonly id: string,
    private readonly isClient: boolean,
    private readonly window: number,
    private sendCredit: number,
    peerAssumedCredit: number,
    /** How this call's messages are compressed (the mux sends them as they are when the peer does not accept it). */
    private readonly encoding?: Encoding | 'identity',
  ) {
    this.recvCredit = peerAssumedCredit;
    this.target = window;
    if (window > peerAssumedCredit) this.grant(window - peerAssumedCredit);
  }

  get signal(): AbortSignal {
    // Made on demand: an AbortController per call is a large share of a small call's cost.
    if (!this.ac) {
      this.ac = new AbortController();
      if (this.failure) this.ac.abort(this.failure);
    }
    return this.ac.signal;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  onFail(fn: (e: MicroError) => void): () => void {
    if (this.failure) {
      fn(this.failure);
      return () => {};
    }
    if (this.onFail1 === undefined) {
      this.onFail1 = fn;
      return () => {
        if (this.onFail1 === fn) this.onFail1 = undefined;
      };
    }
    this.onFails ??= [];
    const fns = this.onFails;
    fns.push(fn);
    return () => {
      const i = fns.indexOf(fn);
      if (i >= 0) fns.splice(i, 1);
    };
  }

  /** True once the call is over on this side and its connection forgot it. */
  get isReleased(): boolean {
    return this.released;
  }

  /** Marks the local side ended without sending (a unary request carries its end). */
  markLocalEnded(): void {
    this.localEnded = true;
  }

  /** Routes one inbound frame of this call. */
  deliver(kind: string | undefined, m: Message): void {
    if (this.failure) return;
    if (kind === Frame.data || kind === Frame.last) {
      if (this.remoteEnded) this.violation('message after end of stream');
      else if (this.recvCredit <= 0) this.violation('flow-control window exceeded');
      else {
        this.recvCredit -= messageCost(m.body);
        this.push(m.body);
        if (kind === Frame.last) this.onRemoteEnd();
        this.wakeReader();
      }
    } else if (kind === Frame.end) {
      this.onRemoteEnd();
      this.wakeReader();
    } else if (kind === Frame.window) {
      const n = Number(m.header[H.window]);
      if (!Number.isInteger(n) || n <= 0) this.violation(`bad ${H.window} '${m.header[H.window]}'`);
      else {
        this.sendCredit += n;
        const w = this.writer;
        this.writer = undefined;
        w?.resolve();
      }
    } else if (kind === Frame.error) this.terminate(decodeError(m.header[H.error] ?? ''));
    else if (kind === Frame.cancel) this.terminate(canceled('call cancelled by the client'));
    else this.violation(`unknown frame kind '${kind}'`);
  }

  send(body: Uint8Array): Promise<void> {
    // Credit in hand (the usual case): no async hop before the frame is queued.
    if (!this.canSend()) return this.acquire(body).then(() => this.writeData(body));
    this.sendCredit -= messageCost(body);
    return this.writeData(body);
  }

  sendLast(body: Uint8Array, trailer?: Metadata): Promise<void> {
    if (!this.canSend()) return this.acquire(body).then(() => this.writeLast(body, trailer));
    this.sendCredit -= messageCost(body);
    return this.writeLast(body, trailer);
  }

  private writeData(body: Uint8Array): Promise<void> {
    // Made once per stream, on its first data frame: unary calls never need it.
    this.dataHeader ??= { [H.id]: this.id, [H.frame]: Frame.data };
    return this.host.write({ header: this.dataHeader, body }, this.encoding);
  }

  private writeLast(body: Uint8Array, trailer: Metadata | undefined): Promise<void> {
    this.localEnded = true;
    if (!this.isClient) this.release();
    const written = this.host.write({ header: withTrailer({ [H.id]: this.id, [H.frame]: Frame.last }, trailer), body }, this.encoding);
    if (this.isClient) return written;
    // A response the transport refused before writing it (too large) still owes the caller an answer.
    return written.catch(async (e: unknown) => {
      if (isMicroError(e) && e.code === ErrorCode.PayloadTooLarge) {
        this.localEnded = false;
        await this.fail(payloadTooLarge(`the response could not be sent: ${e.detail}`, { id: e.id }), trailer);
      }
      throw e;
    });
  }

  async end(trailer?: Metadata): Promise<void> {
    if (this.failure || this.localEnded) return;
    this.localEnded = true;
    if (!this.isClient) this.release();
    await this.host.write({ header: withTrailer({ [H.id]: this.id, [H.frame]: Frame.end }, trailer), body: empty });
  }

  recv(): Promise<Uint8Array | undefined> {
    const m = this.shift();
    if (m !== undefined) {
      this.onConsumed(m.byteLength);
      return Promise.resolve(m);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.remoteEnded) return Promise.resolve(undefined);
    return new Promise<Uint8Array | undefined>((resolve, reject) => {
      this.reader = { resolve, reject };
    });
  }

  async fail(e: MicroError, trailer?: Metadata): Promise<void> {
    if (this.failure || (this.localEnded && !this.isClient)) return;
    this.terminate(e);
    const header = withTrailer({ [H.id]: this.id, [H.frame]: Frame.error, [H.error]: encodeError(e) }, trailer);
    await this.host.write({ header, body: empty });
  }

  async refuse(e: MicroError): Promise<void> {
    if (this.failure || this.localEnded) return;
    this.terminate(e);
    await this.host.write({ header: refusal(this.id, e), body: empty });
  }

  cancel(reason: MicroError = canceled('call cancelled')): void {
    if (this.failure || this.released) return;
    this.terminate(reason);
    this.host.write({ header: { [H.id]: this.id, [H.frame]: Frame.cancel }, body: empty }).catch(() => {});
  }

  /** Ends the call locally with `e` (nothing is sent): readers and writers see `e`, the signal aborts. */
  terminate(e: MicroError): void {
    if (this.failure) return;
    this.failure = e;
    this.release();
    this.ac?.abort(e);
    const fn1 = this.onFail1;
    const fns = this.onFails;
    this.onFail1 = undefined;
    this.onFails = undefined;
    fn1?.(e);
    if (fns) for (const fn of fns) fn(e);
    const w = this.writer;
    this.writer = undefined;
    this.wakeReader();
    w?.reject(e);
  }

  /** True when a message may go out now; false when the caller must go through {@link acquire} (no credit, or an error to report). */
  private canSend(): boolean {
    return this.sendCredit > 0 && !this.failure && !this.localEnded;
  }

  private async acquire(body: Uint8Array): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.localEnded) throw canceled(this.remoteEnded ? 'call already completed' : 'send after end of stream');
      if (this.sendCredit > 0) {
        this.sendCredit -= messageCost(body);
        return;
      }
      await new Promise<void>((resolve, reject) => {
        this.writer = { resolve, reject };
      });
    }
  }

  private onRemoteEnd(): void {
    this.remoteEnded = true;
    // The server's end of stream completes the call: nothing more may be sent or received.
    if (this.isClient) {
      this.localEnded = true;
      this.release();
      const w = this.writer;
      this.writer = undefined;
      w?.resolve();
    }
  }

  private onConsumed(size: number): void {
    if (this.remoteEnded || this.failure) return;
    this.consumed += size + MESSAGE_OVERHEAD;
    if (this.consumed < this.target / 2) return;
    // Credit out + bytes unread + consumed since the last grant = target, always; a grant moves the target.
    // It grows only when the reader had to wait for messages since the last grant (the window set the pace,
    // not the reader); the wait for the first message measures the call's setup, so it does not count.
    const grow = this.starved && this.granted;
    this.starved = false;
    this.granted = true;
    const next = grow ? Math.max(this.window, Math.min(MAX_WINDOW, this.target * 2)) : this.target;
    const n = this.consumed + next - this.target;
    this.target = next;
    this.consumed = 0;
    this.grant(n);
  }

  private grant(n: number): void {
    this.recvCredit += n;
    this.host.write({ header: { [H.id]: this.id, [H.frame]: Frame.window, [H.window]: String(n) }, body: empty }).catch(() => {});
  }

  private violation(what: string): void {
    this.rejectInput(badRequest(`protocol error on call ${this.id}: ${what}`));
  }

  /** Ends the call because of bad input from the peer: the client cancels, the server answers with `e`. */
  rejectInput(e: MicroError): void {
    if (this.isClient) this.cancel(e);
    else this.fail(e).catch(() => {});
  }

  private push(body: Uint8Array): void {
    if (this.first === undefined && !this.rest?.length) this.first = body;
    else {
      this.rest ??= [];
      this.rest.push(body);
    }
  }

  private shift(): Uint8Array | undefined {
    const m = this.first;
    if (m === undefined) return this.rest?.shift();
    this.first = this.rest?.shift();
    return m;
  }

  /** Hands a waiting reader what {@link recv} would return now: the next message, the failure, or the end. */
  private wakeReader(): void {
    const r = this.reader;
    if (!r) return;
    const m = this.shift();
    if (m !== undefined) {
      this.reader = undefined;
      this.starved = true;
      this.onConsumed(m.byteLength);
      r.resolve(m);
    } else if (this.failure) {
      this.reader = undefined;
      r.reject(this.failure);
    } else if (this.remoteEnded) {
      this.reader = undefined;
      r.resolve(undefined);
    }
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.host.release(this.id);
  }
}
