import type { Logger } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import type { Handler } from '../broker.js';
import { runHandler } from '../event.js';
import { Fifo } from '../internal/fifo.js';
import type { TopicMatcher } from '../topic.js';

/** One queued delivery; `attempt` counts redeliveries after a nack. */
export interface Delivery {
  topic: string;
  message: Message;
  attempt: number;
}

/**
 * One memory subscription: a mailbox drained by a single loop, so each subscriber sees the
 * messages of one publisher in publish order and runs one handler at a time.
 */
export class MemorySubscription {
  active = true;
  private readonly box = new Fifo<Delivery>();
  private running: Promise<void> | undefined;

  constructor(
    readonly pattern: string,
    readonly match: TopicMatcher,
    readonly queue: string | undefined,
    readonly durable: string | undefined,
    private readonly handler: Handler,
    private readonly autoAck: boolean,
    private readonly logger: Logger,
    /** Called on a nack; the broker decides about redelivery. */
    private readonly onNack: (sub: MemorySubscription, d: Delivery) => void,
  ) {}

  /** The group key: NATS semantics, a queue group is the pair (pattern, queue name). */
  get group(): string | undefined {
    return this.queue === undefined ? undefined : `${this.pattern}\u0000${this.queue}`;
  }

  enqueue(d: Delivery): void {
    this.box.push(d);
    this.running ??= this.loop();
  }

  /** Stops delivery at once and hands back what was queued but not started. */
  stop(): Delivery[] {
    this.active = false;
    return this.box.takeAll();
  }

  /** Resolves when the mailbox is empty and no handler runs. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      for (let d = this.box.shift(); d && this.active; d = this.box.shift()) {
        const outcome = await runHandler({
          topic: d.topic,
          message: d.message,
          handler: this.handler,
          autoAck: this.autoAck,
          logger: this.logger,
        });
        if (outcome === 'nack') this.onNack(this, d);
      }
    } finally {
      this.running = undefined;
      // A push that raced the end of the loop (between the last shift and here) restarts it.
      if (this.active && this.box.length > 0) this.running = this.loop();
    }
  }
}
