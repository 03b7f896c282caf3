import { isMicroError, type MicroError, serviceUnavailable } from '@tsmicro/core';
import type { Message } from './transport.js';

/** The error a closed socket's `recv()`/`send()` rejects with: always a 503 naming the socket and, when known, why it closed. */
export function closedError(name: string, cause?: Error): MicroError {
  if (cause && isMicroError(cause) && cause.code === 503) return cause;
  const why = cause ? `: ${isMicroError(cause) ? cause.detail : cause.message}` : '';
  return serviceUnavailable(`socket ${name} is closed${why}`, cause ? { cause } : {});
}

type Waiter = (r: IteratorResult<Message>) => void;

const DONE: IteratorResult<Message> = { done: true, value: undefined };

/**
 * The receive side of a socket: an ordered queue with pending readers, a high-water mark that
 * senders (memory) or the socket reader (tcp) use for backpressure, and two ways to end:
 * `end()` (the peer finished: queued messages stay readable) and `discard()` (local close).
 * Uses a head index instead of `shift()` so a deep queue stays O(1) per message.
 */
export class Inbox {
  private queue: Message[] = [];
  private head = 0;
  private bytes = 0;
  private readers: Waiter[] = [];
  private writable: Array<() => void> = [];
  private ended = false;
  private error: Error | undefined;

  constructor(
    private readonly name: string,
    private readonly highWater: number,
    private readonly highWaterBytes = Number.POSITIVE_INFINITY,
    /** Called when the queue falls back to half the high-water marks after being full. */
    private readonly onDrained?: () => void,
  ) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  /** True while more than the high-water mark is unread. */
  get full(): boolean {
    return this.size >= this.highWater || this.bytes >= this.highWaterBytes;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  push(m: Message): void {
    if (this.ended) return;
    const r = this.readers.shift();
    if (r) {
      r({ done: false, value: m });
      return;
    }
    this.queue.push(m);
    this.bytes += m.body.byteLength;
  }

  /** The next queued message, or undefined when none is queued (never waits). */
  poll(): Message | undefined {
    if (this.head >= this.queue.length) return undefined;
    const m = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as Message;
    this.bytes -= m.body.byteLength;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.maybeDrained();
    return m;
  }

  next(): Promise<IteratorResult<Message>> {
    const m = this.poll();
    if (m !== undefined) return Promise.resolve({ done: false, value: m });
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve) => this.readers.push(resolve));
  }

  /** The next message; rejects with a 503 once ended and empty. */
  async recv(): Promise<Message> {
    const r = await this.next();
    if (r.done) throw closedError(this.name, this.error);
    return r.value;
  }

  /** Resolves when a sender may push again (below half the high-water mark) or the inbox ended. */
  whenWritable(): Promise<void> {
    if (!this.full || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.writable.push(resolve));
  }

  /** No more messages will come; queued ones stay readable, then iteration ends. */
  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    for (const r of this.readers.splice(0)) r(DONE);
    this.wakeWriters();
  }

  /** Local close: drop what is queued and end. */
  discard(error?: Error): void {
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
    this.end(error);
  }

  private maybeDrained(): void {
    if (this.size * 2 > this.highWater || this.bytes * 2 > this.highWaterBytes) return;
    if (this.writable.length > 0) this.wakeWriters();
    this.onDrained?.();
  }

  private wakeWriters(): void {
    for (const w of this.writable.splice(0)) w();
  }

  /** A plain iterator over {@link next}: an async generator would add a promise and a hop per message on the hot path. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Message> {
    const it: AsyncIterableIterator<Message> = {
      next: () => this.next(),
      // Leaving a loop early only stops this iteration; the inbox stays as it is, as with a generator.
      return: () => Promise.resolve(DONE),
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }
}

/**
 * The receiving half every socket shares (memory, tcp, gRPC sessions): `recv`, `poll` and iteration
 * read the socket's {@link Inbox}, which each subclass creates with its own high-water marks.
 */
export abstract class InboxSocket {
  protected abstract readonly inbox: Inbox;

  recv(): Promise<Message> {
    return this.inbox.recv();
  }

  poll(): Message | undefined {
    return this.inbox.poll();
  }

  [Symbol.asyncIterator](): AsyncIterator<Message> {
    return this.inbox[Symbol.asyncIterator]();
  }
}
