import { badRequest, canceled, decodeError, type MicroError } from '@tsmicro/core';
import type { Message } from '../transport.js';
import { Frame, H } from './headers.js';
import type { StreamHost } from './stream.js';

/** Gets the outcome of a unary call opened with `Mux.call`: exactly one of the two runs, once. */
export interface UnaryReceiver {
  /** The response message. */
  resolved(body: Uint8Array): void;
  /**
   * The call failed. `sent` is false when no handler can have run it: the request never reached the
   * wire, or the server refused it before dispatch (an `error` frame with `Micro-Refused: 1`).
   */
  failed(e: MicroError, sent: boolean): void;
}

/** A unary call in flight, as its caller holds it. */
export interface UnaryCall {
  /** Abandons the call, telling the server; the receiver gets `reason` (unless the call already ended). */
  cancel(reason: MicroError): void;
}

const empty = new Uint8Array(0);
const ENDED: UnaryReceiver = { resolved() {}, failed() {} };

/**
 * The client end of a unary call: one request out, one answer in. Lighter than a stream: no inbox,
 * no flow control, no promise per call; the answer goes straight to the receiver.
 */
export class PendingUnary implements UnaryCall {
  private done = false;
  private sent = true;
  /** A response split into `data` then `end` (a server may answer that way). */
  private body: Uint8Array | undefined;

  constructor(
    private readonly host: StreamHost,
    readonly id: string,
    private receiver: UnaryReceiver,
  ) {}

  /** The request never reached the wire: the failure that follows must say so. */
  markUnsent(): void {
    this.sent = false;
  }

  /** Routes one inbound frame of this call. */
  deliver(kind: string | undefined, m: Message): void {
    if (this.done) return;
    if (kind === Frame.last || kind === Frame.data) {
      if (this.body !== undefined) this.violation('a second response message');
      else if (kind === Frame.data) this.body = m.body;
      else this.answer(m.body);
    } else if (kind === Frame.end) {
      if (this.body !== undefined) this.answer(this.body);
      else this.terminate(badRequest(`call ${this.id} answered without a response message`));
    } else if (kind === Frame.error) {
      // A refusal says no handler ran: for the retry decision the request might as well not have been sent.
      if (m.header[H.refused] === '1') this.sent = false;
      this.terminate(decodeError(m.header[H.error] ?? ''));
    } else if (kind === Frame.cancel) this.terminate(canceled('call cancelled by the server'));
    // A window grant is credit for sending more, and a unary call sends nothing more.
    else if (kind !== Frame.window) this.violation(`unknown frame kind '${kind}'`);
  }

  private answer(body: Uint8Array): void {
    const r = this.receiver;
    this.finish();
    r.resolved(body);
  }

  /** Ends the call locally with `e` (nothing is sent). */
  terminate(e: MicroError): void {
    if (this.done) return;
    const r = this.receiver;
    this.finish();
    r.failed(e, this.sent);
  }

  cancel(reason: MicroError): void {
    if (this.done) return;
    this.host.write({ header: { [H.id]: this.id, [H.frame]: Frame.cancel }, body: empty }).catch(() => {});
    this.terminate(reason);
  }

  private violation(what: string): void {
    this.rejectInput(badRequest(`protocol error on call ${this.id}: ${what}`));
  }

  /** Ends the call because of bad input from the server (an answer that does not decode): cancels it with `e`. */
  rejectInput(e: MicroError): void {
    this.cancel(e);
  }

  private finish(): void {
    this.done = true;
    this.host.release(this.id);
    // Map.delete leaves the entry in the table until V8 rehashes it; a finished call that still held its
    // receiver kept the caller's whole call graph alive through it (measured: 5x the bytes promoted per scavenge).
    this.receiver = ENDED;
  }
}
