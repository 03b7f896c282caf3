import { isMicroError, type Logger, type MicroError, serviceUnavailable } from '@tsmicro/core';
import type { Transport } from '@tsmicro/transport';
import { createMux, type Mux, type MuxCompression } from '@tsmicro/transport/rpc';
import { createKeepalive } from './keepalive.js';

/** A few multiplexed connections per node address. */
export interface Pool {
  /**
   * A live connection to `address`: the least busy one, or a new one while under `size` and every
   * open one has {@link BUSY_AT} calls in flight. Rejects with a 503 when connecting fails, and at
   * once while the node is known to be frozen (it failed a keepalive ping; see {@link PoolOptions.pingTimeout}).
   */
  get(address: string): Promise<Mux>;
  /** What `get` would return when that needs no dial: an open connection, synchronously (the hot path); undefined otherwise. */
  pick(address: string): Mux | undefined;
  /** Drops a connection (e.g. after it failed a ping). */
  drop(mux: Mux): void;
  close(): Promise<void>;
}

/**
 * Calls in flight on a connection before the pool opens another to the same node. Calls share a
 * connection well (one write carries many frames), so a second one only pays off once the first is
 * really busy; it then also limits head-of-line blocking behind large messages.
 */
export const BUSY_AT = 128;

interface Node {
  conns: Mux[];
  dialing: Array<Promise<Mux>>;
  /** Set while the node is frozen: it failed a ping. Calls are refused until a dial in the background gets through. */
  frozen: { since: number; retryAt: number; reason: MicroError } | undefined;
}

/** Options of {@link createPool}. */
export interface PoolOptions {
  transport: Transport;
  size: number;
  dialTimeout: number;
  /** Ms an idle connection may stay silent before it is pinged; 0 disables. */
  pingInterval: number;
  /** Ms a connection with calls in flight may stay silent before it is pinged; 0 disables. */
  busyPingAfter: number;
  /** Ms a ping waits for its pong before the node counts as frozen. */
  pingTimeout: number;
  window: number;
  compression?: MuxCompression;
  logger: Logger;
}

/** Creates the client's connection pool; a connection that closes leaves the pool at once. */
export function createPool(o: PoolOptions): Pool {
  const nodes = new Map<string, Node>();
  // Bumped by close(): a dial that finishes after it closes its connection instead of pooling it.
  let generation = 0;

  const remove = (address: string, mux: Mux) => {
    const n = nodes.get(address);
    if (!n) return;
    n.conns = n.conns.filter((c) => c !== mux);
    if (n.conns.length === 0 && n.dialing.length === 0 && !n.frozen) nodes.delete(address);
  };

  const keepalive = createKeepalive({
    idle: o.pingInterval,
    busy: o.busyPingAfter,
    timeout: o.pingTimeout,
    logger: o.logger,
    onDead(mux, address, reason) {
      const n = nodes.get(address);
      if (n) {
        const now = Date.now();
        n.frozen = { since: now, retryAt: now + o.pingTimeout, reason };
      }
      // The calls fail now with `reason`: a frozen peer would never complete a graceful close.
      void mux.close(reason);
    },
  });

  /**
   * A frozen node gets no calls: each would wait for its whole deadline. A dial in the background,
   * at most one at a time and one per ping timeout, finds out when it answers again.
   */
  const refuseFrozen = (address: string, n: Node, f: NonNullable<Node['frozen']>): never => {
    const now = Date.now();
    if (now >= f.retryAt && n.dialing.length === 0) {
      f.retryAt = now + o.pingTimeout + o.dialTimeout;
      startDial(address, n).then(
        () => {
          n.frozen = undefined;
        },
        () => {
          f.retryAt = Date.now() + o.pingTimeout;
        },
      );
    }
    throw serviceUnavailable(`not sending to ${address} (${now - f.since} ms ago: ${f.reason.detail}); it is re-dialed in the background`, {
      cause: f.reason,
    });
  };

  const dial = async (address: string, n: Node): Promise<Mux> => {
    const gen = generation;
    let mux: Mux;
    try {
      mux = createMux(await o.transport.dial(address, { timeout: o.dialTimeout }), {
        window: o.window,
        ...(o.compression && { compression: o.compression }),
      });
    } catch (e) {
      const why = isMicroError(e) ? e.detail : e instanceof Error ? e.message : String(e);
      // The transport may have said "cannot connect to <address>" already: say it once.
      throw serviceUnavailable(why.startsWith(`cannot connect to ${address}`) ? why : `cannot connect to ${address}: ${why}`, { cause: e });
    }
    if (gen !== generation) {
      await mux.close();
      throw serviceUnavailable(`the client closed while connecting to ${address}`);
    }
    n.conns.push(mux);
    keepalive.watch(mux, address);
    void mux.closed.then(() => remove(address, mux));
    return mux;
  };

  /** One dial at a time per node, so a burst of first calls opens one connection, not `size`. */
  const startDial = (address: string, node: Node): Promise<Mux> => {
    const p = dial(address, node).finally(() => {
      node.dialing = node.dialing.filter((d) => d !== p);
      if (node.conns.length === 0 && node.dialing.length === 0 && !node.frozen && nodes.get(address) === node) nodes.delete(address);
    });
    node.dialing.push(p);
    return p;
  };

  /** The connection to use without dialing, if there is one that suits. */
  const pick = (n: Node): Mux | undefined => {
    let best: Mux | undefined;
    for (const c of n.conns) if (!c.isClosed && (!best || c.size < best.size)) best = c;
    // Busy, but another connection is already on its way or the pool is full: share this one meanwhile.
    if (best && (best.size < BUSY_AT || n.dialing.length > 0 || n.conns.length >= o.size)) return best;
    return undefined;
  };

  return {
    pick(address) {
      const n = nodes.get(address);
      return n ? pick(n) : undefined;
    },
    async get(address) {
      let n = nodes.get(address);
      if (!n) {
        n = { conns: [], dialing: [], frozen: undefined };
        nodes.set(address, n);
      }
      const best = pick(n);
      if (best) return best;
      if (n.frozen) return refuseFrozen(address, n, n.frozen);
      return n.dialing[0] ?? startDial(address, n);
    },
    drop(mux) {
      void mux.close();
    },
    async close() {
      generation++;
      keepalive.close();
      const all = [...nodes.values()];
      nodes.clear();
      await Promise.allSettled(all.flatMap((n) => n.dialing));
      await Promise.allSettled(all.flatMap((n) => n.conns.map((c) => c.close())));
    },
  };
}
