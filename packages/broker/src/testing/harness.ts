import { randomBytes } from 'node:crypto';
import type { Message } from '@tsmicro/transport';
import type { Broker, Event, Handler } from '../broker.js';
import { delay } from './wait.js';

/** What an implementation tells the contract about itself. */
export interface BrokerCapabilities {
  /** `nack` (or a throwing handler) on a `durable` subscription redelivers the message. Default `false`. */
  durable?: boolean;
  /** Instances made by `newBroker()` share one bus (a server, a registry), so the suite spreads subscribers over several instances. Default `true`. */
  shared?: boolean;
}

/** Options of {@link runBrokerContract}. */
export interface BrokerContractOptions {
  /** Name of the describe block. */
  name: string;
  /** A fresh broker; the suite connects and disconnects it. */
  newBroker: () => Broker | Promise<Broker>;
  capabilities?: BrokerCapabilities;
  /** Milliseconds to wait after subscribing before publishing (remote brokers propagate interest asynchronously). Default `0`. */
  settle?: number;
  /** Bound of every wait for a delivery, in ms. Default `5000`. */
  timeout?: number;
}

/** A received message, as recorded by {@link recorder}. */
export interface Received {
  topic: string;
  header: Record<string, string>;
  body: Uint8Array;
}

/** A handler that records what it gets, plus the record. */
export function recorder(then?: (e: Event) => Promise<void> | void): { handler: Handler; got: Received[] } {
  const got: Received[] = [];
  const handler: Handler = async (e) => {
    got.push({ topic: e.topic, header: { ...e.message.header }, body: e.message.body.slice() });
    await then?.(e);
  };
  return { handler, got };
}

/** A message whose body is `text` (UTF-8). */
export function msg(text: string, header: Record<string, string> = {}): Message {
  return { header, body: new TextEncoder().encode(text) };
}

/** The body of a received message as text. */
export function text(r: Received): string {
  return new TextDecoder().decode(r.body);
}

/** Creates, connects and tracks the brokers of one test, and gives each test its own topic namespace. */
export class Harness {
  readonly prefix = `ct${randomBytes(5).toString('hex')}`;
  private readonly made: Broker[] = [];
  private first: Broker | undefined;

  constructor(private readonly o: BrokerContractOptions) {}

  get shared(): boolean {
    return this.o.capabilities?.shared ?? true;
  }

  get timeout(): number {
    return this.o.timeout ?? 5000;
  }

  /** A topic in this test's namespace. */
  topic(rest: string): string {
    return `${this.prefix}.${rest}`;
  }

  /** A new connected broker. */
  async fresh(): Promise<Broker> {
    const b = await this.o.newBroker();
    await b.connect();
    this.made.push(b);
    return b;
  }

  /** The test's first broker (the publisher). */
  async main(): Promise<Broker> {
    this.first ??= await this.fresh();
    return this.first;
  }

  /** Another node: a fresh instance when instances share a bus, else the main broker. */
  async peer(): Promise<Broker> {
    return this.shared ? this.fresh() : this.main();
  }

  async settle(): Promise<void> {
    if (this.o.settle) await delay(this.o.settle);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.made.map((b) => b.disconnect()));
  }
}
