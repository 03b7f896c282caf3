import { randomUUID } from 'node:crypto';
import { badRequest, type Logger, serviceUnavailable, silentLogger } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import type { Broker, Handler, PublishOptions, SubscribeOptions, Subscriber } from '../broker.js';
import { compilePattern, topicCheck } from '../topic.js';
import { type Delivery, MemorySubscription } from './subscription.js';

/** Options of {@link memoryBroker}. */
export interface MemoryBrokerOptions {
  /** Where nacks and handler failures are logged. Default: `silentLogger()`. */
  logger?: Logger;
  /** Redeliveries of a nacked message on a `durable` subscription before it is dropped (and logged). Default `3`. */
  maxRedeliveries?: number;
  /** Milliseconds `disconnect()` waits for queued and in-flight handlers before dropping the rest. Default `10000`. */
  drainTimeout?: number;
}

function resolveOptions(o: MemoryBrokerOptions) {
  return {
    logger: o.logger ?? silentLogger(),
    maxRedeliveries: o.maxRedeliveries ?? 3,
    drainTimeout: o.drainTimeout ?? 10_000,
  };
}

type State = 'open' | 'closing' | 'closed';

class MemoryBroker implements Broker {
  readonly name = 'memory';
  readonly address = `memory:${randomUUID().slice(0, 8)}`;
  private readonly opts: ReturnType<typeof resolveOptions>;
  /** Topics this broker already found valid. */
  private readonly checkTopic = topicCheck();
  private readonly subs = new Set<MemorySubscription>();
  private readonly rr = new Map<string, number>();
  private state: State = 'open';

  constructor(o: MemoryBrokerOptions) {
    this.opts = resolveOptions(o);
  }

  async connect(): Promise<void> {
    if (this.state === 'closing') throw serviceUnavailable('memory broker: cannot connect while disconnecting');
    this.state = 'open';
  }

  async disconnect(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    const subs = [...this.subs];
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.opts.drainTimeout);
    });
    const drained = Promise.all(subs.map((s) => s.idle())).then(() => false);
    const timedOut = await Promise.race([drained, expired]);
    clearTimeout(timer);
    let dropped = 0;
    for (const s of subs) dropped += s.stop().length;
    if (timedOut) this.opts.logger.error({ dropped }, 'memory broker: drain timed out; dropping undelivered messages');
    this.subs.clear();
    this.rr.clear();
    this.state = 'closed';
  }

  /** A memory publish is queued for its subscribers before its promise resolves: nothing is ever left to confirm. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  async publish(topic: string, m: Message, _o?: PublishOptions): Promise<void> {
    this.checkTopic(topic);
    if (this.state !== 'open') throw serviceUnavailable(`memory broker: cannot publish to "${topic}": broker is disconnected`);
    // Snapshot: the publisher may reuse its buffer once publish resolves, delivery is later.
    const message: Message = { header: { ...m.header }, body: m.body.slice() };
    const groups = new Map<string, MemorySubscription[]>();
    for (const s of this.subs) {
      if (!s.match(topic)) continue;
      const g = s.group;
      if (g === undefined) s.enqueue({ topic, message: copy(message), attempt: 0 });
      else {
        const members = groups.get(g);
        if (members) members.push(s);
        else groups.set(g, [s]);
      }
    }
    for (const [g, members] of groups) this.pick(g, members).enqueue({ topic, message: copy(message), attempt: 0 });
  }

  async subscribe(topic: string, h: Handler, o: SubscribeOptions = {}): Promise<Subscriber> {
    const match = compilePattern(topic);
    if (o.queue !== undefined && o.queue.length === 0) throw badRequest(`memory broker: empty queue name for "${topic}"`);
    if (this.state !== 'open') throw serviceUnavailable(`memory broker: cannot subscribe to "${topic}": broker is disconnected`);
    const sub = new MemorySubscription(topic, match, o.queue, o.durable, h, o.autoAck ?? true, this.opts.logger, (s, d) =>
      this.nacked(s, d),
    );
    this.subs.add(sub);
    const unsubscribe = async () => this.remove(sub);
    return o.queue === undefined ? { topic, unsubscribe } : { topic, queue: o.queue, unsubscribe };
  }

  private pick(group: string, members: MemorySubscription[]): MemorySubscription {
    const n = this.rr.get(group) ?? 0;
    this.rr.set(group, n + 1);
    return members[n % members.length]!;
  }

  private members(group: string): MemorySubscription[] {
    return [...this.subs].filter((s) => s.group === group);
  }

  private remove(sub: MemorySubscription): void {
    if (!this.subs.delete(sub)) return;
    const pending = sub.stop();
    const g = sub.group;
    // Queued messages of a queue member belong to the group, not to the member: hand them on.
    if (g === undefined || pending.length === 0) return;
    const rest = this.members(g);
    if (rest.length === 0) {
      this.opts.logger.warn({ topic: sub.pattern, queue: sub.queue, dropped: pending.length }, 'memory broker: last queue member left');
      return;
    }
    for (const d of pending) this.pick(g, rest).enqueue(d);
  }

  /** A nack on a durable subscription redelivers (to the group when there is one), up to `maxRedeliveries`. */
  private nacked(sub: MemorySubscription, d: Delivery): void {
    const log = { topic: d.topic, pattern: sub.pattern, queue: sub.queue, attempt: d.attempt };
    if (sub.durable === undefined) return void this.opts.logger.warn(log, 'memory broker: message nacked (not durable: dropped)');
    if (this.state !== 'open' || d.attempt >= this.opts.maxRedeliveries) {
      return void this.opts.logger.error(log, 'memory broker: nacked message dropped after its last redelivery');
    }
    const next: Delivery = { ...d, attempt: d.attempt + 1 };
    const g = sub.group;
    const target =
      g === undefined ? (sub.active ? sub : undefined) : this.members(g).length > 0 ? this.pick(g, this.members(g)) : undefined;
    if (target) target.enqueue(next);
    else this.opts.logger.warn(log, 'memory broker: nacked message has no subscriber left to redeliver to');
  }
}

function copy(m: Message): Message {
  return { header: { ...m.header }, body: m.body };
}

/**
 * An in-process broker: each instance is its own bus (no shared state between instances).
 * Publish resolves once the message is queued for every matching subscriber; each subscriber
 * runs one handler at a time, in publish order. Queue groups (same pattern and `queue`) get
 * each message on one member, round-robin. A nack is logged; on a `durable` subscription it
 * redelivers up to `maxRedeliveries` times. Bodies are shared between subscribers: treat them as read-only.
 * @example const b = memoryBroker(); await b.subscribe('orders.>', (e) => log(e.topic)); await b.publish('orders.eu', msg)
 */
export function memoryBroker(o: MemoryBrokerOptions = {}): Broker {
  return new MemoryBroker(o);
}
