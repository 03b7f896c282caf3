import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { badRequest, serviceUnavailable, toMicroError } from '@tsmicro/core';
import type { Message } from '@tsmicro/transport';
import type { Broker, Handler, PublishOptions, SubscribeOptions, Subscriber } from '../broker.js';
import { compilePattern, topicCheck } from '../topic.js';
import { advertisedHost, formatAddress, parseAddress } from './address.js';
import { Directory, META } from './directory.js';
import { Endpoint, type LocalSubscription } from './endpoint.js';
import { type HttpBrokerOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { type PublishContext, publish } from './publish.js';
import { Registration } from './registration.js';

/** Everything one connect…disconnect cycle owns; rebuilt by `connect()` after a disconnect. */
interface Session {
  agent: Agent;
  directory: Directory;
  endpoint: Endpoint;
  registration: Registration;
  rr: Map<string, number>;
  /** What each publish needs, built once per session rather than per publish. */
  context: PublishContext;
  listening: Promise<string> | undefined;
  publishing: Set<Promise<void>>;
}

class HttpBroker implements Broker {
  readonly name = 'http';
  private readonly o: ResolvedOptions;
  private readonly instance = randomUUID();
  /** Topics this broker already found valid. */
  private readonly checkTopic = topicCheck();
  private readonly subs = new Map<string, LocalSubscription>();
  private session: Session;
  private closing: Promise<void> | undefined;
  private closed = false;
  private bound = '';
  private seq = 0;

  constructor(o: HttpBrokerOptions) {
    this.o = resolveOptions(o);
    this.session = this.open();
  }

  /** The advertised `host:port` of the subscriber endpoint; `''` until the first subscribe. */
  get address(): string {
    return this.bound;
  }

  async connect(): Promise<void> {
    if (this.closing) await this.closing;
    if (this.closed) {
      this.session = this.open();
      this.closed = false;
    }
  }

  disconnect(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closing ??= this.shutdown().finally(() => {
      this.closing = undefined;
      this.closed = true;
    });
    return this.closing;
  }

  async publish(topic: string, m: Message, o?: PublishOptions): Promise<void> {
    this.checkTopic(topic);
    this.ensureOpen(`publish to "${topic}"`);
    const s = this.session;
    const p = publish(s.context, topic, m, o?.signal);
    s.publishing.add(p);
    try {
      await p;
    } finally {
      s.publishing.delete(p);
    }
  }

  /** Waits for the publishes under way now (each resolves once every subscriber acked, or fails). */
  async flush(): Promise<void> {
    const { publishing } = this.session;
    if (publishing.size > 0) await Promise.allSettled([...publishing]);
  }

  async subscribe(topic: string, handler: Handler, o: SubscribeOptions = {}): Promise<Subscriber> {
    const match = compilePattern(topic);
    if (o.queue !== undefined && o.queue.length === 0) throw badRequest(`http broker: empty queue name for "${topic}"`);
    this.ensureOpen(`subscribe to "${topic}"`);
    const s = this.session;
    s.listening ??= s.endpoint.listen(this.o.address).then(
      (a) => {
        const { host, port } = parseAddress(a);
        this.bound = formatAddress(advertisedHost(host), port);
        return this.bound;
      },
      (err: unknown) => {
        s.listening = undefined; // the next subscribe tries again
        throw serviceUnavailable(`http broker: cannot listen on ${this.o.address}: ${toMicroError(err).detail}`, { cause: err });
      },
    );
    const address = await s.listening;
    const id = `${this.instance}-${++this.seq}`;
    this.subs.set(id, { id, pattern: topic, match, handler, autoAck: o.autoAck ?? true });
    const metadata: Record<string, string> = { [META.topic]: topic, [META.broker]: 'http' };
    if (o.queue !== undefined) metadata[META.queue] = o.queue;
    await s.registration.add({ id, address, metadata });
    const unsubscribe = async () => {
      if (!this.subs.delete(id)) return;
      await s.registration.remove(id);
    };
    return o.queue === undefined ? { topic, unsubscribe } : { topic, queue: o.queue, unsubscribe };
  }

  private ensureOpen(what: string): void {
    if (this.closed || this.closing) throw serviceUnavailable(`http broker: cannot ${what}: broker is disconnected`);
  }

  private open(): Session {
    const o = this.o;
    const agent = new Agent({ keepAlive: true, scheduling: 'lifo', noDelay: true });
    const directory = new Directory(o.registry, o.service, o.cacheTtl, o.logger);
    const rr = new Map<string, number>();
    return {
      agent,
      directory,
      endpoint: new Endpoint({ maxMessageSize: o.maxMessageSize, logger: o.logger, lookup: (id) => this.subs.get(id) }),
      registration: new Registration({
        registry: o.registry,
        service: o.service,
        ttl: o.registerTtl,
        interval: o.registerInterval,
        logger: o.logger,
      }),
      rr,
      context: { agent, directory, rr, timeout: o.timeout, maxMessageSize: o.maxMessageSize, logger: o.logger },
      listening: undefined,
      publishing: new Set(),
    };
  }

  /** Deregister first (publishers stop choosing us), then drain handlers and our own publishes, then close sockets. */
  private async shutdown(): Promise<void> {
    const s = this.session;
    await s.registration.close();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((r) => {
      timer = setTimeout(r, this.o.drainTimeout);
    });
    const publishes = Promise.race([Promise.allSettled([...s.publishing]), expired]);
    const left = await s.endpoint.close(this.o.drainTimeout);
    await publishes;
    clearTimeout(timer);
    if (left > 0) this.o.logger.debug({ handlers: left }, 'http broker: drained in-flight handlers');
    s.directory.close();
    s.agent.destroy();
    this.subs.clear();
    this.bound = '';
  }
}

/**
 * A broker over plain HTTP (node:http, no dependencies). On its first subscribe an instance listens on
 * `address` and registers each subscription (topic and queue in node metadata) under `service` in the
 * registry, with a heartbeat. `publish` looks subscribers up (cached, refreshed on registry watch events),
 * POSTs the message to every plain subscriber and to one member per queue group (the next member on
 * failure or nack), and resolves once each acked: per-publisher order holds for awaited publishes.
 * Undeliverable messages reject the publish with a `MicroError` (503; 408 on `timeout`; 413 when too large;
 * 500 when every member of a group nacked); a plain subscriber that nacks or has just left is not a failure.
 * Handlers of one subscription may run concurrently when several publishers send at once.
 * @example const broker = httpBroker({ registry }); await broker.subscribe('orders.>', handle, { queue: 'billing' })
 */
export function httpBroker(o: HttpBrokerOptions): Broker {
  if (!o?.registry) throw badRequest('http broker: the registry option is required');
  return new HttpBroker(o);
}
