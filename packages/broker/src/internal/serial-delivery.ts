import type { Logger } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import type { Event, Handler } from '../broker.js';
import { Fifo } from './fifo.js';

/** ack/nack of a delivery nothing can redeliver (core NATS, Redis pub/sub): nothing to tell anyone. */
const nothingToSettle = async (): Promise<void> => {};

/**
 * Runs one subscription's handler for each message, one at a time, in arrival order, for
 * at-most-once deliveries where ack and nack mean nothing. A handler that returns without a
 * promise is finished before `deliver` returns: no promise, no queue, no microtask per message
 * (an async wrapper per message cost more than the handler itself). Only while a handler's promise
 * is pending are later messages queued. A failing handler is logged, never rethrown: one bad
 * message must not end the subscription.
 */
export class SerialDelivery {
  private readonly waiting = new Fifo<Event>();
  private busy = false;
  /** Topic of the running async handler, for its failure log. */
  private runningTopic = '';
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly handler: Handler,
    private readonly logger: Logger,
  ) {}

  deliver(topic: string, message: Message): void {
    const e: Event = { topic, message, ack: nothingToSettle, nack: nothingToSettle };
    if (this.busy) this.waiting.push(e);
    else this.run(e);
  }

  /** Resolves once no handler runs and nothing is queued. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private run(e: Event): void {
    let r: Promise<void> | void;
    try {
      r = this.handler(e);
    } catch (err) {
      this.failed(err, e.topic);
      return;
    }
    if (r !== undefined && typeof (r as Promise<void>).then === 'function') {
      this.busy = true;
      this.runningTopic = e.topic;
      r.then(this.next, this.failedAsync);
    }
  }

  private readonly failedAsync = (err: unknown): void => {
    this.failed(err, this.runningTopic);
    this.next();
  };

  /** The running handler finished: run what queued up meanwhile until one goes async again. */
  private readonly next = (): void => {
    this.busy = false;
    for (let e = this.waiting.shift(); e !== undefined; e = this.waiting.shift()) {
      this.run(e);
      if (this.busy) return;
    }
    const waiters = this.idleWaiters;
    if (waiters.length === 0) return;
    this.idleWaiters = [];
    for (const w of waiters) w();
  };

  private failed(err: unknown, topic: string): void {
    this.logger.warn({ err, topic }, 'broker: subscriber handler failed');
  }
}
