import { badRequest, canceled, conflict, serviceUnavailable } from '@tsmicro/core';
import { closedError, Inbox, InboxSocket } from './inbox.js';
import type { DialOptions, Listener, Message, Socket, Transport } from './transport.js';

/** Unread messages a memory socket holds before its peer's `send()` waits. */
const HIGH_WATER = 256;

const RESOLVED = Promise.resolve();

type Pending = { m: Message; resolve: () => void; reject: (e: unknown) => void };

class MemorySocket extends InboxSocket implements Socket {
  readonly inbox: Inbox;
  peer!: MemorySocket;
  readonly closed: Promise<Error | undefined>;
  onClose: (() => void) | undefined;
  private settle!: (e: Error | undefined) => void;
  private isClosed = false;
  private pending: Pending[] = [];

  constructor(
    readonly local: string,
    readonly remote: string,
  ) {
    super();
    this.inbox = new Inbox(local, HIGH_WATER);
    this.closed = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  send(m: Message): Promise<void> {
    if (this.isClosed) return Promise.reject(closedError(this.local));
    if (this.pending.length === 0 && !this.peer.inbox.full) {
      this.peer.inbox.push(m);
      return RESOLVED;
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ m, resolve, reject });
      if (this.pending.length === 1) void this.pump();
    });
  }

  /** Delivers waiting sends in order as the peer reads; a slow peer holds them here, not in its inbox. */
  private async pump(): Promise<void> {
    while (this.pending.length > 0) {
      if (this.peer.inbox.full) await this.peer.inbox.whenWritable();
      if (this.isClosed) return;
      const p = this.pending.shift()!;
      this.peer.inbox.push(p.m);
      p.resolve();
    }
  }

  close(): Promise<void> {
    this.shut(true);
    this.peer.shut(false);
    return RESOLVED;
  }

  /** `local` drops what this side had not read; the peer keeps its queued messages readable. */
  private shut(local: boolean): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (local) this.inbox.discard();
    else this.inbox.end();
    const err = closedError(this.local);
    for (const p of this.pending.splice(0)) p.reject(err);
    this.onClose?.();
    this.settle(undefined);
  }
}

function normalize(address: string): string {
  if (address === '' || address === 'memory:') return '';
  return address.startsWith('memory:') ? address : `memory:${address}`;
}

/**
 * An in-process transport: sockets are pairs of queues, for tests and single-process apps.
 * Each instance is its own address space (client and server must share the instance).
 * Messages are passed by reference: the receiver gets the very object that was sent, so neither
 * side may mutate a message after sending it. `send()` waits while the peer has 256 or more
 * unread messages.
 * @example const t = memoryTransport(); const l = await t.listen(''); const s = await t.dial(l.address)
 */
export function memoryTransport(): Transport {
  const listeners = new Map<string, MemoryListener>();
  let seq = 0;

  class MemoryListener implements Listener {
    private handler: ((s: Socket) => void) | undefined;
    private backlog: Socket[] = [];
    readonly sockets = new Set<MemorySocket>();
    constructor(readonly address: string) {}

    accept(fn: (s: Socket) => void): void {
      this.handler = fn;
      for (const s of this.backlog.splice(0)) fn(s);
    }

    connect(): MemorySocket {
      const id = `memory:~${++seq}`;
      const client = new MemorySocket(id, this.address);
      const server = new MemorySocket(this.address, id);
      client.peer = server;
      server.peer = client;
      this.sockets.add(server);
      server.onClose = () => this.sockets.delete(server);
      if (this.handler) this.handler(server);
      else this.backlog.push(server);
      return client;
    }

    async close(): Promise<void> {
      if (listeners.get(this.address) === this) listeners.delete(this.address);
      this.backlog = [];
      await Promise.all([...this.sockets].map((s) => s.close()));
    }
  }

  return {
    name: 'memory',
    async listen(address: string): Promise<Listener> {
      let addr = normalize(address);
      if (addr === '') {
        do addr = `memory:${++seq}`;
        while (listeners.has(addr));
      } else if (listeners.has(addr)) {
        throw conflict(`memory address ${addr} is already in use`);
      }
      const l = new MemoryListener(addr);
      listeners.set(addr, l);
      return l;
    },
    async dial(address: string, o: DialOptions = {}): Promise<Socket> {
      if (o.signal?.aborted) throw canceled(`dial ${address} aborted`, { cause: o.signal.reason });
      const addr = normalize(address);
      if (addr === '') throw badRequest('memory dial needs an address');
      const l = listeners.get(addr);
      if (!l) throw serviceUnavailable(`nothing listens on ${addr}`);
      return l.connect();
    },
  };
}
