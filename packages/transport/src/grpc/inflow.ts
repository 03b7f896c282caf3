import { Frame, H, messageCost } from '../rpc/headers.js';
import type { Message } from '../transport.js';

/**
 * The inbound messages of one gRPC call on their way to the RPC layer, at the pace of its grants:
 * the RPC stream grants credit in bytes (`window` frames; a message costs `messageCost`, and one may
 * go while any credit is left, as the RPC layer allows), and while it has none the messages wait here and
 * the HTTP/2 stream is paused, so HTTP/2 flow control holds the sender back. A final frame (end,
 * error) waits behind the messages queued before it.
 */
export class Inflow {
  private queue: Uint8Array[] = [];
  private tail: Message | undefined;
  private readonly dataHeader: Record<string, string>;

  constructor(
    id: string,
    private credit: number,
    private readonly out: (m: Message) => void,
    private readonly pause: (paused: boolean) => void,
  ) {
    this.dataHeader = { [H.id]: id, [H.frame]: Frame.data };
  }

  message(body: Uint8Array): void {
    if (this.credit > 0 && this.queue.length === 0) {
      this.credit -= messageCost(body);
      this.out({ header: this.dataHeader, body });
      return;
    }
    this.queue.push(body);
    if (this.queue.length === 1) this.pause(true);
  }

  /** The call's last frame, after every message queued. */
  finish(m: Message): void {
    if (this.queue.length === 0) this.out(m);
    else this.tail = m;
  }

  grant(n: number): void {
    this.credit += n;
    while (this.credit > 0 && this.queue.length > 0) {
      const body = this.queue.shift() as Uint8Array;
      this.credit -= messageCost(body);
      this.out({ header: this.dataHeader, body });
    }
    if (this.queue.length > 0) return;
    const t = this.tail;
    this.tail = undefined;
    if (t) this.out(t);
    this.pause(false);
  }

  /** Forgets what waits (the call is over). */
  clear(): void {
    this.queue = [];
    this.tail = undefined;
  }
}

/** Resolves at once when the write went into the stream's buffer, else once it drains (or closes). */
export function written(stream: NodeJS.WritableStream & { once(e: string, f: () => void): unknown }, ok: boolean): Promise<void> {
  if (ok) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.removeListener('drain', done);
      stream.removeListener('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}
